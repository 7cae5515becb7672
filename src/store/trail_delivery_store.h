// TrailDeliveryStore: CloudTrail trails (their configuration and logging state), the delivery
// state of each trail (its cursor into the event history, its digest chains), the objects waiting
// to be written to buckets (an outbox) and the digest signing keys' public halves.
//
// Delivery is exactly-once through the outbox: one transaction advances a trail's cursor, queues
// the log files made from the records it passed and notes them for the next digest; the objects
// are then written to the bucket and removed from the outbox. A crash in between leaves the row,
// and the same bytes are written again under the same key. Digests likewise commit their chain
// state together with their object.
//
// Every write that acts for a trail names the trail's `epoch`, which StartLogging, StopLogging and
// changes of log-file validation increase: a delivery or digest computed before such a change is
// refused (kConcurrentModification) and nothing of it is kept. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::store {

struct TrailRecord {
  std::string arn;  // arn:<partition>:cloudtrail:<home_region>:<account>:trail/<name>
  std::string account_id;
  std::string home_region;
  std::string name;
  std::string s3_bucket;
  std::string s3_key_prefix;   // "" when none
  std::string sns_topic_name;  // "" when none (stored, no notifications are sent)
  bool include_global_service_events = true;
  bool multi_region = false;
  bool log_file_validation = false;
  std::vector<std::pair<std::string, std::string>> tags;
  int64_t created_ms = 0;

  // Logging state (StartLogging / StopLogging), changed by SetLogging().
  bool logging = false;
  int64_t start_logging_ms = 0;  // 0: never started
  int64_t stop_logging_ms = 0;   // 0: never stopped
  // Increased by every change that ends or restarts the digest chains.
  int64_t epoch = 0;
  // When the current digest chains began (logging started or validation enabled), ms.
  int64_t chain_started_ms = 0;
  // A final delivery is owed (logging stopped, or validation disabled while logging): the records
  // up to the stop and, when the trail has digest chains, a final digest that ends them.
  bool final_digest_pending = false;

  // Delivery state, written by the delivery worker.
  int64_t cursor_seq = 0;  // the last TrailStore seq this trail has passed
  int64_t latest_delivery_ms = 0;
  int64_t latest_digest_delivery_ms = 0;
  std::string latest_delivery_error;
  std::string latest_digest_delivery_error;
};

// A log file a digest will list (the digest's logFiles[] entry).
struct DigestLogEntry {
  std::string region;
  std::string s3_bucket;
  std::string s3_object;
  std::string hash_hex;  // lower-case SHA-256 of the uncompressed file
  int64_t oldest_event_ms = 0;
  int64_t newest_event_ms = 0;
};

// The state of one trail's digest chain in one region.
struct DigestChainRecord {
  std::string trail_arn;
  std::string region;
  int64_t window_start_ms = 0;  // digestStartTime of the next digest
  // The previous digest; all empty: the next digest starts a chain (previous* fields null).
  std::string prev_bucket;
  std::string prev_key;
  std::string prev_hash_hex;
  std::string prev_signature_hex;
  std::vector<DigestLogEntry> pending_logs;  // delivered since the previous digest, in order
};

// An object waiting to be written to a bucket.
struct OutboxObject {
  int64_t id = 0;  // assigned by the store
  std::string trail_arn;
  std::string kind;  // "log" or "digest"
  std::string bucket;
  std::string key;
  Bytes body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> metadata;  // user metadata, names lower case
};

// The public half of a digest signing key (the private key lives in the key store).
struct DigestKeyRecord {
  std::string region;
  std::string key_id;  // the key store's id
  Bytes public_key_pkcs1_der;
  std::string fingerprint;  // lower-case hex MD5 of public_key_pkcs1_der
  int64_t valid_from_s = 0;
  int64_t valid_to_s = 0;
};

// One delivery step of one trail: the cursor moves to `cursor_seq`, the objects join the outbox
// and, when `chain_logs` is set, the log files join their regions' pending digest lists.
struct DeliveryCommit {
  std::string trail_arn;
  int64_t epoch = 0;
  int64_t cursor_seq = 0;
  int64_t delivered_ms = 0;  // 0: nothing delivered (LatestDeliveryTime unchanged)
  std::vector<OutboxObject> objects;
  std::vector<DigestLogEntry> chain_logs;
};

// One digest round of one trail: every region's new chain state and digest object. With
// `final_digest`, the chains end here (their rows are removed) and final_digest_pending clears.
struct DigestCommit {
  std::string trail_arn;
  int64_t epoch = 0;
  int64_t delivered_ms = 0;
  std::vector<DigestChainRecord> chains;
  std::vector<OutboxObject> objects;
  bool final_digest = false;
};

class TrailDeliveryStore {
 public:
  virtual ~TrailDeliveryStore() = default;

  // Inserts a new trail. A trail counts in its home region and, multi-region, in every region;
  // a name is taken in the regions where its trail counts.
  // Errors: kTrailAlreadyExists (the name is taken in `trail.home_region` for the account, by a
  // trail of the region or a multi-region trail); kMaximumNumberOfTrailsExceeded (the account
  // already has `max_per_region` trails counting in the home region); kInternal.
  virtual Status InsertTrail(const TrailRecord& trail, int max_per_region) = 0;
  // Errors: kInternal.
  virtual Result<std::optional<TrailRecord>> GetTrail(std::string_view arn) = 0;
  // Trails of `account_id` ("" = every account), ordered by ARN. Errors: kInternal.
  virtual Result<std::vector<TrailRecord>> ListTrails(std::string_view account_id) = 0;
  // Replaces the configuration columns (bucket, prefix, SNS topic, global events, multi-region,
  // validation, tags) of an existing trail. When validation is switched on the chains restart;
  // switched off, a final digest is owed. Errors: kTrailNotFound; kInternal.
  virtual Status UpdateTrailConfig(const TrailRecord& trail, int64_t now_ms) = 0;
  // Removes the trail with its chains and its queued objects. Errors: kTrailNotFound; kInternal.
  virtual Status DeleteTrail(std::string_view arn) = 0;
  // StartLogging (`logging`) restarts the chains at `now_ms`; StopLogging owes a final digest.
  // Either increases the epoch. Repeating the current state changes nothing.
  // Errors: kTrailNotFound; kInternal.
  virtual Status SetLogging(std::string_view arn, bool logging, int64_t now_ms) = 0;
  // Errors: kTrailNotFound; kInternal.
  virtual Status SetTags(std::string_view arn,
                         const std::vector<std::pair<std::string, std::string>>& tags) = 0;

  // The chains of a trail, by region. Errors: kInternal.
  virtual Result<std::vector<DigestChainRecord>> ListChains(std::string_view trail_arn) = 0;
  // Errors: kConcurrentModification (epoch changed or trail gone); kInternal.
  virtual Status CommitDelivery(const DeliveryCommit& commit) = 0;
  // Errors: kConcurrentModification (epoch changed or trail gone); kInternal.
  virtual Status CommitDigests(const DigestCommit& commit) = 0;
  // Records the latest delivery (`digest` false) or digest error; "" clears it. Errors: kInternal.
  virtual Status SetDeliveryError(std::string_view trail_arn, bool digest,
                                  std::string_view error) = 0;

  // Queued objects with id > after_id, oldest first, at most `limit`. Errors: kInternal.
  virtual Result<std::vector<OutboxObject>> ListOutbox(int64_t after_id, int limit) = 0;
  // Errors: kInternal.
  virtual Status DeleteOutbox(int64_t id) = 0;

  // Errors: kInternal.
  virtual Status InsertDigestKey(const DigestKeyRecord& key) = 0;
  // The keys of `region`, oldest first. Errors: kInternal.
  virtual Result<std::vector<DigestKeyRecord>> ListDigestKeys(std::string_view region) = 0;
};

}  // namespace openpca::store

// TrailStore: the durable event history behind CloudTrail (LookupEvents, trail delivery).
//
// One row per CloudTrail record and recipient account: a cross-account call is stored twice (the
// caller's and the resource owner's copy, sharing sharedEventID). A record becomes visible to
// readers only once it is final; `seq` orders final records in the order they became final, so a
// delivery cursor (`ReadEventsAfter`) never skips one. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace openpca::store {

// A resource a record names (LookupEvents' Resources; the ResourceType/ResourceName lookup keys).
struct EventResourceRef {
  std::string type;  // "AWS::ACMPCA::CertificateAuthority"
  std::string name;  // its ARN
};

struct StoredEvent {
  int64_t seq = 0;  // delivery order, strictly increasing; assigned by the store
  std::string event_id;
  std::string recipient_account_id;
  std::string region;
  int64_t event_time_ms = 0;
  std::string event_source;  // "acm-pca.amazonaws.com"
  std::string event_name;    // "IssueCertificate"
  bool read_only = false;
  std::string username;       // IAM user name or role session name; "root" for the account root
  std::string access_key_id;  // "" for service events
  std::vector<EventResourceRef> resources;
  std::string record_json;  // the whole CloudTrail record (one JSON object)
};

// The records of one call made final together: its copies (one per recipient account) and, when
// the call's record was committed pending with its first write (store/call_record.h), that
// pending row, removed in the same transaction.
struct EventCommit {
  std::string pending_call_id;  // "" when nothing is pending for the call
  std::vector<StoredEvent> events;
};

// A call's records as committed with its first write, before the outcome was known.
struct PendingEvents {
  std::string call_id;
  int64_t created_at_ms = 0;
  std::vector<StoredEvent> events;  // record_json without the outcome; seq unset
  std::string provisional_response;  // JSON responseElements the change implies; "" if unknown
};

// What LookupEvents asks for. Results are newest first: (event_time_ms, seq) descending.
// The numbers are stored (event_lookup.lookup_key, migration 0014): never renumber.
enum class EventLookupKey {
  kNone = 0,
  kEventId = 1,
  kEventName = 2,
  kReadOnly = 3,  // value "true" / "false"
  kUsername = 4,
  kResourceType = 5,
  kResourceName = 6,
  kEventSource = 7,
  kAccessKeyId = 8,
};
struct EventQuery {
  std::string recipient_account_id;
  std::string region;
  EventLookupKey key = EventLookupKey::kNone;
  std::string value;
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // inclusive
  // Continue strictly after this position of a previous page (newest-first order).
  bool has_before = false;
  int64_t before_time_ms = 0;
  int64_t before_seq = 0;
  int limit = 50;
};

class TrailStore {
 public:
  virtual ~TrailStore() = default;

  // Final records with seq > after_seq, in seq order, at most `limit` (> 0).
  // Errors: kInternal.
  virtual Result<std::vector<StoredEvent>> ReadEventsAfter(int64_t after_seq, int limit) = 0;

  // Makes the records final, in order (seq follows the order of `commits`, then of `events`),
  // all in one transaction. Errors: kInternal.
  virtual Status AppendEvents(const std::vector<EventCommit>& commits) = 0;

  // Calls whose records are still pending (oldest first): at open, the calls whose change
  // committed but whose outcome was never recorded. Errors: kInternal.
  virtual Result<std::vector<PendingEvents>> ListPendingEvents() = 0;

  // Final records matching `query`, newest first, at most query.limit: every final record,
  // indexed or not (IndexEvents only makes lookups cheaper). Errors: kInternal.
  virtual Result<std::vector<StoredEvent>> LookupEvents(const EventQuery& query) = 0;

  // Indexes for LookupEvents up to `limit` (> 0) of the oldest final records not indexed yet,
  // in one transaction; returns how many. A record commits without its lookup keys (one row in
  // an append-only table), and this inserts the keys behind the commit in large sorted batches;
  // until then LookupEvents reads the record from the unindexed tail. Safe to run from several
  // servers at once (they take turns). Errors: kInternal.
  virtual Result<int64_t> IndexEvents(int limit) = 0;

  // Deletes at most `limit` of the oldest indexed records older than `cutoff_ms` (by event
  // time), with their lookup keys; returns how many were deleted. Errors: kInternal.
  virtual Result<int64_t> PurgeEventsBefore(int64_t cutoff_ms, int limit) = 0;
};

}  // namespace openpca::store

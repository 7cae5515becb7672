// PgTrailDeliveryStore: the TrailDeliveryStore (store/trail_delivery_store.h) on the database of a
// PgStore, sharing its read pool and its writer (so delivery writes join the same group commits).
// Tables: migrations/postgres/0007_trail_delivery.sql.
//
// Several servers may share the database. Every write that acts on an existing trail first locks
// the trail's row (SELECT ... FOR UPDATE), so its epoch check, its chain changes and its update
// see no interleaving change from another server. InsertTrail takes a transaction-level advisory
// lock per account (kPgTrailAccountLockClass) around its name and count checks, which no row lock
// could cover (the rows they count may not exist yet). Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/postgres/pg_store.h"
#include "store/trail_delivery_store.h"

namespace openpca::store {

// First key of the two-key pg_advisory_xact_lock(class, hashtext(account_id)) InsertTrail takes.
// The two-key space is apart from the one-key space of the other advisory locks.
inline constexpr int32_t kPgTrailAccountLockClass = 0x6f706374;  // "opct"

class PgTrailDeliveryStore final : public TrailDeliveryStore {
 public:
  explicit PgTrailDeliveryStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Status InsertTrail(const TrailRecord& trail, int max_per_region) override;
  Result<std::optional<TrailRecord>> GetTrail(std::string_view arn) override;
  Result<std::vector<TrailRecord>> ListTrails(std::string_view account_id) override;
  Status UpdateTrailConfig(const TrailRecord& trail, int64_t now_ms) override;
  Status DeleteTrail(std::string_view arn) override;
  Status SetLogging(std::string_view arn, bool logging, int64_t now_ms) override;
  Status SetTags(std::string_view arn,
                 const std::vector<std::pair<std::string, std::string>>& tags) override;

  Result<std::vector<DigestChainRecord>> ListChains(std::string_view trail_arn) override;
  Status CommitDelivery(const DeliveryCommit& commit) override;
  Status CommitDigests(const DigestCommit& commit) override;
  Status SetDeliveryError(std::string_view trail_arn, bool digest, std::string_view error) override;

  Result<std::vector<OutboxObject>> ListOutbox(int64_t after_id, int limit) override;
  Status DeleteOutbox(int64_t id) override;

  Status InsertDigestKey(const DigestKeyRecord& key) override;
  Result<std::vector<DigestKeyRecord>> ListDigestKeys(std::string_view region) override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

}  // namespace openpca::store

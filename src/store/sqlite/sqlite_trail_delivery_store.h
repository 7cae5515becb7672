// SqliteTrailDeliveryStore: the TrailDeliveryStore (store/trail_delivery_store.h) on the database
// of a SqliteStore, sharing its read pool and its writer (so delivery writes join the same group
// commits). Tables: migrations/sqlite/0007_trail_delivery.sql. Thread-safe; the SqliteStore must
// outlive it.
#pragma once

#include "store/sqlite/sqlite_store.h"
#include "store/trail_delivery_store.h"

namespace openpca::store {

class SqliteTrailDeliveryStore final : public TrailDeliveryStore {
 public:
  explicit SqliteTrailDeliveryStore(SqliteStore& db)
      : reads_(db.read_pool()), writer_(db.writer()) {}

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
  Status SetDeliveryError(std::string_view trail_arn, bool digest,
                          std::string_view error) override;

  Result<std::vector<OutboxObject>> ListOutbox(int64_t after_id, int limit) override;
  Status DeleteOutbox(int64_t id) override;

  Status InsertDigestKey(const DigestKeyRecord& key) override;
  Result<std::vector<DigestKeyRecord>> ListDigestKeys(std::string_view region) override;

 private:
  SqliteReadPool& reads_;
  SqliteWriter& writer_;
};

}  // namespace openpca::store

// SqliteStatsStore: the StatsStore (store/stats_store.h) on the database of a SqliteStore, on its
// read pool (WAL readers: a scan never blocks writes). Thread-safe; the SqliteStore must outlive
// it.
#pragma once

#include "store/sqlite/sqlite_store.h"
#include "store/stats_store.h"

namespace openpca::store {

class SqliteStatsStore final : public StatsStore {
 public:
  explicit SqliteStatsStore(SqliteStore& db) : reads_(db.read_pool()) {}

  Result<std::vector<CaExpiryRecord>> ListCaExpiries() override;
  Result<std::vector<ExpiryBucketCount>> CountCertificatesByExpiry(
      int64_t now_s, std::span<const int64_t> upper_bounds_s) override;

 private:
  SqliteReadPool& reads_;
};

}  // namespace openpca::store

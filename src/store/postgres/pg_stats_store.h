// PgStatsStore: the StatsStore (store/stats_store.h) on the database of a PgStore, on its read
// pool (MVCC readers: a scan never blocks writes). Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/postgres/pg_store.h"
#include "store/stats_store.h"

namespace openpca::store {

class PgStatsStore final : public StatsStore {
 public:
  explicit PgStatsStore(PgStore& db) : reads_(db.read_pool()) {}

  Result<std::vector<CaExpiryRecord>> ListCaExpiries() override;
  Result<std::vector<ExpiryBucketCount>> CountCertificatesByExpiry(
      int64_t now_s, std::span<const int64_t> upper_bounds_s) override;

 private:
  PgPool& reads_;
};

}  // namespace openpca::store

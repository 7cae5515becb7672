// PgLeaseStore: the LeaseStore (store/lease_store.h) on the database of a PgStore, through its
// writer. The upsert's row lock serializes servers racing for one lease: exactly one takes an
// expired lease. Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/lease_store.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {

class PgLeaseStore final : public LeaseStore {
 public:
  explicit PgLeaseStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Result<std::optional<LeaseRecord>> AcquireLease(std::string_view name, std::string_view holder,
                                                  int64_t now_ms, int64_t term_ms) override;
  Status ReleaseLease(std::string_view name, std::string_view holder) override;
  Result<std::optional<LeaseRecord>> GetLease(std::string_view name) override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

}  // namespace openpca::store

// SqliteLeaseStore: the LeaseStore (store/lease_store.h) on the database of a SqliteStore, through
// its writer. Thread-safe; the SqliteStore must outlive it.
#pragma once

#include "store/lease_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {

class SqliteLeaseStore final : public LeaseStore {
 public:
  explicit SqliteLeaseStore(SqliteStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Result<std::optional<LeaseRecord>> AcquireLease(std::string_view name, std::string_view holder,
                                                  int64_t now_ms, int64_t term_ms) override;
  Status ReleaseLease(std::string_view name, std::string_view holder) override;
  Result<std::optional<LeaseRecord>> GetLease(std::string_view name) override;

 private:
  SqliteReadPool& reads_;
  SqliteWriter& writer_;
};

}  // namespace openpca::store

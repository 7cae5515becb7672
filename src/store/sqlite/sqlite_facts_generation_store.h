// SqliteFactsGenerationStore: the FactsGenerationStore (store/facts_generation_store.h) on the
// read pool of a SqliteStore. Thread-safe; the SqliteStore must outlive it.
#pragma once

#include "store/facts_generation_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {

class SqliteFactsGenerationStore final : public FactsGenerationStore {
 public:
  explicit SqliteFactsGenerationStore(SqliteStore& db) : reads_(db.read_pool()) {}

  Result<int64_t> ResourceFactsGeneration() override;

 private:
  SqliteReadPool& reads_;
};

}  // namespace openpca::store

// PgFactsGenerationStore: the FactsGenerationStore (store/facts_generation_store.h) on the read
// pool of a PgStore. Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/facts_generation_store.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {

class PgFactsGenerationStore final : public FactsGenerationStore {
 public:
  explicit PgFactsGenerationStore(PgStore& db) : reads_(db.read_pool()) {}

  Result<int64_t> ResourceFactsGeneration() override;

 private:
  PgPool& reads_;
};

}  // namespace openpca::store

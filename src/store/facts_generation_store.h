// FactsGenerationStore: the number that moves whenever a fact authorization reads about a CA
// changes: its tags, its resource policy, its ACM permissions, what RAM shares grant on it, or
// the CA row's creation or removal. The database moves it in the same transaction as the write
// (triggers of migration 0016), so a reader that sees a number has seen every write before it.
// SqliteFactsGenerationStore and PgFactsGenerationStore implement it on the read pool of a
// SqliteStore or PgStore. Thread-safe.
#pragma once

#include <cstdint>

#include "common/status.h"

namespace openpca::store {

// The number's one row (migration 0016), in SQL both dialects read.
inline constexpr char kSelectResourceFactsGeneration[] =
    "SELECT value FROM resource_facts_generation WHERE id = 1";

class FactsGenerationStore {
 public:
  virtual ~FactsGenerationStore() = default;

  // The current number; it only grows. Errors: kInternal.
  virtual Result<int64_t> ResourceFactsGeneration() = 0;
};

}  // namespace openpca::store

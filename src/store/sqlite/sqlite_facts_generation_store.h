// The resource-facts generation (store/facts_generation_store.h) of a SqliteStore: a
// FactsGenerationWatch fed by the store's writer at each commit and polled on its read pool (for
// writes by another process on the same file). The SqliteStore must outlive the result.
#pragma once

#include <chrono>
#include <memory>

#include "store/facts_generation_watch.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {

std::unique_ptr<FactsGenerationWatch> MakeSqliteFactsGeneration(
    SqliteStore& db, std::chrono::milliseconds poll = FactsGenerationWatch::kDefaultPoll);

}  // namespace openpca::store

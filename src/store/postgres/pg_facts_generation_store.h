// The resource-facts generation (store/facts_generation_store.h) of a PgStore: a
// FactsGenerationWatch fed by the store's writer at each commit and polled on its read pool (for
// writes made through other servers sharing the database). The PgStore must outlive the result.
#pragma once

#include <chrono>
#include <memory>

#include "store/facts_generation_watch.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {

std::unique_ptr<FactsGenerationWatch> MakePgFactsGeneration(
    PgStore& db, std::chrono::milliseconds poll = FactsGenerationWatch::kDefaultPoll);

}  // namespace openpca::store

// PgFactsGenerationStore: the FactsGenerationStore (store/facts_generation_store.h) of a PgStore,
// answered from memory rather than by a round trip per call.
//
// The number is known to this server two ways: its own writer reads it at the end of every write
// transaction, and hands it over once the transaction has committed and before the writer's
// callers are woken (PgWriter::SetCommitProbe), so a write made through this server is seen by
// its very next call; and a poller reads it every `poll` interval, so a write made through
// another server sharing the database is seen within that interval (the documented bound,
// docs/operations.md). Thread-safe; the PgStore must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "store/facts_generation_store.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {

class PgFactsGenerationStore final : public FactsGenerationStore {
 public:
  static constexpr std::chrono::milliseconds kDefaultPoll{100};

  explicit PgFactsGenerationStore(PgStore& db, std::chrono::milliseconds poll = kDefaultPoll);
  ~PgFactsGenerationStore() override;  // stops the poller

  // Errors: kInternal until the number could be read once from the database.
  Result<int64_t> ResourceFactsGeneration() override;

 private:
  // The highest number seen; -1 before the first. Shared with the writer's probe, which may
  // outlive this object.
  using Known = std::atomic<int64_t>;
  static void Raise(Known& known, int64_t value);
  void Poll();

  PgPool& reads_;
  std::shared_ptr<Known> known_;
  std::jthread poller_;  // last: starts after every other member is ready
};

}  // namespace openpca::store

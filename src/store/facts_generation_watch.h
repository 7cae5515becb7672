// FactsGenerationWatch: a FactsGenerationStore answered from memory rather than by a read per
// call. The number reaches it two ways: the database writer of this server reads it at the end
// of every write transaction and reports it once the transaction has committed, before the
// writer's callers are woken (SqliteWriter / PgWriter::SetCommitProbe), so a write made through
// this server is seen by its very next call; and a poller reads it every `poll` interval, so a
// write made by any other writer of the database (another server on PostgreSQL, an `openpca`
// command on the same SQLite file) is seen within that interval: the documented bound
// (docs/operations.md). MakeSqliteFactsGeneration and MakePgFactsGeneration
// (store/sqlite/sqlite_facts_generation_store.h, store/postgres/pg_facts_generation_store.h) wire
// it to a store. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "common/periodic.h"
#include "store/facts_generation_store.h"

namespace openpca::store {

class FactsGenerationWatch final : public FactsGenerationStore {
 public:
  static constexpr std::chrono::milliseconds kDefaultPoll{100};

  // Reads the database's number now through `read`, then every `poll`.
  using Read = std::function<Result<int64_t>()>;
  FactsGenerationWatch(Read read, std::chrono::milliseconds poll);
  ~FactsGenerationWatch() override = default;  // stops the poller
  FactsGenerationWatch(const FactsGenerationWatch&) = delete;
  FactsGenerationWatch& operator=(const FactsGenerationWatch&) = delete;

  // What a writer's commit probe calls with the number it read; it may outlive this object.
  std::function<void(int64_t)> Reporter() const;

  // Errors: kInternal until the number could be read once.
  Result<int64_t> ResourceFactsGeneration() override;

 private:
  // The highest number seen; -1 before the first.
  using Known = std::atomic<int64_t>;
  static void Raise(Known& known, int64_t value);
  void Poll();

  Read read_;
  std::shared_ptr<Known> known_;
  Periodic poller_;  // last: starts after every other member is ready
};

}  // namespace openpca::store

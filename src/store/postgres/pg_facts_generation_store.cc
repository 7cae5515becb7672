#include "store/postgres/pg_facts_generation_store.h"

#include <condition_variable>
#include <mutex>

namespace openpca::store {
namespace {

constexpr char kSelectGeneration[] = "SELECT value FROM resource_facts_generation WHERE id = 1";

}  // namespace

PgFactsGenerationStore::PgFactsGenerationStore(PgStore& db, std::chrono::milliseconds poll)
    : reads_(db.read_pool()), known_(std::make_shared<Known>(-1)) {
  db.writer().SetCommitProbe(kSelectGeneration, [known = known_](const PgResult& rows) {
    if (rows.rows() == 1) Raise(*known, rows.Int64(0, 0));
  });
  Poll();
  poller_ = std::jthread([this, poll](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    std::unique_lock lock(mu);
    while (!wake.wait_for(lock, stop, poll, [] { return false; })) {
      if (stop.stop_requested()) return;
      Poll();
    }
  });
}

PgFactsGenerationStore::~PgFactsGenerationStore() {
  poller_.request_stop();
  if (poller_.joinable()) poller_.join();
}

void PgFactsGenerationStore::Raise(Known& known, int64_t value) {
  int64_t seen = known.load(std::memory_order_acquire);
  while (value > seen && !known.compare_exchange_weak(seen, value, std::memory_order_acq_rel)) {
  }
}

void PgFactsGenerationStore::Poll() {
  Result<int64_t> value = WithPgReader(reads_, [](PgConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(kSelectGeneration));
    if (rows.rows() != 1) return InternalError("resource_facts_generation has no row");
    return rows.Int64(0, 0);
  });
  // A failed read changes nothing: the next poll tries again.
  if (value.ok()) Raise(*known_, *value);
}

Result<int64_t> PgFactsGenerationStore::ResourceFactsGeneration() {
  int64_t known = known_->load(std::memory_order_acquire);
  if (known < 0) return InternalError("the resource-facts generation could not be read yet");
  return known;
}

}  // namespace openpca::store

// PgWriter: the writer of a PgStore, committing concurrent writes together.
//
// Owns one connection and one thread. A caller hands a write job to Run() and blocks until the
// transaction containing it has committed or failed. The thread takes everything queued (at most
// max_batch jobs) and runs them in one transaction with each job inside its own SAVEPOINT, so a
// failing job is undone alone; then it commits and wakes every caller with its own status: one
// WAL flush serves the whole batch (group commit). The session runs with synchronous_commit on,
// so a write returns only once the server has made it durable.
//
// Other servers may write the same database at once: jobs rely on row locks and constraints
// (ON CONFLICT, conditional UPDATEs), never on being the only writer. A batch holding a job that
// appends to the event history (kAppendsEvents, or a call's final record) first takes the
// event-history advisory lock (pg_call_record.h), so seq is committed in order across servers.
// When the connection is lost the batch in flight fails with kInternal, and the next batch
// reconnects first.
//
// Thread-safe. The destructor runs every job already queued, then joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "common/status.h"
#include "metrics/histogram.h"
#include "store/postgres/pg_connection.h"

namespace openpca::store {

class PgWriter {
 public:
  // A write: runs on the writer thread inside an open transaction and savepoint. OK keeps its
  // effects; an error undoes them (and only them). It must not begin or end transactions. It may
  // refer to the caller's data, since the caller waits until it has run.
  using Job = std::function<Status(PgConnection&)>;

  // What a job writes, as far as the writer must know.
  enum class JobKind {
    kPlain,
    // Inserts into event_history: the batch takes the event-history lock before any job runs.
    kAppendsEvents,
  };

  // The session settings of a writer connection.
  static constexpr std::string_view kSessionSql = "SET synchronous_commit = on";

  // `conn` was opened from `conninfo` with kSessionSql; `conninfo` serves reconnections.
  // WARNING: `conninfo` may hold a password; it is kept in memory only, never logged.
  PgWriter(std::string conninfo, std::unique_ptr<PgConnection> conn, int max_batch);
  ~PgWriter();
  PgWriter(const PgWriter&) = delete;
  PgWriter& operator=(const PgWriter&) = delete;

  // Runs `job` in the next batch and returns once that batch has committed or failed: the job's
  // own error, or kInternal when the transaction as a whole failed. Under a CallRecordScope whose
  // record is not yet written, the job also inserts that record in its savepoint: pending, or
  // final when the record says the write is the call's outcome (CallRecord::final_on_write).
  Status Run(const Job& job, JobKind kind = JobKind::kPlain);

  // Transactions committed so far.
  int64_t commit_count() const;
  // Jobs waiting for the next batch.
  size_t queue_depth() const;
  // Observes the size of every batch from now on (null: none). `h` must outlive the writer.
  void SetBatchSizeHistogram(metrics::Histogram* h) {
    batch_sizes_.store(h, std::memory_order_release);
  }

 private:
  struct Pending;

  Status Enqueue(const Job& job, JobKind kind);
  void Loop();
  void RunBatch(std::span<Pending* const> batch);
  // Opens the transaction, first replacing a connection the server has closed.
  Status Begin();
  // Runs one job in a savepoint. Sets *broken when the savepoint itself could not be managed,
  // after which the transaction's state is unknown and it must be rolled back.
  Status RunInSavepoint(const Job& job, bool* broken);

  const std::string conninfo_;
  std::unique_ptr<PgConnection> conn_;  // used by the writer thread only; null while lost
  const size_t max_batch_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_; entries live on their callers' stacks
  bool stopping_ = false;       // guarded by mu_
  int64_t commits_ = 0;         // guarded by mu_
  std::atomic<metrics::Histogram*> batch_sizes_{nullptr};

  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace openpca::store

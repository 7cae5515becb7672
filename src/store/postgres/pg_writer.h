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
// Pipelined pass: when every job of a batch is kPipelinable, the batch is first run without
// savepoints and without waiting for each statement's answer (libpq pipeline mode): each job runs
// as a fiber (ucontext, a 256 KiB stack of its own) on the writer thread, and a statement it
// issues suspends it; the writer sends the statements of all suspended jobs together, asks for
// their results once, and resumes each job with its answer. A batch of n jobs of k statements
// costs about k round trips instead of n * (k + 1). The pass commits only when every statement
// and every job succeeded, so each job's effects are then exactly those of the savepoint path.
// Otherwise (a statement failed, or a job returned an error, e.g. a serial or an idempotency
// token already taken) the transaction is rolled back and the whole batch runs again on the
// savepoint path above, which decides each job's own outcome: a failing job is undone alone. A
// lost connection during the pass fails the batch with kInternal, as on the savepoint path.
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
#include <vector>

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

  // Whether a job may run in a pipelined pass (see above). kPipelinable promises that the job
  // (1) uses only Exec()/Run() of plain statements and reads nothing from the writer's state,
  // (2) may be suspended at each statement while other jobs of the batch run, its statements
  // interleaved with theirs in one transaction, with the same effects as if run alone, and
  // (3) may run twice (the first run's effects rolled back): what it hands back to its caller
  // is assigned, not accumulated, and read only when it returns OK. It runs on the writer
  // thread either way, on a 256 KiB stack in a pass.
  enum class Pipelining {
    kSequential,
    kPipelinable,
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
  Status Run(const Job& job, JobKind kind = JobKind::kPlain,
             Pipelining pipelining = Pipelining::kSequential);

  // Transactions committed so far.
  int64_t commit_count() const;
  // Of those, committed by a pipelined pass.
  int64_t pipelined_commit_count() const;
  // Pipelined passes rolled back so that their batch ran again on the savepoint path.
  int64_t pipeline_fallback_count() const;
  // Jobs waiting for the next batch.
  size_t queue_depth() const;
  // A statement run at the end of every write transaction, just before its COMMIT (in the same
  // round trip on a pipelined pass), and a function handed its answer once that transaction has
  // committed: on the writer thread, before any caller of the batch is woken. It gives what a
  // caller must see as soon as its own write returns (the resource-facts generation). The
  // statement must succeed in any healthy transaction (its failure fails the batch); `on_commit`
  // must be quick and must not call the writer. Applies from the next batch on.
  using CommitProbe = std::function<void(const PgResult&)>;
  void SetCommitProbe(std::string sql, CommitProbe on_commit);

  // Observes the size of every batch from now on (null: none). `h` must outlive the writer.
  void SetBatchSizeHistogram(metrics::Histogram* h) {
    batch_sizes_.store(h, std::memory_order_release);
  }

 private:
  struct Pending;
  class FiberStack;
  class Pass;

  // How a pipelined pass ended.
  enum class PassEnd {
    kCommitted,   // every job succeeded and the transaction committed
    kRolledBack,  // rolled back on a healthy connection: run the batch on the savepoint path
    kFailed,      // the transaction failed as a whole (*txn): the batch fails
  };

  Status Enqueue(const Job& job, JobKind kind, Pipelining pipelining);
  void Loop();
  void RunBatch(std::span<Pending* const> batch);
  // The savepoint path: each job on the writer thread in its own savepoint. Sets every result.
  void RunWithSavepoints(std::span<Pending* const> batch, bool lock_events);
  // The pipelined pass; sets every result unless it returns kRolledBack.
  PassEnd RunPipelined(std::span<Pending* const> batch, bool lock_events);
  // Hands each job its result and wakes its caller.
  static void Finish(Pending* pending, Status result);
  // Opens the transaction, first replacing a connection the server has closed.
  Status Begin();
  // Runs one job in a savepoint. Sets *broken when the savepoint itself could not be managed,
  // after which the transaction's state is unknown and it must be rolled back.
  // `more`: another job follows (its savepoint is opened in the same round trip).
  Status RunInSavepoint(const Job& job, bool more, bool* broken);

  const std::string conninfo_;
  std::unique_ptr<PgConnection> conn_;  // used by the writer thread only; null while lost
  // Stacks of the jobs of a pipelined pass, as many as the largest pass so far (writer thread).
  std::vector<std::unique_ptr<FiberStack>> stacks_;
  const size_t max_batch_;
  struct Probe {
    std::string sql;
    CommitProbe on_commit;
  };
  std::shared_ptr<const Probe> next_probe_;  // guarded by mu_
  std::shared_ptr<const Probe> probe_;       // the current batch's (writer thread)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;     // guarded by mu_; entries live on their callers' stacks
  bool stopping_ = false;          // guarded by mu_
  int64_t commits_ = 0;            // guarded by mu_
  int64_t pipelined_commits_ = 0;  // guarded by mu_
  int64_t fallbacks_ = 0;          // guarded by mu_
  std::atomic<metrics::Histogram*> batch_sizes_{nullptr};

  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace openpca::store

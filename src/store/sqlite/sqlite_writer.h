// SqliteWriter: the single writer of a SqliteStore, committing concurrent writes together.
//
// Owns the write connection and one thread. A caller hands a write job to Run() and blocks until
// the transaction containing it has committed (durable under synchronous=FULL) or failed. The
// thread takes everything queued (at most max_batch jobs), runs them in one
// BEGIN IMMEDIATE ... COMMIT with each job inside its own SAVEPOINT, so a failing job is undone
// alone, then wakes every caller with its own status: one sync serves the whole batch (group
// commit). A batch forms naturally from the callers that arrived while the previous one ran; there
// is no artificial delay.
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
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

class SqliteWriter {
 public:
  // A write: runs on the writer thread inside an open transaction and savepoint. OK keeps its
  // effects; an error undoes them (and only them). It must not begin or end transactions. It may
  // refer to the caller's data, since the caller waits until it has run.
  using Job = std::function<Status(SqliteConnection&)>;

  SqliteWriter(std::unique_ptr<SqliteConnection> conn, int max_batch);
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Runs `job` in the next batch and returns once that batch has committed or failed: the job's
  // own error, or kInternal when the transaction as a whole failed. Under a CallRecordScope whose
  // record is not yet written, the job also inserts that record (pending) in its savepoint.
  Status Run(const Job& job);

  // Transactions committed so far.
  int64_t commit_count() const;
  // Jobs waiting for the next batch.
  size_t queue_depth() const;
  // Observes the size of every batch from now on (null: none). `h` must outlive the writer.
  void SetBatchSizeHistogram(metrics::Histogram* h) {
    batch_sizes_.store(h, std::memory_order_release);
  }

  // A query run at the end of every write transaction, just before its COMMIT, whose first
  // column (an integer) is handed to `on_commit` once that transaction has committed: on the
  // writer thread, before any caller of the batch is woken. It gives what a caller must see as
  // soon as its own write returns (the resource-facts generation). The query must succeed in any
  // healthy transaction (its failure fails the batch); `on_commit` must be quick and must not
  // call the writer. Applies from the next batch on.
  using CommitProbe = std::function<void(int64_t)>;
  void SetCommitProbe(std::string sql, CommitProbe on_commit);

  // Tests only: while paused the thread starts no batch, so callers accumulate in the queue.
  void PauseForTesting();
  void ResumeForTesting();
  size_t QueuedForTesting() const;

 private:
  struct Pending;

  Status Enqueue(const Job& job);
  void Loop();
  void RunBatch(std::span<Pending* const> batch);
  // Runs one job in a savepoint. Sets *broken when the savepoint itself could not be managed,
  // after which the transaction's state is unknown and it must be rolled back.
  Status RunInSavepoint(const Job& job, bool* broken);

  std::unique_ptr<SqliteConnection> conn_;  // used by the writer thread only
  const size_t max_batch_;
  struct Probe {
    std::string sql;
    CommitProbe on_commit;
  };
  std::shared_ptr<const Probe> next_probe_;  // guarded by mu_
  std::shared_ptr<const Probe> probe_;       // the current batch's (writer thread)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_; entries live on their callers' stacks
  bool stopping_ = false;       // guarded by mu_
  bool paused_ = false;         // guarded by mu_
  int64_t commits_ = 0;         // guarded by mu_
  std::atomic<metrics::Histogram*> batch_sizes_{nullptr};

  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace openpca::store

#include "store/sqlite/sqlite_writer.h"

#include <future>
#include <optional>
#include <utility>
#include <vector>

#include "common/thread_name.h"
#include "store/call_record.h"
#include "store/sqlite/sqlite_trail_store.h"

namespace openpca::store {

struct SqliteWriter::Pending {
  const Job* job;
  std::promise<Status> done;
};

SqliteWriter::SqliteWriter(std::unique_ptr<SqliteConnection> conn, int max_batch)
    : conn_(std::move(conn)),
      max_batch_(max_batch > 0 ? static_cast<size_t>(max_batch) : 1),
      thread_([this] { Loop(); }) {}

SqliteWriter::~SqliteWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status SqliteWriter::Run(const Job& job) {
  // A write of an API call carries the call's record (store/call_record.h): the first one commits
  // it as pending in the job's own savepoint, so the change and its record commit or fail together.
  CallRecord* record = CallRecordScope::Current();
  if (record == nullptr || record->written()) return Enqueue(job);
  bool inserted = false;
  if (record->final_on_write()) {
    // The commit of this write is the call's outcome: its final rows join it (call_record.h).
    const std::vector<StoredEvent> rows = record->FinalRows();  // on the caller's thread
    const Job with_final = [&](SqliteConnection& conn) -> Status {
      RETURN_IF_ERROR(job(conn));
      RETURN_IF_ERROR(InsertFinalCallRecord(conn, rows));
      inserted = true;
      return Status::Ok();
    };
    Status status = Enqueue(with_final);
    if (status.ok() && inserted) record->MarkWritten(/*final_rows=*/true);
    return status;
  }
  const PendingEvents& pending = record->pending();  // materialized here, on the caller's thread
  const Job with_record = [&](SqliteConnection& conn) -> Status {
    RETURN_IF_ERROR(job(conn));
    RETURN_IF_ERROR(InsertPendingCallRecord(conn, pending));
    inserted = true;
    return Status::Ok();
  };
  Status status = Enqueue(with_record);
  if (status.ok() && inserted) record->MarkWritten();
  return status;
}

Status SqliteWriter::Enqueue(const Job& job) {
  Pending pending{&job, {}};
  std::future<Status> result = pending.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return InternalError("store is closing");
    // The writer sleeps only on an empty queue (or a test pause, which Resume ends), so only the
    // first job needs to wake it. Notifying under the lock keeps cv_ alive for the call even
    // when the destructor starts as soon as this job is queued.
    if (queue_.empty()) cv_.notify_one();
    queue_.push_back(&pending);
  }
  return result.get();
}

int64_t SqliteWriter::commit_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return commits_;
}

void SqliteWriter::PauseForTesting() {
  std::lock_guard<std::mutex> lock(mu_);
  paused_ = true;
}

void SqliteWriter::ResumeForTesting() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = false;
  }
  cv_.notify_all();
}

size_t SqliteWriter::QueuedForTesting() const { return queue_depth(); }

size_t SqliteWriter::queue_depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

namespace {

Result<int64_t> ReadProbe(SqliteConnection& conn, const std::string& sql) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return InternalError("sqlite: the commit probe returned no row");
  return stmt.ColumnInt64(0);
}

}  // namespace

void SqliteWriter::SetCommitProbe(std::string sql, CommitProbe on_commit) {
  auto probe = std::make_shared<const Probe>(Probe{std::move(sql), std::move(on_commit)});
  std::lock_guard<std::mutex> lock(mu_);
  next_probe_ = std::move(probe);
}

void SqliteWriter::Loop() {
  NameThisThread("sqlite-writer");
  std::vector<Pending*> batch;
  batch.reserve(max_batch_);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Stopping overrides a test pause: the queue is always drained.
      cv_.wait(lock, [&] { return stopping_ || (!paused_ && !queue_.empty()); });
      if (queue_.empty()) return;  // stopping, nothing left
      probe_ = next_probe_;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    if (metrics::Histogram* h = batch_sizes_.load(std::memory_order_acquire)) {
      h->Observe(static_cast<double>(batch.size()));
    }
    RunBatch(batch);
    batch.clear();
  }
}

Status SqliteWriter::RunInSavepoint(const Job& job, bool* broken) {
  Status status = conn_->Execute("SAVEPOINT job");
  if (!status.ok()) {
    *broken = true;
    return status;
  }
  status = job(*conn_);
  if (!status.ok()) {
    Status undo = conn_->Execute("ROLLBACK TO job");
    if (!undo.ok()) *broken = true;
  }
  Status release = conn_->Execute("RELEASE job");
  if (!release.ok()) *broken = true;
  return status.ok() ? release : status;
}

void SqliteWriter::RunBatch(std::span<Pending* const> batch) {
  std::vector<Status> results(batch.size());
  size_t ran = 0;
  Status txn = conn_->Execute("BEGIN IMMEDIATE");
  if (txn.ok()) {
    for (; ran < batch.size(); ++ran) {
      bool broken = false;
      results[ran] = RunInSavepoint(*batch[ran]->job, &broken);
      // sqlite rolls the whole transaction back by itself on some errors (I/O, disk full).
      if (broken || conn_->autocommit()) {
        txn = results[ran].ok() ? InternalError("sqlite: write transaction aborted") : results[ran];
        ++ran;
        break;
      }
    }
    std::optional<int64_t> probed;
    if (txn.ok() && probe_) {
      Result<int64_t> value = ReadProbe(*conn_, probe_->sql);
      if (value.ok()) {
        probed = *value;
      } else {
        txn = value.status();
      }
    }
    if (txn.ok()) txn = conn_->Execute("COMMIT");
    if (txn.ok() && probed.has_value()) probe_->on_commit(*probed);
    if (!txn.ok() && !conn_->autocommit()) {
      // Best effort: the batch already fails with `txn`.
      (void)conn_->Execute("ROLLBACK");
    }
  }
  if (txn.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++commits_;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    // A job that failed on its own keeps its error; the others share the transaction's fate.
    bool own_error = i < ran && !results[i].ok();
    batch[i]->done.set_value(own_error || txn.ok() ? std::move(results[i]) : txn);
  }
}

}  // namespace openpca::store

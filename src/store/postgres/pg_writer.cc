#include "store/postgres/pg_writer.h"

#include <algorithm>
#include <future>
#include <utility>
#include <vector>

#include "store/call_record.h"
#include "store/postgres/pg_call_record.h"

namespace openpca::store {

struct PgWriter::Pending {
  const Job* job;
  JobKind kind;
  std::promise<Status> done;
};

PgWriter::PgWriter(std::string conninfo, std::unique_ptr<PgConnection> conn, int max_batch)
    : conninfo_(std::move(conninfo)),
      conn_(std::move(conn)),
      max_batch_(max_batch > 0 ? static_cast<size_t>(max_batch) : 1),
      thread_([this] { Loop(); }) {}

PgWriter::~PgWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status PgWriter::Run(const Job& job, JobKind kind) {
  // A write of an API call carries the call's record (store/call_record.h): the first one commits
  // it as pending in the job's own savepoint, so the change and its record commit or fail together.
  CallRecord* record = CallRecordScope::Current();
  if (record == nullptr || record->written()) return Enqueue(job, kind);
  bool inserted = false;
  if (record->final_on_write()) {
    // The commit of this write is the call's outcome: its final rows join it (call_record.h).
    const std::vector<StoredEvent> rows = record->FinalRows();  // on the caller's thread
    const Job with_final = [&](PgConnection& conn) -> Status {
      RETURN_IF_ERROR(job(conn));
      RETURN_IF_ERROR(InsertFinalCallRecord(conn, rows));
      inserted = true;
      return Status::Ok();
    };
    Status status = Enqueue(with_final, JobKind::kAppendsEvents);
    if (status.ok() && inserted) record->MarkWritten(/*final_rows=*/true);
    return status;
  }
  const PendingEvents& pending = record->pending();  // materialized here, on the caller's thread
  const Job with_record = [&](PgConnection& conn) -> Status {
    RETURN_IF_ERROR(job(conn));
    RETURN_IF_ERROR(InsertPendingCallRecord(conn, pending));
    inserted = true;
    return Status::Ok();
  };
  Status status = Enqueue(with_record, kind);
  if (status.ok() && inserted) record->MarkWritten();
  return status;
}

Status PgWriter::Enqueue(const Job& job, JobKind kind) {
  Pending pending{&job, kind, {}};
  std::future<Status> result = pending.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return InternalError("store is closing");
    // The writer sleeps only on an empty queue, so only the first job needs to wake it. Notifying
    // under the lock keeps cv_ alive for the call even when the destructor starts as soon as this
    // job is queued.
    if (queue_.empty()) cv_.notify_one();
    queue_.push_back(&pending);
  }
  return result.get();
}

int64_t PgWriter::commit_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return commits_;
}

size_t PgWriter::queue_depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void PgWriter::Loop() {
  std::vector<Pending*> batch;
  batch.reserve(max_batch_);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
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

Status PgWriter::Begin() {
  // Nothing of the batch has run yet, so a lost connection is replaced and BEGIN retried once:
  // a server restart or a terminated session costs no write.
  for (int attempt = 0;; ++attempt) {
    if (conn_ == nullptr || !conn_->LooksHealthy()) {
      conn_.reset();
      Result<std::unique_ptr<PgConnection>> fresh = PgConnection::Connect(conninfo_, kSessionSql);
      if (!fresh.ok()) return fresh.status();
      conn_ = std::move(fresh).value();
    }
    Status begun = conn_->Run("BEGIN");
    if (begun.ok() || !conn_->broken() || attempt > 0) return begun;
    conn_.reset();
  }
}

Status PgWriter::RunInSavepoint(const Job& job, bool* broken) {
  Status status = conn_->Run("SAVEPOINT job");
  if (!status.ok()) {
    *broken = true;
    return status;
  }
  status = job(*conn_);
  if (!status.ok()) {
    // The job may have failed in the client (no SQL error) or in the server, which then refuses
    // every statement until the savepoint is rolled back: undo either way.
    Status undo = conn_->Run("ROLLBACK TO SAVEPOINT job");
    if (!undo.ok()) *broken = true;
  }
  Status release = conn_->Run("RELEASE SAVEPOINT job");
  if (!release.ok()) *broken = true;
  return status.ok() ? release : status;
}

void PgWriter::RunBatch(std::span<Pending* const> batch) {
  std::vector<Status> results(batch.size());
  size_t ran = 0;
  Status txn = Begin();
  if (txn.ok() && std::any_of(batch.begin(), batch.end(), [](const Pending* p) {
        return p->kind == JobKind::kAppendsEvents;
      })) {
    // Before any job, so it is the first lock of the transaction (pg_call_record.h), and outside
    // the savepoints, so a job that fails cannot release it.
    txn = LockPgEventHistory(*conn_);
    if (!txn.ok() && !conn_->broken()) (void)conn_->Run("ROLLBACK");  // best effort
  }
  if (txn.ok()) {
    for (; ran < batch.size(); ++ran) {
      bool broken = false;
      results[ran] = RunInSavepoint(*batch[ran]->job, &broken);
      if (broken || conn_->transaction_status() != PQTRANS_INTRANS) {
        txn =
            results[ran].ok() ? InternalError("postgres: write transaction aborted") : results[ran];
        ++ran;
        break;
      }
    }
    if (txn.ok()) {
      // The transaction is open and not failed (checked after every job): COMMIT commits it or
      // fails. PostgreSQL would answer COMMIT of a failed transaction with a silent ROLLBACK.
      Result<PgResult> commit = conn_->Exec("COMMIT");
      if (!commit.ok()) {
        txn = conn_->broken()
                  ? InternalError("postgres: connection lost during COMMIT, outcome unknown: " +
                                  commit.status().message())
                  : commit.status();
      }
    }
    if (!txn.ok() && conn_ != nullptr && !conn_->broken() &&
        conn_->transaction_status() != PQTRANS_IDLE) {
      // Best effort: the batch already fails with `txn`.
      (void)conn_->Run("ROLLBACK");
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

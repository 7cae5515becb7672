#include "store/postgres/pg_writer.h"

#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <optional>
#include <utility>
#include <vector>

#include "common/thread_name.h"
#include "store/call_record.h"
#include "store/postgres/pg_call_record.h"

namespace openpca::store {

struct PgWriter::Pending {
  Pending(const Job* j, JobKind k, Pipelining p) : job(j), kind(k), pipelining(p) {}

  const Job* job;
  const JobKind kind;
  const Pipelining pipelining;
  std::promise<Status> done;
};

// The stack of one job of a pipelined pass: mapped on first use, a guard page below it, kept by
// the writer for the next passes.
class PgWriter::FiberStack {
 public:
  static constexpr size_t kSize = 256 * 1024;

  static std::unique_ptr<FiberStack> Make() {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* base = mmap(nullptr, kSize + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    // Out of address space is as fatal here as a failed allocation anywhere else.
    OPENPCA_CHECK(base != MAP_FAILED);
    OPENPCA_CHECK(mprotect(base, page, PROT_NONE) == 0);  // an overflow faults, never corrupts
    return std::unique_ptr<FiberStack>(new FiberStack(base, kSize + page, page));
  }
  ~FiberStack() { munmap(base_, size_); }
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;

  void* top_area() const { return static_cast<char*>(base_) + guard_; }
  size_t usable() const { return size_ - guard_; }

 private:
  FiberStack(void* base, size_t size, size_t guard) : base_(base), size_(size), guard_(guard) {}
  void* base_;
  size_t size_;
  size_t guard_;
};

namespace {

// getcontext() in a function of its own: it "returns twice" to the compiler, which would assume
// any local of its caller clobbered. The context is only a template for makecontext(): nothing
// ever resumes it.
[[gnu::noinline]] void CaptureContext(ucontext_t* context) {
  OPENPCA_CHECK(getcontext(context) == 0);
}

}  // namespace

// One pipelined pass over a batch (see the header), on the writer thread. Each job runs as a
// fiber (ucontext) on a stack of its own: a statement it issues switches back to the writer,
// which resumes it with the answer once the statements of every waiting job have been sent
// together and answered (a round). Only the writer thread ever runs a job, as on the savepoint
// path; the fibers only interleave them.
class PgWriter::Pass {
 public:
  Pass(std::span<Pending* const> batch, std::vector<std::unique_ptr<FiberStack>>& stacks)
      : fibers_(batch.size()) {
    while (stacks.size() < batch.size()) stacks.push_back(FiberStack::Make());
    for (size_t i = 0; i < batch.size(); ++i) {
      Fiber& f = fibers_[i];
      f.pass = this;
      f.job = batch[i]->job;
      f.view = PgConnection::ForChannel(&f);
      CaptureContext(&f.context);
      f.context.uc_stack.ss_sp = stacks[i]->top_area();
      f.context.uc_stack.ss_size = stacks[i]->usable();
      f.context.uc_link = &writer_;  // a finished job switches back to the writer
      const uintptr_t self = reinterpret_cast<uintptr_t>(&f);
      makecontext(&f.context, reinterpret_cast<void (*)()>(&Pass::Main), 2,
                  static_cast<unsigned>(self >> 32), static_cast<unsigned>(self & 0xffffffffu));
    }
  }

  // Runs every job that is neither waiting for an answer nor finished until it asks or ends,
  // then returns the jobs waiting for an answer (in batch order) in *asked; false when all have
  // finished.
  bool NextRound(std::vector<size_t>* asked) {
    asked->clear();
    for (size_t i = 0; i < fibers_.size(); ++i) {
      Fiber& f = fibers_[i];
      if (!f.finished && !f.asked) {
        OPENPCA_CHECK(swapcontext(&writer_, &f.context) == 0);
        if (f.finished && !f.status.ok()) abandoned_ = true;
      }
      if (f.asked) asked->push_back(i);
    }
    return !asked->empty();
  }

  std::string_view sql(size_t job) const { return fibers_[job].sql; }
  const PgParams& params(size_t job) const { return *fibers_[job].params; }

  // Hands the round's answers to their jobs (they run at the next NextRound()).
  void Answer(const std::vector<size_t>& asked, std::vector<std::optional<Result<PgResult>>>& out) {
    for (size_t i = 0; i < asked.size(); ++i) {
      Fiber& f = fibers_[asked[i]];
      if (!out[i]->ok()) abandoned_ = true;
      f.answer = std::move(out[i]);
      f.asked = false;
    }
  }

  // A statement or a job failed: the pass will be rolled back.
  bool abandoned() const { return abandoned_; }

 private:
  struct Fiber final : PgStatementChannel {
    // In the job: hands the statement to the writer and waits for its answer.
    Result<PgResult> Exec(std::string_view statement, const PgParams& values) override {
      // The pass will be rolled back: the job need not go on.
      if (pass->abandoned_) return InternalError("postgres: pipelined pass abandoned");
      sql = statement;
      params = &values;
      asked = true;
      OPENPCA_CHECK(swapcontext(&context, &pass->writer_) == 0);
      Result<PgResult> result = std::move(*answer);
      answer.reset();
      return result;
    }

    Pass* pass = nullptr;
    const Job* job = nullptr;
    std::unique_ptr<PgConnection> view;  // the job's connection: statements go through Exec()
    ucontext_t context;
    std::string_view sql;
    const PgParams* params = nullptr;
    bool asked = false;
    std::optional<Result<PgResult>> answer;
    bool finished = false;
    Status status;
  };

  // A fiber's entry point; makecontext passes the Fiber's address as two 32-bit halves.
  static void Main(unsigned high, unsigned low) {
    Fiber* f = reinterpret_cast<Fiber*>(static_cast<uintptr_t>(high) << 32 | low);
    f->status = (*f->job)(*f->view);
    f->finished = true;
    // Returning switches to uc_link, the writer.
  }

  std::vector<Fiber> fibers_;
  ucontext_t writer_;
  bool abandoned_ = false;
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

Status PgWriter::Run(const Job& job, JobKind kind, Pipelining pipelining) {
  // A write of an API call carries the call's record (store/call_record.h): the first one commits
  // it as pending in the job's own savepoint, so the change and its record commit or fail together.
  CallRecord* record = CallRecordScope::Current();
  if (record == nullptr || record->written()) return Enqueue(job, kind, pipelining);
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
    // The record's inserts keep a pipelinable job pipelinable: `inserted` is assigned only after
    // they succeeded, and read only when the job's status is OK.
    Status status = Enqueue(with_final, JobKind::kAppendsEvents, pipelining);
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
  Status status = Enqueue(with_record, kind, pipelining);
  if (status.ok() && inserted) record->MarkWritten();
  return status;
}

Status PgWriter::Enqueue(const Job& job, JobKind kind, Pipelining pipelining) {
  Pending pending(&job, kind, pipelining);
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

void PgWriter::Finish(Pending* pending, Status result) {
  pending->done.set_value(std::move(result));
}

void PgWriter::SetCommitProbe(std::string sql, CommitProbe on_commit) {
  auto probe = std::make_shared<const Probe>(Probe{std::move(sql), std::move(on_commit)});
  std::lock_guard<std::mutex> lock(mu_);
  next_probe_ = std::move(probe);
}

int64_t PgWriter::commit_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return commits_;
}

int64_t PgWriter::pipelined_commit_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pipelined_commits_;
}

int64_t PgWriter::pipeline_fallback_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fallbacks_;
}

size_t PgWriter::queue_depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void PgWriter::Loop() {
  NameThisThread("pg-writer");
  std::vector<Pending*> batch;
  batch.reserve(max_batch_);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
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

Status PgWriter::RunInSavepoint(const Job& job, bool more, bool* broken) {
  // The savepoint is open already (RunBatch opened the first one; each job's end opens the
  // next): closing one and opening the next share one round trip.
  Status status = job(*conn_);
  std::string end = status.ok()
                        ? "RELEASE SAVEPOINT job"
                        // The job may have failed in the client (no SQL error) or in the server,
                        // which then refuses every statement until the savepoint is rolled back:
                        // undo either way.
                        : "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job";
  if (more) end += "; SAVEPOINT job";
  Status closed = conn_->RunScript(end);
  if (!closed.ok()) *broken = true;
  return status.ok() ? closed : status;
}

void PgWriter::RunBatch(std::span<Pending* const> batch) {
  const bool lock_events = std::any_of(batch.begin(), batch.end(), [](const Pending* p) {
    return p->kind == JobKind::kAppendsEvents;
  });
  const bool pipelinable = std::all_of(batch.begin(), batch.end(), [](const Pending* p) {
    return p->pipelining == Pipelining::kPipelinable;
  });
  if (pipelinable) {
    if (RunPipelined(batch, lock_events) != PassEnd::kRolledBack) return;
    std::lock_guard<std::mutex> lock(mu_);
    ++fallbacks_;
  }
  RunWithSavepoints(batch, lock_events);
}

PgWriter::PassEnd PgWriter::RunPipelined(std::span<Pending* const> batch, bool lock_events) {
  auto fail_all = [&](const Status& status) {
    for (Pending* p : batch) Finish(p, status);
    return PassEnd::kFailed;
  };
  Status txn = Begin();
  // First lock of the transaction, as on the savepoint path (pg_call_record.h).
  if (txn.ok() && lock_events) txn = LockPgEventHistory(*conn_);
  if (txn.ok()) txn = conn_->EnterPipeline();
  if (!txn.ok()) {
    if (conn_ != nullptr && !conn_->broken() && conn_->transaction_status() != PQTRANS_IDLE) {
      (void)conn_->Run("ROLLBACK");  // best effort: the batch fails with `txn`
    }
    return fail_all(txn);
  }

  Pass pass(batch, stacks_);
  std::vector<size_t> asked;
  std::vector<std::optional<Result<PgResult>>> answers;
  while (pass.NextRound(&asked)) {
    answers.clear();
    answers.resize(asked.size());
    size_t sent = 0;
    Status round =
        pass.abandoned() ? InternalError("postgres: pipelined pass abandoned") : Status::Ok();
    for (; round.ok() && sent < asked.size(); ++sent) {
      round = conn_->SendInPipeline(pass.sql(asked[sent]), pass.params(asked[sent]));
      if (!round.ok()) break;
    }
    if (sent > 0) {
      Status flushed = conn_->FlushPipeline();
      for (size_t i = 0; i < sent; ++i) {
        answers[i] = flushed.ok() ? conn_->NextPipelineResult() : Result<PgResult>(flushed);
      }
    }
    for (size_t i = sent; i < asked.size(); ++i) answers[i] = Result<PgResult>(round);
    pass.Answer(asked, answers);
  }

  // Every job has finished. Commit only when every statement and every job succeeded.
  const bool commit = !pass.abandoned();
  Result<PgResult> committed = InternalError("postgres: not committed");
  Result<PgResult> probed = InternalError("postgres: no commit probe");
  if (commit) {
    Status sent = Status::Ok();
    if (probe_) sent = conn_->SendInPipeline(probe_->sql, PgParams());
    if (sent.ok()) sent = conn_->SendInPipeline("COMMIT", PgParams());
    if (sent.ok()) sent = conn_->SyncPipeline();
    if (sent.ok() && probe_) probed = conn_->NextPipelineResult();
    committed = sent.ok() ? conn_->NextPipelineResult() : Result<PgResult>(sent);
    // A failed probe aborts the pipeline: its COMMIT is skipped, and rolled back below.
    if (committed.ok() && probe_ && !probed.ok()) committed = probed.status();
  }
  Status ended = conn_->EndPipeline();
  // A connection whose pipeline could not be closed is not used again: the next batch reconnects.
  const bool lost = !ended.ok() || conn_->broken();
  if (commit) {
    Status status = committed.status();
    if (!committed.ok() && lost) {
      status = InternalError("postgres: connection lost during COMMIT, outcome unknown: " +
                             committed.status().message());
    }
    if (lost) conn_.reset();
    if (!status.ok() && conn_ != nullptr && conn_->transaction_status() != PQTRANS_IDLE) {
      (void)conn_->Run("ROLLBACK");  // best effort: the batch fails with `status`
    }
    if (!status.ok()) return fail_all(status);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++commits_;
      ++pipelined_commits_;
    }
    if (probe_) probe_->on_commit(*probed);
    for (Pending* p : batch) Finish(p, Status::Ok());
    return PassEnd::kCommitted;
  }
  if (lost) {
    // Nothing committed (no COMMIT was sent); the next batch reconnects.
    conn_.reset();
    return fail_all(InternalError("postgres: write transaction aborted: " +
                                  (ended.ok() ? std::string("connection lost") : ended.message())));
  }
  Status rolled_back = conn_->Run("ROLLBACK");
  if (!rolled_back.ok()) return fail_all(rolled_back);
  return PassEnd::kRolledBack;
}

void PgWriter::RunWithSavepoints(std::span<Pending* const> batch, bool lock_events) {
  std::vector<Status> results(batch.size());
  size_t ran = 0;
  Result<PgResult> probed = InternalError("postgres: no commit probe");
  Status txn = Begin();
  if (txn.ok() && lock_events) {
    // Before any job, so it is the first lock of the transaction (pg_call_record.h), and outside
    // the savepoints, so a job that fails cannot release it.
    txn = LockPgEventHistory(*conn_);
    if (!txn.ok() && !conn_->broken()) (void)conn_->Run("ROLLBACK");  // best effort
  }
  if (txn.ok()) {
    txn = conn_->Run("SAVEPOINT job");
    if (!txn.ok() && !conn_->broken()) (void)conn_->Run("ROLLBACK");  // best effort
  }
  if (txn.ok()) {
    for (; ran < batch.size(); ++ran) {
      bool broken = false;
      results[ran] = RunInSavepoint(*batch[ran]->job, ran + 1 < batch.size(), &broken);
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
      if (probe_) {
        probed = conn_->Exec(probe_->sql);
        if (!probed.ok()) txn = probed.status();
      }
    }
    if (txn.ok()) {
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
  if (txn.ok() && probe_) probe_->on_commit(*probed);
  for (size_t i = 0; i < batch.size(); ++i) {
    // A job that failed on its own keeps its error; the others share the transaction's fate.
    bool own_error = i < ran && !results[i].ok();
    Finish(batch[i], own_error || txn.ok() ? std::move(results[i]) : txn);
  }
}

}  // namespace openpca::store

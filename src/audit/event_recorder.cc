#include "audit/event_recorder.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/json_text.h"
#include "common/thread_name.h"

namespace openpca::audit {

EventRecorder::EventRecorder(store::TrailStore& trail, const Clock& clock, Random& random,
                             RecorderOptions options, std::shared_ptr<spdlog::logger> logger)
    : trail_(trail),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      logger_(std::move(logger)) {
  OPENPCA_CHECK(logger_ != nullptr);
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status EventRecorder::Start() {
  OPENPCA_CHECK(!thread_.joinable());
  ASSIGN_OR_RETURN(std::vector<store::PendingEvents> leftovers, trail_.ListPendingEvents());
  std::vector<store::EventCommit> commits;
  for (store::PendingEvents& p : leftovers) {
    nlohmann::json response;
    if (!p.provisional_response.empty()) {
      response = nlohmann::json::parse(p.provisional_response, nullptr, false);
      if (response.is_discarded()) response = nullptr;
    }
    store::EventCommit c;
    c.pending_call_id = p.call_id;
    for (store::StoredEvent& e : p.events) {
      nlohmann::json record = nlohmann::json::parse(e.record_json, nullptr, false);
      if (!record.is_object()) {
        logger_->error("{{\"event\":\"audit_pending_unreadable\",\"call_id\":\"{}\"}}", p.call_id);
        continue;
      }
      // The change committed; the call's answer is unknown. The response the write implied
      // (e.g. the certificate ARN) is recorded when the handler announced it.
      record["responseElements"] = e.read_only ? nlohmann::json() : response;
      record["additionalEventData"] = {{"outcomeRecorded", false}};
      e.record_json = JsonText(record);
      c.events.push_back(std::move(e));
    }
    commits.push_back(std::move(c));
  }
  if (!commits.empty()) {
    RETURN_IF_ERROR(trail_.AppendEvents(commits));
    logger_->warn("{{\"event\":\"audit_pending_recovered\",\"calls\":{}}}", commits.size());
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

std::unique_ptr<EventRecorder::Call> EventRecorder::Begin(CallFacts facts, bool authorized) {
  if (!options_.record_events) return nullptr;
  auto call = std::make_unique<Call>();
  Call* c = call.get();
  // Time-ordered (UUID version 7): the event-id index grows at one end (common/random.h).
  c->event_id_ = NewUuidV7(random_, facts.event_time_ms);
  c->authorized_ = authorized;
  const bool announced = facts.outcome_is_announced_write;
  const int64_t created_at_ms = facts.event_time_ms;
  if (!HasOwnerCopy(facts, authorized)) {
    // One record: on success it is written from the facts (the write that announces it, or
    // End); the drafts are built only if another path needs them.
    c->facts_ = std::move(facts);
  } else {
    c->drafts_ =
        BuildCallRecordsWithEventId(facts, authorized, options_.default_account, c->event_id_,
                                    random_);
    c->drafts_built_ = true;
  }
  store::CallRecord::FinalMaterializer final_rows;
  // Calls whose success is exactly the commit of the write that announces their response
  // (store::CallRecord::SetProvisionalResponse): nothing after that write can fail, so the write
  // commits the final record (store/call_record.h).
  if (announced) {
    // Applies the success to the drafts themselves: should the write fail after all, End()
    // applies the real outcome over it (ApplyOutcome sets every outcome field).
    final_rows = [this, c](const std::string& response_json) {
      CallOutcome success;
      success.response_elements = nlohmann::json::parse(response_json, nullptr, false);
      if (success.response_elements.is_discarded()) success.response_elements = nullptr;
      return OutcomeRows(*c, success);
    };
  }
  call->record_ = std::make_unique<store::CallRecord>(
      c->event_id_, created_at_ms,
      [this, c] {
        std::vector<store::StoredEvent> rows;
        for (const DraftEvent& d : Drafts(*c)) rows.push_back(ToStoredEvent(d));
        return rows;
      },
      std::move(final_rows));
  return call;
}

std::vector<DraftEvent>& EventRecorder::Drafts(Call& call) {
  if (!call.drafts_built_) {
    call.drafts_ = BuildCallRecordsWithEventId(call.facts_, call.authorized_,
                                               options_.default_account, call.event_id_, random_);
    call.drafts_built_ = true;
  }
  return call.drafts_;
}

void EventRecorder::End(std::unique_ptr<Call> call, const CallOutcome& outcome) {
  if (call == nullptr) return;
  if (call->record_->written_final()) {
    // Its final record committed with its write. The write committed, so the change stands;
    // a failure after it would be a bug in the handler's announcement.
    if (!outcome.ok) {
      logger_->error(
          "{{\"event\":\"audit_outcome_after_final_write\",\"call_id\":\"{}\",\"error\":\"{}\"}}",
          call->record_->call_id(), outcome.error_code);
    }
    return;
  }
  store::EventCommit commit;
  if (call->record_->written()) commit.pending_call_id = call->record_->call_id();
  commit.events = OutcomeRows(*call, outcome);
  Enqueue(std::move(commit));
}

std::vector<store::StoredEvent> EventRecorder::OutcomeRows(Call& call,
                                                           const CallOutcome& outcome) {
  std::vector<store::StoredEvent> rows;
  if (outcome.ok && !call.drafts_built_) {
    // One record, a success, drafts that nothing needed: straight to text, as the drafts would
    // have written it. requestParameters are made record form in place (idempotent, should the
    // drafts still be needed).
    nlohmann::json response = IsReadOnlyOperation(call.facts_.operation)
                                  ? nlohmann::json()  // not recorded: no copy of it
                                  : outcome.response_elements;
    std::optional<store::StoredEvent> row =
        SuccessRecordText(call.facts_, options_.default_account, call.event_id_,
                          std::move(response));
    if (row.has_value()) {
      rows.push_back(std::move(*row));
      return rows;
    }
  }
  for (DraftEvent& d : Drafts(call)) {
    ApplyOutcome(d, outcome);
    rows.push_back(ToStoredEvent(d));
  }
  return rows;
}

void EventRecorder::RecordUnstarted(const CallFacts& facts, const CallOutcome& outcome) {
  if (!options_.record_events) return;
  store::EventCommit commit;
  for (DraftEvent& d : BuildCallRecords(facts, false, options_.default_account, random_)) {
    ApplyOutcome(d, outcome);
    commit.events.push_back(ToStoredEvent(d));
  }
  Enqueue(std::move(commit));
}

void EventRecorder::RecordServiceEvent(ServiceEvent event) {
  if (!options_.record_events) return;
  DraftEvent d = BuildServiceRecord(event, ToUnixMillis(clock_.Now()), random_);
  store::EventCommit commit;
  commit.events.push_back(ToStoredEvent(d));
  Enqueue(std::move(commit));
}

void EventRecorder::Enqueue(store::EventCommit commit) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(commit));
  ++enqueued_;
  if (queue_.size() == 1) cv_.notify_one();
}

void EventRecorder::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = enqueued_;
  if (!thread_.joinable()) return;
  ++flush_waiting_;
  cv_.notify_one();
  flushed_.wait(lock, [&] { return done_ >= target || (stopping_ && queue_.empty()); });
  --flush_waiting_;
}

void EventRecorder::Loop() {
  NameThisThread("event-recorder");
  auto next_purge = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto next_index = std::chrono::steady_clock::now() + options_.index_interval;
  std::vector<store::EventCommit> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, std::min(next_purge, next_index),
                     [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      if (!queue_.empty() && queue_.size() < options_.linger_below && !stopping_) {
        // A few records only: let more join this transaction (one commit, one sync) rather than
        // commit each handful alone. Flush and the stop cut it short.
        cv_.wait_for(lock, options_.linger, [&] { return stopping_ || flush_waiting_; });
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!batch.empty()) {
      Status st = trail_.AppendEvents(batch);
      if (!st.ok()) {
        // Keep them (in order) and try again: a record is never dropped for a transient failure.
        logger_->error("{{\"event\":\"audit_append_failed\",\"records\":{},\"what\":\"{}\"}}",
                       batch.size(), st.message());
        std::unique_lock<std::mutex> lock(mu_);
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
          queue_.push_front(std::move(*it));
        }
        batch.clear();
        if (stopping_) {
          logger_->error("{{\"event\":\"audit_records_lost_at_shutdown\",\"calls\":{}}}",
                         queue_.size());
          return;
        }
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        done_ += batch.size();
      }
      flushed_.notify_all();
      batch.clear();
    }
    if (std::chrono::steady_clock::now() >= next_index) {
      Index();
      next_index = std::chrono::steady_clock::now() + options_.index_interval;
    }
    if (std::chrono::steady_clock::now() >= next_purge) {
      Purge();
      next_purge = std::chrono::steady_clock::now() + options_.purge_interval;
    }
  }
}

void EventRecorder::Index() {
  // A few batches per round at most, so that final records never wait long behind indexing; a
  // backlog (e.g. the history of an upgraded database) is worked off round by round.
  for (int round = 0; round < 20; ++round) {
    Result<int64_t> n = trail_.IndexEvents(options_.index_batch);
    if (!n.ok()) {
      logger_->error("{{\"event\":\"audit_index_failed\",\"what\":\"{}\"}}",
                     n.status().message());
      return;
    }
    if (*n < options_.index_batch) return;
  }
}

void EventRecorder::Purge() {
  if (!MayRun(options_.leadership, "event-history-purge")) return;
  const int64_t cutoff = ToUnixMillis(clock_.Now() - options_.retention);
  // Bounded batches, at most a few per round, so that final records never wait long behind a
  // purge; what remains goes at the next round.
  for (int round = 0; round < 200; ++round) {
    Result<int64_t> n = trail_.PurgeEventsBefore(cutoff, options_.purge_batch);
    if (!n.ok()) {
      logger_->error("{{\"event\":\"audit_purge_failed\",\"what\":\"{}\"}}", n.status().message());
      return;
    }
    if (*n < options_.purge_batch) return;
  }
}

}  // namespace openpca::audit

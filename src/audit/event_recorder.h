// EventRecorder: makes every API call and service event a CloudTrail record in the event history
// (store::TrailStore), without a state change ever committing without its record.
//
// Per API call: Begin() (after authorization, before the handler) builds the call's records
// without outcome and returns a Call whose store::CallRecord the pipeline installs for the
// handler's thread (store::CallRecordScope): the call's first write commits the records as
// pending in its own transaction. End() applies the outcome and queues the final records; a
// background thread makes them final in order, many calls per write (through the store's one
// writer, so they join its group commits), and removes the pending rows in the same transaction.
// Calls that never reached Begin() (rejected before authorization) go through RecordUnstarted().
//
// Records left pending by an earlier process (the change committed, the outcome was never
// recorded) are made final by Start() before serving: responseElements is the response the write
// implied when known (CallRecord::SetProvisionalResponse), else null, and additionalEventData
// says {"outcomeRecorded": false}.
//
// The thread also indexes final records for LookupEvents behind their commit
// (TrailStore::IndexEvents, every index_interval, in batches) and purges records older than the
// retention (90 days), in bounded batches.
// Thread-safe. The destructor makes every queued record final, then stops the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "common/buffered_random.h"
#include "audit/call_facts.h"
#include "audit/record_builder.h"
#include "audit/service_event.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/random.h"
#include "common/status.h"
#include "store/call_record.h"
#include "store/trail_store.h"

namespace openpca::audit {

struct RecorderOptions {
  // Off: no record is made (benchmarks of the cost of recording only).
  bool record_events = true;
  // Receives the records of callers whose account is unknown (an unknown access key).
  std::string default_account;
  std::chrono::milliseconds retention = std::chrono::hours(24 * 90);
  std::chrono::milliseconds purge_interval = std::chrono::hours(1);
  int purge_batch = 500;  // ~70 ms of the writer at 1M stored records (docs/benchmarks.md)
  // Final records written per store transaction at most.
  size_t max_batch = 2048;
  // With fewer than linger_below records queued, the thread waits up to `linger` for more
  // before writing them (read-only calls have no group commit of their own to join).
  size_t linger_below = 32;
  std::chrono::milliseconds linger = std::chrono::milliseconds(2);
  // How often the lookup keys of new records are indexed, and how many records per store
  // transaction: LookupEvents reads records not indexed yet from the table itself, so this bounds
  // that tail (about rate × interval records), while each pass holds the writer briefly.
  // Short passes keep the writer's other jobs from waiting long behind one (p99 latency).
  std::chrono::milliseconds index_interval = std::chrono::milliseconds(100);
  int index_batch = 1000;
  // Servers sharing a database: only the holder of job "event-history-purge" purges. Null:
  // always.
  Leadership* leadership = nullptr;
};

class EventRecorder final : public ServiceEventSink {
 public:
  // An API call between Begin() and End().
  class Call {
   public:
    store::CallRecord* record() { return record_.get(); }
    // Whether the call's final record committed with its write (End() then needs no outcome
    // but whether the call succeeded).
    bool final_written() const { return record_->written_final(); }

   private:
    friend class EventRecorder;
    // A call with no owner's copy writes its success record straight to text
    // (SuccessRecordText), with its write when that write is its outcome
    // (CallFacts::outcome_is_announced_write), else at End; its drafts are built only if another
    // path needs them (a pending row, a failure).
    CallFacts facts_;  // kept for the drafts until they are built
    bool authorized_ = false;
    std::string event_id_;
    bool drafts_built_ = false;
    std::vector<DraftEvent> drafts_;
    std::unique_ptr<store::CallRecord> record_;
  };

  EventRecorder(store::TrailStore& trail, const Clock& clock, Random& random,
                RecorderOptions options, std::shared_ptr<spdlog::logger> logger);
  ~EventRecorder() override;
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Makes leftover pending records final, then starts the thread. Errors: kInternal.
  Status Start();

  bool enabled() const { return options_.record_events; }

  // Null when recording is off. `authorized`: the resource owner of another account gets a copy.
  std::unique_ptr<Call> Begin(CallFacts facts, bool authorized);
  void End(std::unique_ptr<Call> call, const CallOutcome& outcome);
  void RecordUnstarted(const CallFacts& facts, const CallOutcome& outcome);
  void RecordServiceEvent(ServiceEvent event) override;

  // Returns once every record queued before the call is final (tests, orderly shutdown).
  void Flush();

 private:
  // The call's drafts, built on first use.
  std::vector<DraftEvent>& Drafts(Call& call);
  // The call's final rows for `outcome`: its record written straight to text when it has one
  // record, succeeded and no draft was needed (SuccessRecordText), else its drafts with the
  // outcome applied. Used by the write that announces the outcome and by End.
  std::vector<store::StoredEvent> OutcomeRows(Call& call, const CallOutcome& outcome);
  void Enqueue(store::EventCommit commit);
  void Loop();
  void Purge();
  void Index();

  store::TrailStore& trail_;
  const Clock& clock_;
  BufferedRandom random_;  // event ids only (common/buffered_random.h)
  const RecorderOptions options_;
  std::shared_ptr<spdlog::logger> logger_;

  std::mutex mu_;
  std::condition_variable cv_;       // work arrived / stopping
  std::condition_variable flushed_;  // a batch became final
  std::deque<store::EventCommit> queue_;  // guarded by mu_
  uint64_t enqueued_ = 0;                 // guarded by mu_
  uint64_t done_ = 0;                     // guarded by mu_
  bool stopping_ = false;                 // guarded by mu_
  int flush_waiting_ = 0;                 // callers in Flush(); guarded by mu_
  std::thread thread_;
};

}  // namespace openpca::audit

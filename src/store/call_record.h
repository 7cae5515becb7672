// CallRecord and CallRecordScope: the CloudTrail record of the API call running on this thread,
// committed by the store together with the call's first write.
//
// The request pipeline prepares a call's record (everything but its outcome) before the handler
// runs and installs it for the handler's thread with a CallRecordScope. Every store write made on
// that thread while the scope lives (SqliteWriter::Run) then also inserts the record as pending,
// in the same transaction and savepoint as the write, once per call: a change never commits
// without its record, and a failed write leaves neither. After the handler, the outcome makes the
// record final (TrailStore::AppendEvents removes the pending row).
//
// Neither type knows the API or audit modules: the record arrives as rows and JSON text.
// Thread-safety: a CallRecord is used by the thread of its scope and, while that thread waits in
// a write, by the store's writer thread; the handoff orders the accesses.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "store/trail_store.h"

namespace openpca::store {

class CallRecord {
 public:
  // Builds the call's rows (record_json without outcome); run at most once, on the call's thread,
  // before its first write: calls that write nothing never pay for serialization.
  using Materializer = std::function<std::vector<StoredEvent>()>;
  // Builds the call's final rows for a successful outcome with `response_json` (the
  // responseElements, a JSON object as text); run at most once, on the call's thread.
  using FinalMaterializer = std::function<std::vector<StoredEvent>(const std::string&)>;

  CallRecord(std::string call_id, int64_t created_at_ms, Materializer materialize,
             FinalMaterializer materialize_final = nullptr)
      : materialize_(std::move(materialize)), materialize_final_(std::move(materialize_final)) {
    pending_.call_id = std::move(call_id);
    pending_.created_at_ms = created_at_ms;
  }
  explicit CallRecord(PendingEvents pending) : pending_(std::move(pending)) {}
  CallRecord(const CallRecord&) = delete;
  CallRecord& operator=(const CallRecord&) = delete;

  const std::string& call_id() const { return pending_.call_id; }
  // The pending row, materialized on first use.
  const PendingEvents& pending() {
    if (materialize_) {
      pending_.events = materialize_();
      materialize_ = nullptr;
    }
    return pending_;
  }
  // The responseElements (a JSON object as text) the next write's commit implies, for handler code
  // that knows it before writing (IssueCertificate: the certificate ARN). A record left pending
  // by a crash is finalized with it.
  void SetProvisionalResponse(std::string json) { pending_.provisional_response = std::move(json); }
  // Whether the next write commits the call's final rows (FinalRows()) instead of a pending row.
  bool final_on_write() const {
    return !written_ && materialize_final_ && !pending_.provisional_response.empty();
  }
  // The final rows for a success with the announced response; call only when final_on_write().
  std::vector<StoredEvent> FinalRows() {
    FinalMaterializer make = std::move(materialize_final_);
    materialize_final_ = nullptr;
    return make(pending_.provisional_response);
  }
  // Whether a write of this call has committed with its record (pending or, when
  // written_final(), final).
  bool written() const { return written_; }
  bool written_final() const { return written_final_; }
  void MarkWritten(bool final_rows = false) {
    written_ = true;
    written_final_ = final_rows;
  }

 private:
  PendingEvents pending_;
  Materializer materialize_;
  FinalMaterializer materialize_final_;
  bool written_ = false;
  bool written_final_ = false;
};

// Installs `record` as this thread's current call record until destroyed (then restores the
// previous one). `record` may be null (no recording) and must outlive the scope.
class CallRecordScope {
 public:
  explicit CallRecordScope(CallRecord* record);
  ~CallRecordScope();
  CallRecordScope(const CallRecordScope&) = delete;
  CallRecordScope& operator=(const CallRecordScope&) = delete;

  // The record of the call running on this thread; null outside a scope.
  static CallRecord* Current();

 private:
  CallRecord* previous_;
};

}  // namespace openpca::store

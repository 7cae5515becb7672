// The audit trail on the endpoint: the event history store, the recorder that makes every call a
// CloudTrail record (through the pipeline's CallObserver), the CloudTrail service answering
// LookupEvents, and the service-event sink the background work records through.
#pragma once

#include <memory>
#include <string>

#include "api/pipeline.h"
#include "audit/event_recorder.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/random.h"
#include "store/trail_store.h"

namespace openpca::server {

// Translates the pipeline's view of a call into the audit module's (CallFacts, CallOutcome),
// with request and response members in record form (api::ServiceModel::RecordForm).
class AuditCallObserver final : public api::CallObserver {
 public:
  explicit AuditCallObserver(audit::EventRecorder& recorder) : recorder_(recorder) {}

  std::unique_ptr<Scope> Begin(const api::ServiceModel& model, const api::CallContext& ctx,
                               const nlohmann::json& input) const override;
  void End(std::unique_ptr<Scope> scope, const api::ServiceModel& model,
           const api::CallContext& ctx, const nlohmann::json* input,
           const Result<nlohmann::json>& result) const override;

 private:
  audit::EventRecorder& recorder_;
};

struct AuditWiring {
  store::TrailStore* trail = nullptr;  // not owned
  std::unique_ptr<audit::EventRecorder> recorder;
  std::unique_ptr<AuditCallObserver> observer;
};

// Uses the event history `trail` (which must outlive the result), finalizes records a previous
// process left pending, starts the recorder, and registers the CloudTrail service and the observer
// on `pipeline`.
// `record_events` false: nothing is recorded (LookupEvents still answers). Errors: kInternal.
Result<AuditWiring> WireAudit(store::TrailStore& trail, api::Pipeline& pipeline, const Clock& clock,
                              Random& random, bool record_events,
                              const std::string& default_account,
                              Leadership* leadership = nullptr);

}  // namespace openpca::server

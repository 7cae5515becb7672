#include "server/audit_wiring.h"

#include <cstdlib>
#include <optional>

#include <spdlog/spdlog.h>

#include "api/errors.h"
#include "services/cloudtrail/actions.h"
#include "services/cloudtrail/cloudtrail_operations.h"
#include "store/call_record.h"

namespace openpca::server {
namespace {

audit::IdentityType TypeOf(api::PrincipalType type) {
  switch (type) {
    case api::PrincipalType::kAccountRoot: return audit::IdentityType::kRoot;
    case api::PrincipalType::kUser: return audit::IdentityType::kIamUser;
    case api::PrincipalType::kAssumedRole: return audit::IdentityType::kAssumedRole;
    default: return audit::IdentityType::kUnknown;
  }
}

std::string RoleNameOf(std::string_view role_arn) {
  size_t slash = role_arn.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(role_arn.substr(slash + 1));
}

audit::CallFacts FactsOf(const api::ServiceModel& model, const api::CallContext& ctx,
                         const nlohmann::json* input) {
  audit::CallFacts f;
  f.service = ctx.service;
  f.operation = ctx.operation;
  f.request_id = ctx.request_id;
  f.region = ctx.region;
  f.event_time_ms = ctx.received_at_ms;
  audit::CallIdentity& id = f.identity;
  // An unauthenticated call has no principal: only the key it claimed and its account.
  id.type = ctx.principal_arn.empty() ? audit::IdentityType::kUnknown : TypeOf(ctx.principal_type);
  id.account_id = ctx.account_id;
  id.arn = ctx.principal_arn;
  id.access_key_id = ctx.access_key_id;
  id.temporary = ctx.temporary;
  id.session_created_at_s = ctx.session_issued_at_s;
  id.mfa_authenticated = ctx.mfa_authenticated;
  switch (id.type) {
    case audit::IdentityType::kRoot:
      id.principal_id = ctx.account_id;
      break;
    case audit::IdentityType::kIamUser:
      id.principal_id = ctx.principal_id;
      id.user_name = ctx.principal_name;
      break;
    case audit::IdentityType::kAssumedRole:
      id.principal_id = ctx.user_id;  // AROA…:<session>
      id.role_arn = ctx.role_arn;
      id.role_name = ctx.principal_name.empty() ? RoleNameOf(ctx.role_arn) : ctx.principal_name;
      id.role_id = ctx.principal_id;
      id.session_name = ctx.session_name;
      break;
    case audit::IdentityType::kUnknown:
      break;
  }
  f.source_ip = ctx.source_ip;
  f.user_agent = ctx.user_agent;
  f.tls_version = ctx.tls_version;
  f.tls_cipher = ctx.tls_cipher;
  f.host_header = ctx.host_header;
  if (input != nullptr) f.request_parameters = model.RecordForm(ctx.operation, *input, false);
  f.resource_arn = ctx.resource_arn;
  f.outcome_is_announced_write = ctx.outcome_is_announced_write;
  return f;
}

audit::CallOutcome OutcomeOf(const api::ServiceModel& model, const api::CallContext& ctx,
                             const Result<nlohmann::json>& result) {
  audit::CallOutcome o;
  if (result.ok()) {
    // A read-only call's record has no responseElements (audit::ApplyOutcome): GetCertificate's
    // certificate and chain are not converted only to be dropped.
    if (!audit::IsReadOnlyOperation(ctx.operation)) {
      o.response_elements = model.RecordForm(ctx.operation, *result, true);
    }
    return o;
  }
  o.ok = false;
  o.error_code = std::string(api::ErrorFor(ctx.service, result.status()).name);
  o.error_message = api::ClientMessage(result.status());
  return o;
}

// Alive while the handler runs: the call's records and their thread-local installation.
class AuditScope final : public api::CallObserver::Scope {
 public:
  explicit AuditScope(std::unique_ptr<audit::EventRecorder::Call> call)
      : call_(std::move(call)), installed_(call_->record()) {}

  std::unique_ptr<audit::EventRecorder::Call> Release() {
    installed_.reset();
    return std::move(call_);
  }

 private:
  std::unique_ptr<audit::EventRecorder::Call> call_;
  std::optional<store::CallRecordScope> installed_;
};

}  // namespace

std::unique_ptr<api::CallObserver::Scope> AuditCallObserver::Begin(
    const api::ServiceModel& model, const api::CallContext& ctx,
    const nlohmann::json& input) const {
  std::unique_ptr<audit::EventRecorder::Call> call =
      recorder_.Begin(FactsOf(model, ctx, &input), /*authorized=*/true);
  if (call == nullptr) return nullptr;
  return std::make_unique<AuditScope>(std::move(call));
}

void AuditCallObserver::End(std::unique_ptr<Scope> scope, const api::ServiceModel& model,
                            const api::CallContext& ctx, const nlohmann::json* input,
                            const Result<nlohmann::json>& result) const {
  if (!recorder_.enabled()) return;
  if (scope != nullptr) {
    auto* audit_scope = static_cast<AuditScope*>(scope.get());
    std::unique_ptr<audit::EventRecorder::Call> call = audit_scope->Release();
    if (result.ok() && call->final_written()) {
      // Its record is final already (IssueCertificate): the response's record form is not made
      // only to be dropped.
      recorder_.End(std::move(call), audit::CallOutcome{});
      return;
    }
    recorder_.End(std::move(call), OutcomeOf(model, ctx, result));
    return;
  }
  audit::CallOutcome outcome = OutcomeOf(model, ctx, result);
  recorder_.RecordUnstarted(FactsOf(model, ctx, input), outcome);
}

Result<AuditWiring> WireAudit(store::TrailStore& trail, api::Pipeline& pipeline, const Clock& clock,
                              Random& random, bool record_events,
                              const std::string& default_account, Leadership* leadership) {
  if (const char* env = std::getenv("OPENPCA_AUDIT_RECORD_EVENTS")) {
    std::string v(env);
    if (v == "0" || v == "false") record_events = false;
  }
  AuditWiring w;
  w.trail = &trail;
  audit::RecorderOptions options;
  options.record_events = record_events;
  options.default_account = default_account;
  options.leadership = leadership;
  std::shared_ptr<spdlog::logger> logger = spdlog::default_logger();
  w.recorder =
      std::make_unique<audit::EventRecorder>(*w.trail, clock, random, options, std::move(logger));
  RETURN_IF_ERROR(w.recorder->Start());
  w.observer = std::make_unique<AuditCallObserver>(*w.recorder);
  pipeline.SetCallObserver(w.observer.get());

  if (!pipeline.HasService("cloudtrail")) {
    pipeline.AddService(api::ServiceModel::Get("cloudtrail"));
  }
  services::cloudtrail::CloudTrailDeps deps;
  deps.trail = w.trail;
  deps.clock = &clock;
  deps.random = &random;
  for (auto& [name, handler] : services::cloudtrail::CloudTrailOperations(deps)) {
    api::ActionSpec spec = services::cloudtrail::ActionFor(name);
    pipeline.AddOperation("cloudtrail", name, std::move(handler), std::move(spec));
  }
  if (!record_events) spdlog::warn("audit.record_events is off: API calls are not recorded");
  return w;
}

}  // namespace openpca::server

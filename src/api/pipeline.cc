#include "api/pipeline.h"

#include <exception>
#include <iostream>

#include "api/request_log.h"
#include "api/request_metrics.h"

namespace openpca::api {
namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string_view CaArnOf(const nlohmann::json* input) {
  if (input == nullptr || !input->is_object()) return {};
  auto it = input->find("CertificateAuthorityArn");
  if (it == input->end()) it = input->find("ResourceArn");
  if (it == input->end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

}  // namespace

Pipeline::Pipeline(Options options, CredentialLookup lookup, const Authorizer* authorizer,
                   const Clock& clock, std::shared_ptr<spdlog::logger> logger)
    : options_(std::move(options)),
      lookup_(std::move(lookup)),
      authorizer_(authorizer),
      clock_(clock),
      logger_(std::move(logger)) {
  OPENPCA_CHECK(logger_ != nullptr);
  OPENPCA_CHECK(!options_.regions.empty());
  if (options_.metrics != nullptr) metrics_ = std::make_unique<CallMetrics>(*options_.metrics);
}

Pipeline::~Pipeline() = default;

void Pipeline::AddService(const ServiceModel& model) {
  auto service = std::make_unique<Service>();
  service->model = &model;
  service->protocol = protocols::Protocol::For(model);
  OPENPCA_CHECK(service->protocol != nullptr);
  SigV4Verifier::Options vo;
  vo.region = options_.regions.front();
  vo.regions = options_.regions;
  vo.service = model.signing_name();
  vo.max_clock_skew = options_.max_clock_skew;
  service->verifier = std::make_unique<SigV4Verifier>(std::move(vo), lookup_, clock_);
  OPENPCA_CHECK(by_signing_name_.emplace(model.signing_name(), service.get()).second);
  services_.push_back(std::move(service));
}

void Pipeline::AddOperation(std::string_view service, std::string name, OperationHandler handler,
                            ActionSpec action) {
  auto it = by_signing_name_.find(std::string(service));
  OPENPCA_CHECK(it != by_signing_name_.end());
  if (!it->second->model->HasOperation(name)) {
    std::cerr << "openpca: AddOperation: " << name << " is not an operation of " << service
              << "\n";
    std::abort();
  }
  OPENPCA_CHECK(handler != nullptr);
  it->second->operations[std::move(name)] = Operation{std::move(handler), std::move(action)};
}

bool Pipeline::HasService(std::string_view service) const {
  return by_signing_name_.contains(std::string(service));
}

bool Pipeline::MatchesRestService(const HttpRequest& request) const {
  for (const auto& service : services_) {
    if (service->model->metadata().protocol == "rest-json" && service->protocol->Matches(request)) {
      return true;
    }
  }
  return false;
}

bool Pipeline::IsQuickRead(const HttpRequest& request) const {
  const Service& service = ServiceFor(request);
  auto op = service.operations.find(service.protocol->OperationOf(request));
  return op != service.operations.end() && op->second.action.quick_read;
}

const Pipeline::Service& Pipeline::ServiceFor(const HttpRequest& request) const {
  OPENPCA_CHECK(!services_.empty());
  if (std::optional<std::string> name = protocols::SigningServiceOf(request)) {
    auto it = by_signing_name_.find(*name);
    if (it != by_signing_name_.end()) return *it->second;
  }
  for (const auto& service : services_) {
    if (service->protocol->Matches(request)) return *service;
  }
  return *services_.front();
}

Result<nlohmann::json> Pipeline::Run(const Service& service, const HttpRequest& request,
                                     CallContext& ctx, nlohmann::json& input, bool& decoded,
                                     std::unique_ptr<CallObserver::Scope>& scope) const {
  // Which operation, and its input as sent (no model constraints yet): a request that names no
  // operation of the service, or whose body is not of the protocol's form, fails here first.
  // WARNING: client input from here on.
  ASSIGN_OR_RETURN(protocols::DecodedCall call, service.protocol->Parse(request));
  ctx.operation = call.operation;
  auto op = service.operations.find(ctx.operation);
  if (op == service.operations.end()) {
    return Status(ErrorCode::kUnknownOperation, "Unknown operation " + ctx.operation);
  }

  // 1. Authenticate. The scope must name this service: a request whose scope names a service we
  // do not serve landed on the default service and fails here.
  ASSIGN_OR_RETURN(Credential cred, service.verifier->Verify(request.Signable()));
  ctx.access_key_id = std::move(cred.access_key_id);
  ctx.account_id = std::move(cred.account_id);
  ctx.principal_arn = std::move(cred.principal_arn);
  ctx.principal_type = cred.principal_type;
  ctx.role_arn = std::move(cred.role_arn);
  ctx.user_id = std::move(cred.user_id);
  ctx.principal_name = std::move(cred.principal_name);
  ctx.principal_id = std::move(cred.principal_id);
  ctx.temporary = cred.temporary;
  ctx.session_issued_at_s = cred.session_issued_at_s;
  ctx.session_name = std::move(cred.session_name);
  ctx.mfa_authenticated = cred.mfa_authenticated;
  ctx.region = std::move(cred.scope_region);
  ctx.session_token = std::string(request.Header("x-amz-security-token"));

  // 2. Decode: the model's constraints, then only model members remain.
  RETURN_IF_ERROR(service.protocol->Validate(call));
  input = std::move(call.input);
  decoded = true;

  // 3. Authorize.
  const ActionSpec& spec = op->second.action;
  ctx.resource_arn = spec.resource ? spec.resource(ctx, input) : std::string();
  // push_back, not = "*": GCC 12 warns falsely (-Wrestrict) on assigning a literal here.
  if (ctx.resource_arn.empty()) ctx.resource_arn.push_back('*');
  ctx.outcome_is_announced_write = spec.outcome_is_announced_write;
  if (authorizer_ != nullptr && !spec.no_authorization) {
    ConditionKeys keys;
    if (spec.conditions) spec.conditions(ctx, input, keys);
    RETURN_IF_ERROR(authorizer_->Authorize(ctx, spec, ctx.resource_arn, keys));
  }

  // 4. Handle. A throwing handler is a bug; it must not take the worker down. The call's record
  // is ready first: the handler's writes commit it (store::CallRecordScope).
  if (observer_ != nullptr) scope = observer_->Begin(*service.model, ctx, input);
  try {
    return op->second.handler(ctx, input);
  } catch (const std::exception& e) {
    return InternalError(std::string("handler threw: ") + e.what());
  } catch (...) {
    return InternalError("handler threw a non-standard exception");
  }
}

HttpResponse Pipeline::Handle(const HttpRequest& request, std::string request_id,
                              std::chrono::steady_clock::time_point started) const {
  const Service& service = ServiceFor(request);
  CallContext ctx;
  ctx.service = service.model->signing_name();
  ctx.request_id = std::move(request_id);
  ctx.region = options_.regions.front();
  ctx.source_ip = std::string(request.source_ip);
  ctx.user_agent = std::string(request.Header("user-agent"));
  ctx.secure_transport = options_.secure_transport;
  ctx.tls_version = std::string(request.tls_version);
  ctx.tls_cipher = std::string(request.tls_cipher);
  ctx.host_header = std::string(request.Header("host"));
  ctx.received_at_ms = ToUnixMillis(clock_.Now());
  nlohmann::json input;
  bool decoded = false;
  std::unique_ptr<CallObserver::Scope> scope;
  Result<nlohmann::json> result = [&]() -> Result<nlohmann::json> {
    try {
      return Run(service, request, ctx, input, decoded, scope);
    } catch (const std::exception& e) {  // e.g. std::bad_alloc
      return InternalError(std::string("request pipeline threw: ") + e.what());
    }
  }();
  if (ctx.principal_arn.empty() && observer_ != nullptr) NoteClaimedIdentity(request, ctx);
  return Finish(service, result, ctx, decoded ? &input : nullptr, std::move(scope), started);
}

void Pipeline::NoteClaimedIdentity(const HttpRequest& request, CallContext& ctx) const {
  // Credential=<key>/<date>/<region>/<service>/aws4_request, in the header or the query.
  std::string_view auth = request.Header("authorization");
  std::string_view key;
  size_t at = auth.find("Credential=");
  if (at != std::string_view::npos) {
    key = auth.substr(at + 11);
  } else {
    at = request.query.find("X-Amz-Credential=");
    if (at != std::string_view::npos) key = request.query.substr(at + 17);
  }
  size_t end = key.find_first_of("/%,& ");
  key = key.substr(0, end);
  if (key.empty() || key.size() > 128) return;
  ctx.access_key_id = std::string(key);
  if (!lookup_) return;
  Result<Credential> cred = lookup_(ctx.access_key_id, request.Header("x-amz-security-token"));
  if (cred.ok()) ctx.account_id = cred->account_id;
}

HttpResponse Pipeline::Reject(const HttpRequest& request, const Status& status,
                              std::string request_id,
                              std::chrono::steady_clock::time_point started) const {
  const Service& service = ServiceFor(request);
  CallContext ctx;
  ctx.service = service.model->signing_name();
  ctx.operation = service.protocol->OperationOf(request);
  ctx.request_id = std::move(request_id);
  ctx.region = options_.regions.front();
  ctx.source_ip = std::string(request.source_ip);
  ctx.user_agent = std::string(request.Header("user-agent"));
  return Finish(service, status, ctx, nullptr, nullptr, started);
}

HttpResponse Pipeline::Finish(const Service& service, const Result<nlohmann::json>& result,
                              const CallContext& ctx, const nlohmann::json* input,
                              std::unique_ptr<CallObserver::Scope> scope,
                              std::chrono::steady_clock::time_point started) const {
  // 5. Record. Calls rejected by the transport (Reject(): throttled, unknown route) are not
  // recorded: they named no operation of a service.
  if (observer_ != nullptr && !ctx.operation.empty() && ctx.received_at_ms != 0) {
    observer_->End(std::move(scope), *service.model, ctx, input, result);
  }
  if (record_) {
    try {
      record_(ctx, input, result);
    } catch (const std::exception& e) {
      logger_->error("{{\"event\":\"record_exception\",\"what\":\"{}\"}}", e.what());
    }
  }
  // 6. Encode.
  HttpResponse res;
  const Status& status = result.status();
  if (result.ok()) {
    res = service.protocol->EncodeOutput(ctx.operation, *result, ctx.request_id);
  } else {
    res = service.protocol->EncodeError(status, ctx.request_id);
  }
  RequestLogEntry entry;
  entry.service = ctx.service;
  entry.action = ctx.operation.empty() ? std::string_view("unknown") : ctx.operation;
  entry.request_id = ctx.request_id;
  entry.access_key_id = ctx.access_key_id;
  entry.principal = ctx.principal_arn;
  entry.ca_arn = CaArnOf(input);
  entry.source_ip = ctx.source_ip;
  entry.code = status.code();
  if (status.code() == ErrorCode::kInternal) entry.internal_detail = status.message();
  entry.http_status = res.status;
  entry.latency_ms = MillisSince(started);
  LogRequest(*logger_, entry);
  if (metrics_) metrics_->RecordCall(*service.model, ctx.operation, status.code(), res.status,
                                     started);
  return res;
}

}  // namespace openpca::api

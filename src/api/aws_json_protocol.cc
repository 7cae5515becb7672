#include "api/aws_json_protocol.h"

#include <exception>
#include <iostream>

#include "api/errors.h"
#include "api/request_log.h"

namespace openpca::api {
namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

HttpResponse JsonErrorResponse(const Status& status, std::string_view request_id) {
  AwsError err = AwsErrorFor(status.code());
  HttpResponse res;
  res.status = err.http_status;
  res.headers.reserve(3);
  res.headers.emplace_back("Content-Type", kAmzJsonContentType);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  res.headers.emplace_back("x-amzn-ErrorType", err.name);
  res.body = ErrorBody(status);
  return res;
}

AwsJsonProtocol::AwsJsonProtocol(const ServiceModel& model, SigV4Verifier verifier,
                                 AuthorizationHook hook, std::shared_ptr<spdlog::logger> logger)
    : model_(model),
      verifier_(std::move(verifier)),
      hook_(std::move(hook)),
      logger_(std::move(logger)),
      codec_(model) {
  OPENPCA_CHECK(logger_ != nullptr);
}

void AwsJsonProtocol::RegisterOperation(std::string name, OperationHandler handler) {
  if (!model_.HasOperation(name)) {
    std::cerr << "openpca: RegisterOperation: " << name << " is not in the service model\n";
    std::abort();
  }
  OPENPCA_CHECK(handler != nullptr);
  handlers_[std::move(name)] = std::move(handler);
}

Result<nlohmann::json> AwsJsonProtocol::Run(const HttpRequest& request, CallContext& ctx,
                                            std::string* ca_arn) const {
  // 1. Target. Only a model operation is named (a bounded set, unlike client input).
  std::string name = codec_.OperationOf(request);
  auto it = handlers_.find(name);
  if (it == handlers_.end()) {
    ctx.operation = std::move(name);
    std::string_view target = request.Header("x-amz-target");
    return Status(ErrorCode::kUnknownOperation,
                  target.empty() ? "Missing X-Amz-Target header" : "Unknown operation");
  }
  ctx.operation = it->first;

  // 2. Body. WARNING: client input from here on.
  ASSIGN_OR_RETURN(protocols::DecodedCall call, codec_.Parse(request));
  nlohmann::json& input = call.input;

  // 3. Authentication.
  ASSIGN_OR_RETURN(Credential cred, verifier_.Verify(request.Signable()));
  ctx.access_key_id = std::move(cred.access_key_id);
  ctx.account_id = std::move(cred.account_id);
  ctx.principal_arn = std::move(cred.principal_arn);

  auto arn = input.find("CertificateAuthorityArn");
  if (arn != input.end() && arn->is_string()) *ca_arn = arn->get<std::string>();

  // 4. Model constraints.
  RETURN_IF_ERROR(codec_.Validate(call));

  // 5. Authorization.
  if (hook_ != nullptr) RETURN_IF_ERROR(hook_(ctx, input));

  // 6. The operation. A throwing handler is a bug; it must not take the worker down.
  try {
    return it->second(ctx, input);
  } catch (const std::exception& e) {
    return InternalError(std::string("handler threw: ") + e.what());
  } catch (...) {
    return InternalError("handler threw a non-standard exception");
  }
}

HttpResponse AwsJsonProtocol::Handle(const HttpRequest& request, std::string request_id,
                                     std::chrono::steady_clock::time_point started) const {
  CallContext ctx;
  ctx.request_id = std::move(request_id);
  ctx.source_ip = std::string(request.source_ip);
  ctx.user_agent = std::string(request.Header("user-agent"));
  std::string ca_arn;
  Result<nlohmann::json> result = [&]() -> Result<nlohmann::json> {
    try {
      return Run(request, ctx, &ca_arn);
    } catch (const std::exception& e) {  // e.g. std::bad_alloc
      return InternalError(std::string("request pipeline threw: ") + e.what());
    }
  }();
  return Finish(result, ctx, ca_arn, started);
}

HttpResponse AwsJsonProtocol::Reject(const HttpRequest& request, const Status& status,
                                     std::string request_id,
                                     std::chrono::steady_clock::time_point started) const {
  CallContext ctx;
  ctx.request_id = std::move(request_id);
  ctx.source_ip = std::string(request.source_ip);
  ctx.operation = codec_.OperationOf(request);
  return Finish(status, ctx, {}, started);
}

HttpResponse AwsJsonProtocol::Finish(const Result<nlohmann::json>& result, const CallContext& ctx,
                                     std::string_view ca_arn,
                                     std::chrono::steady_clock::time_point started) const {
  HttpResponse res;
  const Status& status = result.status();
  if (result.ok()) {
    res = codec_.EncodeOutput(ctx.operation, *result, ctx.request_id);
  } else {
    res = codec_.EncodeError(status, ctx.request_id);
  }
  RequestLogEntry entry;
  entry.action = ctx.operation.empty() ? std::string_view("unknown") : ctx.operation;
  entry.request_id = ctx.request_id;
  entry.access_key_id = ctx.access_key_id;
  entry.principal = ctx.principal_arn;
  entry.ca_arn = ca_arn;
  entry.source_ip = ctx.source_ip;
  entry.code = status.code();
  if (status.code() == ErrorCode::kInternal) entry.internal_detail = status.message();
  entry.http_status = res.status;
  entry.latency_ms = MillisSince(started);
  LogRequest(*logger_, entry);
  return res;
}

}  // namespace openpca::api

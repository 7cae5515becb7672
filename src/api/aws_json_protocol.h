// AwsJsonProtocol: the AWS JSON 1.1 request pipeline for `POST /` with
// `X-Amz-Target: <prefix>.<Operation>`, independent of the socket layer:
//   1. target → registered operation     (UnknownOperationException)
//   2. body → JSON object                 (SerializationException; an empty body is {})
//   3. SigV4                              (MissingAuthenticationToken, IncompleteSignature, ...)
//   4. model validation                   (SerializationException, ValidationException)
//   5. AuthorizationHook                  (AccessDeniedException, ...)
//   6. the OperationHandler               (its Status, mapped by errors.h)
// and writes one request log line. See operation.h for the handler contract. The wire format
// (steps 1, 2 and the response bytes) is protocols::JsonProtocol's.
//
// Operations are registered before serving; Handle() is then const and thread-safe (the model,
// verifier, hook and handlers must be thread-safe too). Holds references to the model and, via
// the verifier, the Clock; both must outlive it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <spdlog/logger.h>

#include "api/http_types.h"
#include "api/model.h"
#include "api/operation.h"
#include "api/protocols/json_protocol.h"
#include "api/sigv4.h"
#include "common/status.h"

namespace openpca::api {

inline constexpr std::string_view kAmzJsonContentType = "application/x-amz-json-1.1";

// A complete AWS JSON error response: status from errors.h, x-amzn-ErrorType, x-amzn-RequestId
// and {"__type","message"}.
HttpResponse JsonErrorResponse(const Status& status, std::string_view request_id);

class AwsJsonProtocol {
 public:
  AwsJsonProtocol(const ServiceModel& model, SigV4Verifier verifier, AuthorizationHook hook,
                  std::shared_ptr<spdlog::logger> logger);

  // `name` must be an operation of the model (aborts otherwise: a wiring bug). Not thread-safe;
  // call before serving.
  void RegisterOperation(std::string name, OperationHandler handler);

  // Runs the pipeline. `started` is when the request finished arriving (for the logged latency).
  // Never throws.
  HttpResponse Handle(const HttpRequest& request, std::string request_id,
                      std::chrono::steady_clock::time_point started) const;

  // Logs and builds an error response for a request rejected before Handle() (throttled, unknown
  // route). `action` may be empty.
  HttpResponse Reject(const HttpRequest& request, const Status& status, std::string request_id,
                      std::chrono::steady_clock::time_point started) const;

  const ServiceModel& model() const { return model_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using HandlerMap = std::unordered_map<std::string, OperationHandler, StringHash, std::equal_to<>>;

  // Steps 1-6; fills `ctx` as far as it gets.
  Result<nlohmann::json> Run(const HttpRequest& request, CallContext& ctx,
                             std::string* ca_arn) const;
  HttpResponse Finish(const Result<nlohmann::json>& result, const CallContext& ctx,
                      std::string_view ca_arn, std::chrono::steady_clock::time_point started) const;

  const ServiceModel& model_;
  SigV4Verifier verifier_;
  AuthorizationHook hook_;
  std::shared_ptr<spdlog::logger> logger_;
  HandlerMap handlers_;        // keyed by operation name
  protocols::JsonProtocol codec_;
};

}  // namespace openpca::api

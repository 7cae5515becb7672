#include "api/protocols/json_protocol.h"

#include "api/errors.h"
#include "api/model_shapes.h"
#include "api/protocols/wire.h"
#include "common/json_text.h"

namespace openpca::api::protocols {

JsonProtocol::JsonProtocol(const ServiceModel& model)
    : Protocol(model),
      target_prefix_(model.target_prefix() + "."),
      content_type_("application/x-amz-json-" +
                    (model.metadata().json_version.empty() ? std::string("1.0")
                                                           : model.metadata().json_version)) {}

Result<DecodedCall> JsonProtocol::Parse(const HttpRequest& request) const {
  std::string_view target = request.Header("x-amz-target");
  if (!target.starts_with(target_prefix_) ||
      !model().HasOperation(target.substr(target_prefix_.size()))) {
    return Status(ErrorCode::kUnknownOperation,
                  target.empty() ? "Missing X-Amz-Target header" : "Unknown operation");
  }
  DecodedCall call;
  call.operation = std::string(target.substr(target_prefix_.size()));
  // WARNING: client input from here on.
  call.input = request.body.empty() ? nlohmann::json::object()
                                    : nlohmann::json::parse(request.body, nullptr, false);
  if (call.input.is_discarded() || !call.input.is_object()) {
    return Status(ErrorCode::kSerialization, "Request body must be a JSON object");
  }
  return call;
}

HttpResponse JsonProtocol::EncodeOutput(std::string_view operation, const nlohmann::json& output,
                                        std::string_view request_id) const {
  const OperationInfo* op = model().FindOperation(operation);
  OPENPCA_CHECK(op != nullptr);
  HttpResponse res;
  res.status = 200;
  res.headers.reserve(2);
  res.headers.emplace_back("Content-Type", content_type_);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  if (output.is_null()) {
    res.body = "{}";
  } else if (op->output != nullptr && ContainsTimestamp(*op->output)) {
    nlohmann::json copy = output;
    NormalizeTimestamps(*op->output, "unixTimestamp", copy);
    res.body = JsonTextReplacingInvalidUtf8(copy);
  } else {
    res.body = JsonTextReplacingInvalidUtf8(output);
  }
  return res;
}

HttpResponse JsonProtocol::EncodeError(const Status& status, std::string_view request_id) const {
  AwsError err = ErrorFor(service(), status);
  HttpResponse res;
  res.status = err.http_status;
  res.headers.reserve(3);
  res.headers.emplace_back("Content-Type", content_type_);
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  res.headers.emplace_back("x-amzn-ErrorType", err.name);
  nlohmann::json body = {{"__type", err.name}, {"message", ClientMessage(status)}};
  // Messages can echo client input; replace rather than throw on ill-formed UTF-8.
  res.body = JsonTextReplacingInvalidUtf8(body);
  return res;
}

bool JsonProtocol::Matches(const HttpRequest& request) const {
  return request.Header("x-amz-target").starts_with(target_prefix_);
}

std::string JsonProtocol::OperationOf(const HttpRequest& request) const {
  std::string_view target = request.Header("x-amz-target");
  if (!target.starts_with(target_prefix_)) return {};
  std::string_view name = target.substr(target_prefix_.size());
  return model().HasOperation(name) ? std::string(name) : std::string();
}

}  // namespace openpca::api::protocols

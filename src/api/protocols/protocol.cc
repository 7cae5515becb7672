#include "api/protocols/protocol.h"

#include "api/protocols/json_protocol.h"
#include "api/protocols/query_protocol.h"
#include "api/protocols/rest_json_protocol.h"
#include "api/protocols/wire.h"

namespace openpca::api::protocols {
namespace {

// "AKID/20240101/us-east-1/iam/aws4_request" → "iam".
std::optional<std::string> ScopeService(std::string_view credential) {
  size_t parts[4];
  size_t pos = 0;
  for (size_t& p : parts) {
    p = credential.find('/', pos);
    if (p == std::string_view::npos) return std::nullopt;
    pos = p + 1;
  }
  std::string_view service = credential.substr(parts[2] + 1, parts[3] - parts[2] - 1);
  std::string_view terminator = credential.substr(parts[3] + 1);
  if (service.empty() || terminator != "aws4_request") return std::nullopt;
  return std::string(service);
}

}  // namespace

std::unique_ptr<Protocol> Protocol::For(const ServiceModel& model) {
  const std::string& p = model.metadata().protocol;
  if (p == "json") return std::make_unique<JsonProtocol>(model);
  if (p == "query") return std::make_unique<QueryProtocol>(model);
  if (p == "rest-json") return std::make_unique<RestJsonProtocol>(model);
  return nullptr;
}

Status Protocol::Validate(DecodedCall& call) const {
  RETURN_IF_ERROR(model_.ValidateInput(call.operation, call.input));
  model_.PruneInput(call.operation, call.input);
  return Status::Ok();
}

Result<DecodedCall> Protocol::Decode(const HttpRequest& request) const {
  ASSIGN_OR_RETURN(DecodedCall call, Parse(request));
  RETURN_IF_ERROR(Validate(call));
  return call;
}

std::optional<std::string> SigningServiceOf(const HttpRequest& request) {
  std::string_view auth = request.Header("authorization");
  if (!auth.empty()) {
    size_t at = auth.find("Credential=");
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = auth.substr(at + 11);
    size_t end = rest.find_first_of(", ");
    return ScopeService(rest.substr(0, end));
  }
  if (request.query.find("X-Amz-Credential=") != std::string_view::npos) {
    for (const FormParam& p : ParseForm(request.query)) {
      if (p.name == "X-Amz-Credential") return ScopeService(p.value);
    }
  }
  return std::nullopt;
}

}  // namespace openpca::api::protocols

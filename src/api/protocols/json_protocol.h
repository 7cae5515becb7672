// JsonProtocol: AWS JSON 1.0 / 1.1 (acm-pca, organizations, acm, cloudtrail, events).
//   request:  POST /, X-Amz-Target: <targetPrefix>.<Operation>, body a JSON object (empty = {})
//   response: 200, Content-Type application/x-amz-json-<jsonVersion>, x-amzn-RequestId, the
//             output object (timestamps as epoch seconds)
//   error:    x-amzn-ErrorType: <Code>, body {"__type":"<Code>","message":"..."}, the status of
//             errors.h ErrorFor(service)
// See protocol.h. Immutable; thread-safe.
#pragma once

#include <string>

#include "api/protocols/protocol.h"

namespace openpca::api::protocols {

class JsonProtocol final : public Protocol {
 public:
  explicit JsonProtocol(const ServiceModel& model);

  Result<DecodedCall> Parse(const HttpRequest& request) const override;
  HttpResponse EncodeOutput(std::string_view operation, const nlohmann::json& output,
                            std::string_view request_id) const override;
  HttpResponse EncodeError(const Status& status, std::string_view request_id) const override;
  bool Matches(const HttpRequest& request) const override;
  std::string OperationOf(const HttpRequest& request) const override;

  const std::string& content_type() const { return content_type_; }

 private:
  std::string target_prefix_;  // "ACMPrivateCA."
  std::string content_type_;   // "application/x-amz-json-1.1"
};

}  // namespace openpca::api::protocols

// QueryProtocol: the AWS query protocol with XML responses (IAM, STS).
//   request:  POST / with an application/x-www-form-urlencoded body, or GET with the same in the
//             query string: Action=CreateUser&Version=2010-05-08&UserName=alice&
//             Tags.member.1.Key=k&Tags.member.1.Value=v. Lists are X.member.N (X.N flattened;
//             an empty list is "X="), maps X.entry.N.key / X.entry.N.value, nested structures
//             dotted, booleans "true"/"false", timestamps ISO-8601 (decoded to epoch seconds).
//   response: 200 text/xml, <OpResponse xmlns="<xmlNamespace>"><OpResult>...</OpResult>
//             <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OpResponse>
//             (no OpResult for operations without output); lists as <member>, maps as
//             <entry><key/><value/></entry>, timestamps ISO-8601 UTC with Z.
//   error:    <ErrorResponse xmlns=..><Error><Type>Sender|Receiver</Type><Code>..</Code>
//             <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse> with the HTTP
//             status of errors.h ErrorFor(service) (the model's for modeled errors).
// See protocol.h. Immutable; thread-safe.
#pragma once

#include <map>
#include <string>

#include "api/protocols/protocol.h"

namespace openpca::api::protocols {

class QueryProtocol final : public Protocol {
 public:
  explicit QueryProtocol(const ServiceModel& model);

  Result<DecodedCall> Parse(const HttpRequest& request) const override;
  HttpResponse EncodeOutput(std::string_view operation, const nlohmann::json& output,
                            std::string_view request_id) const override;
  HttpResponse EncodeError(const Status& status, std::string_view request_id) const override;
  bool Matches(const HttpRequest& request) const override;
  std::string OperationOf(const HttpRequest& request) const override;

  // The request's parameters (query string, then a form body), first value of each name wins.
  static std::map<std::string, std::string> Params(const HttpRequest& request);
};

}  // namespace openpca::api::protocols

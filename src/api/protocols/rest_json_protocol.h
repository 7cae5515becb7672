// RestJsonProtocol: AWS REST-JSON (RAM; later others).
//   request:  routed by http.method and the requestUri template of the model ({Label} one path
//             segment, {Label+} the rest of the path, "?literal" query keys that must be present);
//             members travel by their location: uri labels, querystring parameters, headers
//             (header / headers-prefix maps), the rest in a JSON body under their locationName.
//             Body timestamps are epoch seconds unless the member says otherwise; header
//             timestamps HTTP-dates; query-string timestamps ISO-8601.
//   response: http.responseCode (200 unless modeled), Content-Type application/json,
//             x-amzn-RequestId, header members as headers, body members as a JSON object.
//   error:    x-amzn-ErrorType: <Code>, body {"message":"..."}, status of errors.h
//             ErrorFor(service) (the error shape's httpStatusCode when modeled).
// Not supported: a "payload" member (streaming or structure payload) — no model served by this
// codec uses one yet. See protocol.h. Immutable; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/protocols/protocol.h"

namespace openpca::api::protocols {

class RestJsonProtocol final : public Protocol {
 public:
  explicit RestJsonProtocol(const ServiceModel& model);

  Result<DecodedCall> Parse(const HttpRequest& request) const override;
  HttpResponse EncodeOutput(std::string_view operation, const nlohmann::json& output,
                            std::string_view request_id) const override;
  HttpResponse EncodeError(const Status& status, std::string_view request_id) const override;
  bool Matches(const HttpRequest& request) const override;
  std::string OperationOf(const HttpRequest& request) const override;

 private:
  struct Segment {
    enum Kind { kLiteral, kLabel, kGreedy } kind;
    std::string text;  // literal text, or the label name
  };
  struct Route {
    const OperationInfo* op;
    std::vector<Segment> segments;
    std::vector<std::string> required_query;  // "?tagging" / "?list-type=2" keys
    int literal_count = 0;
  };
  // The best route for the request and its decoded labels; nullptr if none.
  const Route* FindRoute(const HttpRequest& request,
                         std::vector<std::pair<std::string, std::string>>* labels) const;

  std::vector<Route> routes_;
};

}  // namespace openpca::api::protocols

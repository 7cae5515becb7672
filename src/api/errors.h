// Maps openpca's ErrorCode to what AWS clients expect: the error code sent on the wire ("__type",
// x-amzn-ErrorType, <Code>), the HTTP status, and whether the caller (Sender) or the service
// (Receiver) is at fault. The only place ErrorCode meets AWS names (STYLE.md).
//
// AwsErrorFor(code) is the default table, in acm-pca's names (/work/shared/spec/acm-pca.md §1).
// ErrorFor(service, ...) applies the service's own names on top of it (IAM's NoSuchEntity for
// kResourceNotFound, RAM's UnknownResourceException, ...) and takes the HTTP status and fault of a
// modeled error from the service's botocore model. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace openpca::api {

struct AwsError {
  std::string_view name;     // "ResourceNotFoundException", "NoSuchEntity"
  int http_status;           // 400, 403, 404, 409, 413, 500, 503
  bool sender_fault = true;  // query protocol <Type>: Sender (true) or Receiver
};

// The default table. Aborts for kOk (a caller bug).
AwsError AwsErrorFor(ErrorCode code);

// The error as `service` (a signing name: "acm-pca", "iam", "sts", "organizations", "ram",
// "acm", "cloudtrail", "events"; any other name gets the default table) names it. Aborts for kOk.
AwsError ErrorFor(std::string_view service, ErrorCode code);
inline AwsError ErrorFor(std::string_view service, const Status& status) {
  return ErrorFor(service, status.code());
}

// The message the client sees. kInternal detail is replaced by a generic sentence: the real
// message belongs in the log only.
std::string ClientMessage(const Status& status);

// {"__type":"<name>","message":"<ClientMessage>"}
std::string ErrorBody(const Status& status);

}  // namespace openpca::api

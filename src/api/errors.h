// Maps openpca's ErrorCode to what AWS JSON 1.1 clients expect: the error name sent as "__type"
// and x-amzn-ErrorType, and the HTTP status. The only place ErrorCode meets AWS names (STYLE.md).
// Names follow /work/shared/spec/acm-pca.md §1. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace openpca::api {

struct AwsError {
  std::string_view name;  // "ResourceNotFoundException"
  int http_status;        // 400, 403, 413, 500, 503
};

// Aborts for kOk (a caller bug).
AwsError AwsErrorFor(ErrorCode code);

// The message the client sees. kInternal detail is replaced by a generic sentence: the real
// message belongs in the log only.
std::string ClientMessage(const Status& status);

// {"__type":"<name>","message":"<ClientMessage>"}
std::string ErrorBody(const Status& status);

}  // namespace openpca::api

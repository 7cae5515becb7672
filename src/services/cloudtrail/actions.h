// The IAM view of each CloudTrail operation: cloudtrail:LookupEvents on "*" (the event history
// has no resource ARN).
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::cloudtrail {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::cloudtrail

// The IAM view of each Organizations operation: organizations:<Operation> on "*" (the calls act
// on the caller's organization; which account may make them is the service's own rule).
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::organizations {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::organizations

// The IAM view of each STS operation: sts:AssumeRole on the role ARN, with sts:RoleSessionName,
// sts:ExternalId, sts:SourceIdentity, aws:RequestTag/<k> and aws:TagKeys (session tags; a call
// with Tags also needs sts:TagSession, checked by the handler through the same authorizer);
// GetCallerIdentity and GetSessionToken need no permission.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::sts {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::sts

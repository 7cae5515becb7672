// The IAM service (query protocol, API version 2010-05-08): its operation table. Handlers take
// and return the botocore model's member names (api/operation.h); timestamps are ISO-8601 UTC
// strings ("2026-12-06T21:00:00Z"); policy documents in outputs are URL-encoded (RFC 3986) as IAM
// sends them. Authorization happens in the pipeline before a handler runs; handlers check
// existence, names, quotas and policy grammar (through hooks.check_policy).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "identity/hooks.h"
#include "identity/identity.h"

namespace openpca::services::iam {

// (operation name, handler) for every implemented IAM operation. `identity` must outlive the
// handlers.
std::vector<std::pair<std::string, api::OperationHandler>> IamOperations(
    identity::Identity& identity, identity::PolicyHooks hooks);

}  // namespace openpca::services::iam

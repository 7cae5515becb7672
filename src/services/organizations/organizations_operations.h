// The Organizations service (JSON 1.1, AWSOrganizationsV20161128): organization, root, OUs,
// accounts (CreateAccount with its status), and service control policies. Handlers take and
// return the botocore model's member names; timestamps are ISO-8601 UTC strings (the codec
// writes epoch seconds on the JSON wire). The caller's account is CallContext::account_id.
//
// CreateAccount completes within the call: the new account, its OrganizationAccountAccessRole
// (or RoleName) trusting the management account root with an inline AdministratorAccess policy,
// and a SUCCEEDED (or FAILED) status are committed together; the response still says
// IN_PROGRESS, as AWS's does, and DescribeCreateAccountStatus reports the outcome.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "identity/hooks.h"
#include "identity/identity.h"

namespace openpca::services::organizations {

inline constexpr char kFullAwsAccessId[] = "p-FullAWSAccess";
inline constexpr size_t kMaxScpSize = 5120;
inline constexpr size_t kMaxScpsPerTarget = 5;

std::vector<std::pair<std::string, api::OperationHandler>> OrganizationsOperations(
    identity::Identity& identity, identity::PolicyHooks hooks);

}  // namespace openpca::services::organizations

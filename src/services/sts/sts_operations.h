// The STS service (query protocol, API version 2011-06-15): AssumeRole, GetCallerIdentity,
// GetSessionToken. Handlers take and return the botocore model's member names; timestamps
// (Credentials.Expiration) are ISO-8601 UTC strings. The caller is re-resolved from
// CallContext::access_key_id and CallContext::session_token, so the pipeline must fill both.
//
// AssumeRole authorization: the role's trust policy is evaluated through hooks.check_trust (no
// hook: every AssumeRole is refused). The caller's own identity policy (needed cross-account)
// is the pipeline's job, as for every action.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "identity/hooks.h"
#include "identity/identity.h"

namespace openpca::services::sts {

// Limits of session policies and tags. AWS packs the inline policy, managed policy ARNs and
// session tags into a compressed binary form with an unpublished limit and reports its use as
// PackedPolicySize (percent). openpca approximates the packed size as
//   non-whitespace characters of Policy + 64 per PolicyArns entry + len(key)+len(value) per tag
// against a budget of 2,048 (docs/decisions.md "Packed session policy size").
inline constexpr size_t kPackedPolicyBudget = 2048;
inline constexpr size_t kMaxSessionPolicyChars = 2048;
inline constexpr size_t kMaxPolicyArns = 10;
inline constexpr size_t kMaxSessionTags = 50;
inline constexpr int64_t kRoleChainingMaxSeconds = 3600;

std::vector<std::pair<std::string, api::OperationHandler>> StsOperations(
    identity::Identity& identity, identity::PolicyHooks hooks);

}  // namespace openpca::services::sts

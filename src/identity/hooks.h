// Hooks the integrator wires to the policy engine (src/policy): the identity domain and the IAM,
// STS and Organizations handlers validate and evaluate policies only through these, so they do
// not depend on the engine. BasicPolicyCheck is a stand-in that checks the JSON shape only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "identity/identity.h"

namespace openpca::identity {

enum class PolicyDocKind {
  kIdentity,        // user/group/role inline and managed policies, permissions boundaries
  kTrust,           // a role's AssumeRolePolicyDocument (resource policy: needs Principal)
  kSession,         // STS session policies (Policy, PolicyArns documents)
  kServiceControl,  // Organizations SCPs
};

// Returns OK or kMalformedPolicyDocument with AWS's message ("Syntax errors in policy.", …).
using PolicyCheck = std::function<Status(std::string_view document, PolicyDocKind kind)>;

// One STS AssumeRole (or other sts:* on a role) authorization against the role's trust policy.
struct TrustRequest {
  Principal caller;            // who calls AssumeRole
  std::string role_arn;        // the resource
  std::string trust_policy;    // the role's AssumeRolePolicyDocument
  std::vector<std::string> actions;  // "sts:AssumeRole", plus "sts:TagSession" with Tags,
                                     // "sts:SetSourceIdentity" with SourceIdentity
  // Request condition keys: sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity,
  // aws:RequestTag/<k>, aws:TagKeys (multi-valued, joined as separate entries),
  // sts:TransitiveTagKeys; plus aws:PrincipalTag/*, aws:PrincipalArn, aws:PrincipalAccount,
  // aws:PrincipalType, aws:userid and aws:PrincipalOrgID/Paths from `caller` and `org`.
  std::vector<std::pair<std::string, std::string>> context;
  std::optional<OrgContext> caller_org;
};
// Returns OK when the trust policy allows every action for the caller, else kAccessDenied.
// Cross-account callers also need their own identity policies to allow sts:AssumeRole on the
// role ARN: the pipeline has authorized that before the handler runs.
using TrustCheck = std::function<Status(const TrustRequest& request)>;

// What SimulatePrincipalPolicy evaluates (model: iam SimulatePrincipalPolicy).
struct SimulateRequest {
  std::string policy_source_arn;
  std::string source_type;  // "user" | "group" | "role"
  std::string account_id;
  std::vector<PolicySource> identity_policies;  // the entity's (user: + groups') + PolicyInputList
  std::optional<std::string> permissions_boundary;
  std::vector<std::string> action_names;
  std::vector<std::string> resource_arns;  // ["*"] when not given
  std::optional<std::string> resource_policy;
  std::optional<std::string> resource_owner;
  std::optional<std::string> caller_arn;
  // ContextEntries as given: [{ContextKeyName, ContextKeyValues, ContextKeyType}].
  std::string context_entries_json;
  std::optional<OrgContext> org;
};
// Returns the output members {"EvaluationResults":[…]} before pagination (the handler pages).
using SimulateHook = std::function<Result<std::string>(const SimulateRequest& request)>;

struct PolicyHooks {
  PolicyCheck check_policy;  // empty: BasicPolicyCheck
  TrustCheck check_trust;    // empty: every AssumeRole is refused (kAccessDenied)
  SimulateHook simulate;     // empty: SimulatePrincipalPolicy fails (kInternal)
};

// JSON object with "Version"/"Statement"; Statement items need Effect Allow|Deny; a trust policy
// needs Principal in every statement; identity/session/SCP policies must not have Principal.
Status BasicPolicyCheck(std::string_view document, PolicyDocKind kind);

// hooks.check_policy or BasicPolicyCheck.
Status CheckPolicy(const PolicyHooks& hooks, std::string_view document, PolicyDocKind kind);

}  // namespace openpca::identity

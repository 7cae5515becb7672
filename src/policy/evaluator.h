// IAM policy evaluation: given every policy that applies to a request, decide Allow, explicit
// Deny or implicit Deny, and say which step decided (for AWS-shaped AccessDenied messages and
// SimulatePrincipalPolicy). Pure function over immutable policies; thread-safe.
//
// Order (docs/architecture.md "Policy evaluation"):
//   1. a matching Deny in any policy (SCP, resource, identity, boundary, session) → explicit deny;
//   2. anonymous callers: only a resource-policy Allow for "*"; service principals: only a
//      resource-policy Allow naming the service;
//   3. SCPs: every level of the hierarchy must have an Allow;
//   4. cross-account (resource_account set and not the caller's): the resource policy must allow
//      (naming the account, the caller, its role, or "*") AND the caller's side must allow
//      (identity policies — implicit for the account root — then boundary, then session policy);
//   5. same account: a resource-policy Allow naming the caller (user / session ARN) allows;
//      naming the role (or "*") allows unless the boundary or session policy does not; naming the
//      account delegates to the identity policies; the account root needs no identity policy;
//      otherwise an identity policy must allow, then the boundary, then the session policy.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy/request_context.h"

namespace openpca::policy {

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };
// "allowed", "explicitDeny", "implicitDeny" (SimulatePrincipalPolicy's EvalDecision).
const char* DecisionName(Decision d);

enum class Reason {
  kAllowed,
  kExplicitDenyIdentity,
  kExplicitDenyResource,
  kExplicitDenyScp,
  kExplicitDenyBoundary,
  kExplicitDenySession,
  kNoIdentityAllow,
  kNoResourceAllow,  // cross-account, anonymous and service callers
  kNoScpAllow,
  kNoBoundaryAllow,
  kNoSessionAllow,
};
// "Allowed", "ExplicitDenyIdentity", ... (the enumerator without its k).
const char* ReasonName(Reason r);

enum class PolicySource { kIdentity, kResource, kServiceControl, kPermissionsBoundary, kSession };

struct MatchedStatement {
  PolicySource source = PolicySource::kIdentity;
  size_t level = 0;         // kServiceControl: the hierarchy level; else 0
  size_t policy_index = 0;  // index in its list (identity, session, or the SCP level)
  size_t statement_index = 0;
  std::shared_ptr<const Policy> policy;
  const Statement& statement() const { return policy->statements()[statement_index]; }
};

struct PolicySet {
  std::vector<std::shared_ptr<const Policy>> policies;
};

struct EvaluationInput {
  // Identity-based policies of the principal (user + its groups, or the role). Empty for the
  // account root, services and anonymous callers.
  std::vector<std::shared_ptr<const Policy>> identity;
  // Resource-based policy of the target (CA policy, role trust policy, bucket policy), if any.
  std::optional<std::shared_ptr<const Policy>> resource;
  // Account that owns the resource ("" if none / global: then same-account rules apply).
  std::string resource_account;
  std::optional<std::shared_ptr<const Policy>> permissions_boundary;
  // Session policies (AssumeRole Policy and PolicyArns): an action must be allowed by one.
  std::vector<std::shared_ptr<const Policy>> session;
  // SCPs of the principal's account, one entry per level (root, OUs..., account); each level
  // needs an Allow. Empty = no SCPs (no organization, SCPs disabled, or the management account).
  std::vector<std::vector<std::shared_ptr<const Policy>>> scp_levels;
  // The resource policy must allow, in the resource's own account too: a role's trust policy for
  // sts:AssumeRole. (Naming the account still needs the caller's identity policies.)
  bool resource_policy_required = false;
};

struct EvaluationResult {
  Decision decision = Decision::kImplicitDeny;
  Reason reason = Reason::kNoIdentityAllow;
  // Explicit deny: the matching Deny statements (only those). Allow: the Allow statements of the
  // policies that granted. Implicit deny: empty.
  std::vector<MatchedStatement> matched;
  // SimulatePrincipalPolicy's OrganizationsDecisionDetail / PermissionsBoundaryDecisionDetail:
  // set when SCPs / a boundary took part.
  std::optional<bool> allowed_by_organizations;
  std::optional<bool> allowed_by_permissions_boundary;
};

EvaluationResult Evaluate(const EvaluationInput& input, const RequestContext& request);

// "User: <principal arn> is not authorized to perform: <action> on resource: <resource> because
// no identity-based policy allows the <action> action", and the other AWS shapes ("with an
// explicit deny in a resource-based policy", ...). The session ARN for role sessions; "anonymous"
// for anonymous callers; " on resource: ..." is left out when the resource is "*" or empty.
std::string AccessDeniedMessage(const RequestContext& request, const EvaluationResult& result);

// SimulatePrincipalPolicy's MissingContextValues: condition keys (and policy-variable keys) that
// the input's policies read and the request does not set, as first written, each name once.
std::vector<std::string> MissingContextKeys(const EvaluationInput& input,
                                            const RequestContext& request);

}  // namespace openpca::policy

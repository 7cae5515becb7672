// PolicyAuthorizer: the api::Authorizer of the endpoint. For one call it gathers what AWS
// evaluates — the caller's identity policies (user and groups, or role), permissions boundary,
// session policies and SCPs; the target's resource policy (CA policy with its RAM-shared and
// service statements, role trust policy, ...) and owner account — builds the request context
// (global aws:* keys, aws:PrincipalTag/*, aws:ResourceTag/*, the operation's own keys) and asks
// the policy engine. Denials carry AWS's message ("User: <arn> is not authorized to perform:
// <action> on resource: <arn> because ...").
//
// What it knows of principals and resources comes through the two small interfaces below, so it
// depends on no store. Thread-safe when they are.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "common/clock.h"
#include "common/status.h"
#include "policy/evaluator.h"
#include "policy/policy.h"
#include "policy/request_context.h"

namespace openpca::access {

using PolicyPtr = std::shared_ptr<const policy::Policy>;

// The policies and attributes of a calling principal.
struct PrincipalPolicies {
  std::vector<PolicyPtr> identity;
  std::optional<PolicyPtr> permissions_boundary;
  std::vector<PolicyPtr> session;
  std::vector<std::pair<std::string, std::string>> tags;  // principal tags, session tags applied
  std::string user_name;                                   // IAM users only
  std::optional<int64_t> token_issue_time_s;               // temporary credentials only
  // Organization of the principal's account, if any.
  std::string org_id;
  std::vector<std::string> org_paths;  // "o-xxx/r-xxxx/ou-xxxx/"
  // SCP levels that restrict the account (empty for the management account or without SCPs).
  std::vector<std::vector<PolicyPtr>> scp_levels;
};

class PrincipalDirectory {
 public:
  virtual ~PrincipalDirectory() = default;
  // Errors: kInternal (fail closed).
  virtual Result<PrincipalPolicies> PoliciesOf(const api::CallContext& ctx) const = 0;
};

// What the authorizer needs of the resource a call acts on.
struct ResourceFacts {
  std::string owner_account;  // "" for resources of no account
  std::vector<std::pair<std::string, std::string>> tags;
  std::optional<PolicyPtr> policy;  // resource-based policy
};

class ResourceDirectory {
 public:
  virtual ~ResourceDirectory() = default;
  // Facts about `arn` as seen by an `action`; a resource that does not exist has the account of
  // its ARN, no tags and no policy (the handler then answers not-found to an allowed caller).
  // Errors: kInternal (fail closed).
  virtual Result<ResourceFacts> FactsOf(std::string_view arn, std::string_view action) const = 0;
};

class PolicyAuthorizer final : public api::Authorizer {
 public:
  PolicyAuthorizer(const PrincipalDirectory& principals, const ResourceDirectory& resources,
                   const Clock& clock);

  Status Authorize(const api::CallContext& ctx, const api::ActionSpec& spec,
                   const std::string& resource, const api::ConditionKeys& keys) const override;

  // The request context the engine sees for this call (also used by SimulatePrincipalPolicy).
  Result<policy::RequestContext> ContextFor(const api::CallContext& ctx, std::string_view action,
                                            const std::string& resource,
                                            const api::ConditionKeys& keys,
                                            const PrincipalPolicies& principal,
                                            const ResourceFacts& facts) const;

 private:
  const PrincipalDirectory& principals_;
  const ResourceDirectory& resources_;
  const Clock& clock_;
};

}  // namespace openpca::access

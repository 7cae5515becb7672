// IdentityPrincipals: the PrincipalDirectory over the identity domain (src/identity). For the
// calling credential it finds the principal again (the same cached resolution the SigV4 check
// used), its identity policies, permissions boundary, session policies and tags, and its
// account's organization (org id and paths, SCP levels — none for the management account),
// each policy parsed once through the PolicyCache. Thread-safe.
#pragma once

#include "access/authorizer.h"
#include "identity/identity.h"
#include "policy/policy_cache.h"

namespace openpca::access {

class IdentityPrincipals final : public PrincipalDirectory {
 public:
  IdentityPrincipals(identity::Identity& identity, policy::PolicyCache& cache)
      : identity_(identity), cache_(cache) {}

  Result<PrincipalPolicies> PoliciesOf(const api::CallContext& ctx) const override;

  // The same for a principal already resolved (SimulatePrincipalPolicy, trust checks).
  Result<PrincipalPolicies> PoliciesOfPrincipal(const identity::Principal& principal) const;

 private:
  Result<PolicyPtr> Parse(const std::string& document, policy::PolicyKind kind) const;

  identity::Identity& identity_;
  policy::PolicyCache& cache_;
};

// The api view of an identity principal type.
api::PrincipalType ApiPrincipalType(identity::PrincipalType type);

}  // namespace openpca::access

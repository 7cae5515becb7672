// IdentityPrincipals: the PrincipalDirectory over the identity domain (src/identity). For the
// calling credential it finds the principal again (the same cached resolution the SigV4 check
// used), its identity policies, permissions boundary, session policies and tags, and its
// account's organization (org id and paths, SCP levels — none for the management account),
// each policy parsed once through the PolicyCache. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

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

  // What PoliciesOf() found per credential (access key id + session token), valid while the
  // identity state it was read from is current: a repeated caller costs one lookup, not a
  // session-token unseal and a policy gathering per request.
  struct Cached {
    std::shared_ptr<const identity::State> state;
    PrincipalPolicies policies;
  };
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Cached> by_credential_;
};

// The api view of an identity principal type.
api::PrincipalType ApiPrincipalType(identity::PrincipalType type);

}  // namespace openpca::access

// The identity domain's policy hooks (identity/hooks.h) wired to the policy engine: documents are
// checked by policy::Policy::Parse, STS trust checks and SimulatePrincipalPolicy are evaluated by
// policy::Evaluate with the same request context the authorizer builds, so a simulation answers
// what a real call would get.
#pragma once

#include "access/authorizer.h"
#include "access/identity_principals.h"
#include "identity/hooks.h"
#include "policy/policy_cache.h"

namespace openpca::access {

// All references must outlive the hooks.
identity::PolicyHooks MakeIdentityHooks(const PolicyAuthorizer& authorizer,
                                        const IdentityPrincipals& principals,
                                        policy::PolicyCache& cache);

}  // namespace openpca::access

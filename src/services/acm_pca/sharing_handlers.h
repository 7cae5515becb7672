// The acm-pca operations about sharing a CA: PutPolicy, GetPolicy, DeletePolicy (the CA's
// resource policy), CreatePermission, ListPermissions, DeletePermission (grants to
// acm.amazonaws.com), and ListCertificateAuthorities with ResourceOwner OTHER_ACCOUNTS.
//
// Register after api::AcmPcaOperations(): this table's ListCertificateAuthorities replaces that
// one (it answers SELF the same way, through the Authority). The request pipeline has already
// authorized the call; handlers never check permissions. Thread-safe; `deps` must outlive the
// handlers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "authority/authority.h"
#include "common/clock.h"
#include "sharing/effective_policy.h"
#include "store/sharing_store.h"
#include "store/store.h"

namespace openpca::services::acm_pca {

// The general policy grammar check PutPolicy applies after AWS's shape rules (the integrator wires
// policy::Policy::Parse). Returns an error (kMalformedPolicyDocument or kInvalidPolicy) to refuse;
// any error becomes InvalidPolicyException.
using PolicyValidator = std::function<Status(std::string_view policy_json)>;

struct SharingDeps {
  authority::Authority* authority = nullptr;
  store::Store* store = nullptr;
  store::SharingStore* sharing = nullptr;
  sharing::ResourcePolicies* policies = nullptr;
  const Clock* clock = nullptr;
  PolicyValidator validate_policy;  // unset: only the shape rules apply
};

std::vector<std::pair<std::string, api::OperationHandler>> AcmPcaSharingOperations(
    SharingDeps deps);

}  // namespace openpca::services::acm_pca

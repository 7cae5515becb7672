// AWS RAM (Resource Access Manager), the subset that shares certificate authorities: resource
// shares and their resource/principal/permission associations, invitations, AWS-managed and
// customer-managed permissions, and the resource policies shares produce.
//
// Input and output are RAM's model member names (camelCase); timestamps are epoch seconds.
// The request pipeline decodes RAM's REST-JSON wire into this JSON, authorizes, then calls the
// handler; handlers never check permissions. A share's effect on a CA is read back by
// sharing::ResourcePolicies (the CA's effective resource policy). Thread-safe; `deps` must
// outlive the handlers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "common/clock.h"
#include "common/random.h"
#include "sharing/effective_policy.h"
#include "store/sharing_store.h"
#include "store/store.h"

namespace openpca::services::ram {

// True when `principal_account` belongs to the organization of `owner_account` and that
// organization has enabled sharing with AWS RAM: such principals are associated at once;
// any other account receives an invitation it must accept.
using SameOrganizationHook =
    std::function<bool(std::string_view owner_account, std::string_view principal_account)>;

struct RamDeps {
  store::SharingStore* sharing = nullptr;
  store::Store* store = nullptr;  // CAs named as resources
  sharing::ResourcePolicies* policies = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  std::string default_region = "us-east-1";             // when CallContext::region is ""
  SameOrganizationHook same_organization_with_sharing;  // unset: no account is (invitations)
};

// Every supported RAM operation by its AWS name ("CreateResourceShare"), ready to register.
std::vector<std::pair<std::string, api::OperationHandler>> RamOperations(RamDeps deps);

}  // namespace openpca::services::ram

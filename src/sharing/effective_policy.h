// ResourcePolicies: the one resource policy the authorizer evaluates for a CA, merged from
//   1. the CA's own policy (acm-pca PutPolicy), statements as stored;
//   2. its acm.amazonaws.com permissions (CreatePermission): Principal {"Service":...},
//      aws:SourceAccount condition (sharing/statements.h PermissionStatement);
//   3. every ACTIVE RAM share whose association with the CA is ASSOCIATED: the share's permission
//      for acm-pca:CertificateAuthority, applied to each ASSOCIATED principal of the share, with
//      Resource = the CA ARN.
// Also answers which CAs are shared with an account (ListCertificateAuthorities OTHER_ACCOUNTS,
// RAM ListResources OTHER-ACCOUNTS). Reads only; thread-safe; the stores must outlive it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sharing_store.h"
#include "store/store.h"

namespace openpca::sharing {

class ResourcePolicies {
 public:
  ResourcePolicies(store::SharingStore& sharing, store::Store& store)
      : sharing_(sharing), store_(store) {}

  // {"Version":"2012-10-17","Statement":[...]} of the CA, nullopt when nothing grants access.
  // Errors: kResourceNotFound for an unknown CA; kInternal.
  Result<std::optional<std::string>> EffectiveResourcePolicy(std::string_view ca_id);
  // The same for a CA the caller has just read (no second read of its row). Errors: kInternal.
  Result<std::optional<std::string>> EffectiveResourcePolicy(const store::CaRecord& ca);

  // Ids of the CAs of other accounts shared with `account_id`: through an ACTIVE RAM share whose
  // resource and principal (that account id) associations are ASSOCIATED, or through a CA policy
  // naming the account. Ordered by CA id. Errors: kInternal.
  Result<std::vector<std::string>> ListCasSharedWith(std::string_view account_id);

  // The statements RAM shares contribute to the resource `resource_arn` (part 3 above).
  Result<std::vector<nlohmann::json>> RamStatements(std::string_view resource_arn);

  // The statement templates of a RAM permission version (AWS-managed or customer-managed;
  // version 0 = the default version). Errors: kUnknownResource; kInternal.
  Result<std::vector<nlohmann::json>> PermissionTemplates(std::string_view permission_arn,
                                                          int64_t version);

 private:
  store::SharingStore& sharing_;
  store::Store& store_;
};

}  // namespace openpca::sharing

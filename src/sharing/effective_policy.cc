#include "sharing/effective_policy.h"

#include <algorithm>
#include <set>

#include "sharing/ca_policy_shape.h"
#include "sharing/managed_permissions.h"
#include "sharing/statements.h"

namespace openpca::sharing {
namespace {

using json = nlohmann::json;

// The uuid at the end of a share ARN, for statement ids.
std::string ShareId(std::string_view share_arn) {
  size_t slash = share_arn.rfind('/');
  return std::string(slash == std::string_view::npos ? share_arn : share_arn.substr(slash + 1));
}

}  // namespace

Result<std::vector<json>> ResourcePolicies::PermissionTemplates(std::string_view arn,
                                                                int64_t version) {
  if (const ManagedPermission* managed = FindManagedPermission(arn)) {
    return ParsePolicyTemplate(managed->policy_template, managed->resource_type);
  }
  auto permission = sharing_.GetRamPermission(arn);
  if (!permission.ok()) {
    if (permission.status().code() == ErrorCode::kResourceNotFound) {
      return Status(ErrorCode::kUnknownResource, "Permission " + std::string(arn) + " not found");
    }
    return permission.status();
  }
  int64_t wanted = version == 0 ? permission->default_version : version;
  for (const auto& v : permission->versions) {
    if (v.version == wanted)
      return ParsePolicyTemplate(v.policy_template, permission->resource_type);
  }
  return Status(ErrorCode::kUnknownResource, "Permission version not found");
}

Result<std::vector<json>> ResourcePolicies::RamStatements(std::string_view resource_arn) {
  std::vector<json> out;
  ASSIGN_OR_RETURN(auto resources, sharing_.ListShareResources(
                                       {.share_arn = "", .entity = std::string(resource_arn)}));
  for (const auto& resource : resources) {
    if (resource.status != "ASSOCIATED") continue;
    ASSIGN_OR_RETURN(store::ResourceShareRecord share,
                     sharing_.GetResourceShare(resource.share_arn));
    if (share.status != "ACTIVE") continue;
    ASSIGN_OR_RETURN(auto permissions, sharing_.ListSharePermissions(share.arn));
    auto permission = std::find_if(permissions.begin(), permissions.end(), [&](const auto& p) {
      return p.resource_type == resource.resource_type;
    });
    if (permission == permissions.end()) continue;
    auto templates =
        PermissionTemplates(permission->permission_arn, permission->permission_version);
    // A permission deleted after it was attached grants nothing.
    if (!templates.ok()) {
      if (templates.status().code() == ErrorCode::kUnknownResource) continue;
      return templates.status();
    }
    ASSIGN_OR_RETURN(auto principals,
                     sharing_.ListSharePrincipals({.share_arn = share.arn, .entity = ""}));
    int n = 0;
    for (const auto& principal : principals) {
      if (principal.status != "ASSOCIATED") continue;
      for (const auto& tmpl : *templates) {
        out.push_back(ApplyTemplate(tmpl, principal.entity, resource_arn,
                                    "RAM-" + ShareId(share.arn) + "-" + std::to_string(n++)));
      }
    }
  }
  return out;
}

Result<std::optional<std::string>> ResourcePolicies::EffectiveResourcePolicy(
    std::string_view ca_id) {
  ASSIGN_OR_RETURN(store::CaRecord ca, store_.GetCa(ca_id));
  return EffectiveResourcePolicy(ca);
}

Result<std::optional<std::string>> ResourcePolicies::EffectiveResourcePolicy(
    const store::CaRecord& ca) {
  const std::string& ca_id = ca.id;
  json statements = json::array();
  ASSIGN_OR_RETURN(std::optional<store::CaPolicyRecord> own, sharing_.GetCaPolicy(ca_id));
  if (own.has_value()) {
    json doc = json::parse(own->policy, nullptr, false);
    if (doc.is_object() && doc.contains("Statement")) {
      if (doc["Statement"].is_object()) {
        statements.push_back(doc["Statement"]);
      } else if (doc["Statement"].is_array()) {
        for (const auto& s : doc["Statement"]) statements.push_back(s);
      }
    }
  }
  ASSIGN_OR_RETURN(auto permissions, sharing_.ListCaPermissions(ca_id));
  for (const auto& p : permissions) statements.push_back(PermissionStatement(p, ca.arn));
  ASSIGN_OR_RETURN(auto ram, RamStatements(ca.arn));
  for (auto& s : ram) statements.push_back(std::move(s));
  if (statements.empty()) return std::optional<std::string>();
  return std::optional<std::string>(
      json{{"Version", "2012-10-17"}, {"Statement", std::move(statements)}}.dump());
}

Result<std::vector<std::string>> ResourcePolicies::ListCasSharedWith(std::string_view account_id) {
  std::set<std::string> ids;
  ASSIGN_OR_RETURN(auto principals, sharing_.ListSharePrincipals(
                                        {.share_arn = "", .entity = std::string(account_id)}));
  for (const auto& principal : principals) {
    if (principal.status != "ASSOCIATED") continue;
    ASSIGN_OR_RETURN(store::ResourceShareRecord share,
                     sharing_.GetResourceShare(principal.share_arn));
    if (share.status != "ACTIVE" || share.owner_account == account_id) continue;
    ASSIGN_OR_RETURN(auto resources,
                     sharing_.ListShareResources({.share_arn = share.arn, .entity = ""}));
    for (const auto& r : resources) {
      if (r.status != "ASSOCIATED" || r.resource_type != kCaResourceType) continue;
      ids.insert(r.entity.substr(r.entity.rfind('/') + 1));
    }
  }
  ASSIGN_OR_RETURN(auto policies, sharing_.ListCaPolicies());
  for (const auto& p : policies) {
    std::vector<std::string> named = AccountsNamedBy(json::parse(p.policy, nullptr, false));
    if (std::find(named.begin(), named.end(), account_id) != named.end()) ids.insert(p.ca_id);
  }
  std::vector<std::string> out;
  for (const auto& id : ids) {
    auto ca = store_.GetCa(id);
    if (!ca.ok()) {
      if (ca.status().code() == ErrorCode::kResourceNotFound) continue;
      return ca.status();
    }
    if (ca->account_id != account_id) out.push_back(id);
  }
  return out;
}

}  // namespace openpca::sharing

#include "sharing/managed_permissions.h"

#include <nlohmann/json.hpp>

namespace openpca::sharing {
namespace {

using json = nlohmann::json;

json ReadActions() {
  return json{{"Effect", "Allow"},
              {"Action",
               {"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
                "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions",
                "acm-pca:ListTags"}}};
}

json IssueWith(std::string_view template_name) {
  return json{
      {"Effect", "Allow"},
      {"Action", {"acm-pca:IssueCertificate"}},
      {"Condition",
       {{"StringEquals",
         {{"acm-pca:TemplateArn", "arn:aws:acm-pca:::template/" + std::string(template_name)}}}}}};
}

ManagedPermission Make(std::string name, json statements, bool is_default) {
  ManagedPermission p;
  p.arn = "arn:aws:ram::aws:permission/" + name;
  p.name = std::move(name);
  p.resource_type = std::string(kCaResourceType);
  p.policy_template = statements.dump();
  p.resource_type_default = is_default;
  return p;
}

std::vector<ManagedPermission> Build() {
  std::vector<ManagedPermission> out;
  out.push_back(Make("AWSRAMDefaultPermissionCertificateAuthority",
                     json::array({ReadActions(), IssueWith("EndEntityCertificate/V1")}), true));
  out.push_back(Make(
      "AWSRAMBlankEndEntityCertificateAPICSRPassthroughIssuanceCertificateAuthority",
      json::array({ReadActions(), IssueWith("BlankEndEntityCertificate_APICSRPassthrough/V1")}),
      false));
  out.push_back(
      Make("AWSRAMBlankEndEntityCertificateAPIPassthroughIssuanceCertificateAuthority",
           json::array({ReadActions(), IssueWith("BlankEndEntityCertificate_APIPassthrough/V1")}),
           false));
  out.push_back(
      Make("AWSRAMSubordinateCACertificatePathLen0IssuanceCertificateAuthority",
           json::array({ReadActions(), IssueWith("SubordinateCACertificate_PathLen0/V1")}), false));
  json revoke = ReadActions();
  revoke["Action"].push_back("acm-pca:RevokeCertificate");
  out.push_back(Make("AWSRAMRevokeCertificateCertificateAuthority", json::array({revoke}), false));
  return out;
}

}  // namespace

const std::vector<ManagedPermission>& ManagedPermissions() {
  static const std::vector<ManagedPermission> permissions = Build();
  return permissions;
}

const ManagedPermission* FindManagedPermission(std::string_view arn) {
  for (const auto& p : ManagedPermissions()) {
    if (p.arn == arn) return &p;
  }
  return nullptr;
}

const ManagedPermission* DefaultManagedPermission(std::string_view resource_type) {
  for (const auto& p : ManagedPermissions()) {
    if (p.resource_type == resource_type && p.resource_type_default) return &p;
  }
  return nullptr;
}

}  // namespace openpca::sharing

// The AWS-managed RAM permissions openpca offers, for resource type acm-pca:CertificateAuthority
// (spec: RAM b.4). Each is a list of statement templates (Effect, Action, optional Condition; RAM
// adds Principal and Resource when it applies a share). Immutable static data; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace openpca::sharing {

inline constexpr std::string_view kCaResourceType = "acm-pca:CertificateAuthority";

struct ManagedPermission {
  std::string name;             // AWSRAMDefaultPermissionCertificateAuthority
  std::string arn;              // arn:aws:ram::aws:permission/<name>
  std::string resource_type;    // acm-pca:CertificateAuthority
  std::string policy_template;  // JSON array of statement templates
  bool resource_type_default = false;
};

const std::vector<ManagedPermission>& ManagedPermissions();
// nullptr when `arn` is not an AWS-managed permission.
const ManagedPermission* FindManagedPermission(std::string_view arn);
// The resource type's default permission; nullptr for a type without one.
const ManagedPermission* DefaultManagedPermission(std::string_view resource_type);

}  // namespace openpca::sharing

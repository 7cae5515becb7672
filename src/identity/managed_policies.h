// AWS-managed IAM policies built into the binary (documents in aws_managed_policies/*.json, as
// published by AWS; versions and dates in docs/decisions.md). Immutable static data; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace openpca::identity {

struct AwsManagedPolicy {
  std::string name;         // "AdministratorAccess"
  std::string arn;          // arn:aws:iam::aws:policy/AdministratorAccess
  std::string id;           // ANPA...
  std::string path = "/";
  std::string description;
  std::string version_id;   // default version, e.g. "v2"
  std::string document;     // JSON text
  std::string created;      // ISO-8601
  std::string updated;      // ISO-8601
};

const std::vector<AwsManagedPolicy>& AwsManagedPolicies();
// nullptr when `arn` names no built-in policy.
const AwsManagedPolicy* FindAwsManagedPolicy(std::string_view arn);

inline constexpr std::string_view kAdministratorAccessArn =
    "arn:aws:iam::aws:policy/AdministratorAccess";

}  // namespace openpca::identity

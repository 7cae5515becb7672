// Shared pieces of the IAM handlers: input access, output shapes, pagination, errors.
// Internal to services/iam.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/operation.h"
#include "identity/hooks.h"
#include "identity/identity.h"
#include "identity/managed_policies.h"
#include "identity/names.h"

namespace openpca::services::iam {

using nlohmann::json;

struct Env {
  identity::Identity& identity;
  identity::PolicyHooks hooks;
};

// Quotas (IAM user guide; spec b.3).
inline constexpr size_t kMaxKeysPerUser = 2;
inline constexpr size_t kMaxGroupsPerUser = 10;
inline constexpr size_t kMaxAttachedPolicies = 10;
inline constexpr size_t kMaxPolicyVersions = 5;
inline constexpr size_t kMaxTags = 50;
inline constexpr size_t kMaxUsers = 5000;
inline constexpr size_t kMaxGroups = 300;
inline constexpr size_t kMaxRoles = 1000;
inline constexpr size_t kMaxPolicies = 1500;
inline constexpr size_t kUserPolicySize = 2048;
inline constexpr size_t kGroupPolicySize = 5120;
inline constexpr size_t kRolePolicySize = 10240;
inline constexpr size_t kManagedPolicySize = 6144;
inline constexpr size_t kTrustPolicySize = 2048;

std::optional<std::string> OptStr(const json& input, const char* member);
// Errors: kValidation when missing or not a string.
Result<std::string> ReqStr(const json& input, const char* member);

Status NoSuchEntity(std::string message);
Status NoSuchUser(std::string_view name);
Status NoSuchRole(std::string_view name);
Status NoSuchGroup(std::string_view name);
Status NoSuchPolicy(std::string_view arn);

// Pages `items` under `key` with Marker/MaxItems; adds IsTruncated and Marker.
Result<json> Page(const json& input, const char* key, std::vector<json> items);

// Tags from [{"Key","Value"}] with validation (kValidation / kInvalidInput for duplicates).
Result<identity::TagList> ParseTags(const json& input, const char* member);
// Replaces/merges `tags` on a resource. Errors: kLimitExceeded past 50.
Status ApplyTags(identity::Txn& txn, std::string_view account, std::string_view type,
                 std::string_view name, const identity::TagList& tags);
void RemoveTags(identity::Txn& txn, std::string_view account, std::string_view type,
                std::string_view name, const std::vector<std::string>& keys);
void RemoveAllTags(identity::Txn& txn, std::string_view account, std::string_view type,
                   std::string_view name);
json TagsJson(const identity::State& s, std::string_view account, std::string_view type,
              std::string_view name);

json UserJson(const identity::State& s, const store::IamUserRecord& u, bool with_details);
json GroupJson(const store::IamGroupRecord& g);
json RoleJson(const identity::State& s, const store::IamRoleRecord& r, bool with_details);
json PolicyJson(const identity::State& s, const store::IamPolicyRecord& p, bool with_tags);
json AwsPolicyJson(const identity::State& s, const identity::AwsManagedPolicy& p);
json BoundaryJson(const std::string& arn);

// Number of users/groups/roles with `arn` attached; and as permissions boundary.
size_t AttachmentCount(const identity::State& s, std::string_view arn);
size_t BoundaryCount(const identity::State& s, std::string_view arn);

// Checks a PolicyArn: malformed → kInvalidInput; unknown → kNoSuchEntity.
Status CheckManagedPolicyArn(const identity::State& s, std::string_view arn);

// The user an implicit-user operation acts on: UserName, or the caller's own user; "" for the
// account root. Errors: kValidation for temporary credentials without UserName.
Result<std::string> ImplicitUser(const api::CallContext& ctx, const json& input);

}  // namespace openpca::services::iam

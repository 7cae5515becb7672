#include "services/iam/actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::iam {
namespace {

// "/" + name, or the input's Path (which begins and ends with '/') + name.
std::string PathAndName(const nlohmann::json& input, std::string_view name) {
  std::string path = StringMember(input, "Path");
  if (path.empty()) path = "/";
  return path + std::string(name);
}

std::string IamArn(const api::CallContext& ctx, std::string_view kind, std::string_view rest) {
  return "arn:" + PartitionOf(ctx) + ":iam::" + ctx.account_id + ":" + std::string(kind) +
         std::string(rest);
}

std::string ResourceOf(std::string_view operation, const api::CallContext& ctx,
                       const nlohmann::json& input) {
  // Attach*/Detach*/Put*PermissionsBoundary act on the user, group or role, not on the policy.
  bool on_entity = operation.starts_with("Attach") || operation.starts_with("Detach") ||
                   operation.find("PermissionsBoundary") != std::string_view::npos;
  if (!on_entity) {
    if (std::string arn = StringMember(input, "PolicyArn"); !arn.empty()) return arn;
  }
  if (std::string arn = StringMember(input, "PolicySourceArn"); !arn.empty()) return arn;
  bool create = operation.starts_with("Create");
  if (std::string name = StringMember(input, "RoleName"); !name.empty()) {
    return IamArn(ctx, "role", create ? PathAndName(input, name) : "/" + name);
  }
  if (std::string name = StringMember(input, "GroupName"); !name.empty()) {
    return IamArn(ctx, "group", create ? PathAndName(input, name) : "/" + name);
  }
  if (std::string name = StringMember(input, "UserName"); !name.empty()) {
    return IamArn(ctx, "user", create ? PathAndName(input, name) : "/" + name);
  }
  if (operation == "CreatePolicy") {
    return IamArn(ctx, "policy", PathAndName(input, StringMember(input, "PolicyName")));
  }
  // Access keys of the caller's own user.
  if (operation.find("AccessKey") != std::string_view::npos &&
      ctx.principal_type == api::PrincipalType::kUser) {
    return ctx.principal_arn;
  }
  return {};
}

}  // namespace

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "iam:" + std::string(operation);
  std::string op(operation);
  spec.resource = [op](const api::CallContext& ctx, const nlohmann::json& input) {
    return ResourceOf(op, ctx, input);
  };
  if (operation.starts_with("Tag") || operation == "CreateUser" || operation == "CreateRole" ||
      operation == "CreatePolicy") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddRequestTagKeys(input, "Tags", keys); };
  } else if (operation.starts_with("Untag")) {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddTagKeyList(input, "TagKeys", keys); };
  }
  return spec;
}

}  // namespace openpca::services::iam

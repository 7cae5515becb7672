#include "services/iam/iam_operations.h"

#include <memory>

#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

std::vector<std::pair<std::string, api::OperationHandler>> IamOperations(
    identity::Identity& identity, identity::PolicyHooks hooks) {
  auto env = std::make_shared<Env>(Env{identity, std::move(hooks)});
  using Fn = Result<json> (*)(Env&, const api::CallContext&, const json&);
  auto bind = [env](Fn fn) -> api::OperationHandler {
    return [env, fn](const api::CallContext& ctx, const json& input) {
      return fn(*env, ctx, input);
    };
  };
  return {
      {"CreateUser", bind(&HandleCreateUser)},
      {"GetUser", bind(&HandleGetUser)},
      {"ListUsers", bind(&HandleListUsers)},
      {"DeleteUser", bind(&HandleDeleteUser)},
      {"TagUser", bind(&HandleTagUser)},
      {"UntagUser", bind(&HandleUntagUser)},
      {"ListUserTags", bind(&HandleListUserTags)},
      {"CreateAccessKey", bind(&HandleCreateAccessKey)},
      {"ListAccessKeys", bind(&HandleListAccessKeys)},
      {"DeleteAccessKey", bind(&HandleDeleteAccessKey)},
      {"UpdateAccessKey", bind(&HandleUpdateAccessKey)},
      {"GetAccountSummary", bind(&HandleGetAccountSummary)},
      {"CreateGroup", bind(&HandleCreateGroup)},
      {"GetGroup", bind(&HandleGetGroup)},
      {"ListGroups", bind(&HandleListGroups)},
      {"DeleteGroup", bind(&HandleDeleteGroup)},
      {"AddUserToGroup", bind(&HandleAddUserToGroup)},
      {"RemoveUserFromGroup", bind(&HandleRemoveUserFromGroup)},
      {"ListGroupsForUser", bind(&HandleListGroupsForUser)},
      {"CreateRole", bind(&HandleCreateRole)},
      {"GetRole", bind(&HandleGetRole)},
      {"ListRoles", bind(&HandleListRoles)},
      {"DeleteRole", bind(&HandleDeleteRole)},
      {"UpdateRole", bind(&HandleUpdateRole)},
      {"UpdateAssumeRolePolicy", bind(&HandleUpdateAssumeRolePolicy)},
      {"TagRole", bind(&HandleTagRole)},
      {"UntagRole", bind(&HandleUntagRole)},
      {"ListRoleTags", bind(&HandleListRoleTags)},
      {"PutUserPolicy", bind(&HandlePutUserPolicy)},
      {"GetUserPolicy", bind(&HandleGetUserPolicy)},
      {"DeleteUserPolicy", bind(&HandleDeleteUserPolicy)},
      {"ListUserPolicies", bind(&HandleListUserPolicies)},
      {"PutGroupPolicy", bind(&HandlePutGroupPolicy)},
      {"GetGroupPolicy", bind(&HandleGetGroupPolicy)},
      {"DeleteGroupPolicy", bind(&HandleDeleteGroupPolicy)},
      {"ListGroupPolicies", bind(&HandleListGroupPolicies)},
      {"PutRolePolicy", bind(&HandlePutRolePolicy)},
      {"GetRolePolicy", bind(&HandleGetRolePolicy)},
      {"DeleteRolePolicy", bind(&HandleDeleteRolePolicy)},
      {"ListRolePolicies", bind(&HandleListRolePolicies)},
      {"CreatePolicy", bind(&HandleCreatePolicy)},
      {"GetPolicy", bind(&HandleGetPolicy)},
      {"DeletePolicy", bind(&HandleDeletePolicy)},
      {"CreatePolicyVersion", bind(&HandleCreatePolicyVersion)},
      {"GetPolicyVersion", bind(&HandleGetPolicyVersion)},
      {"ListPolicyVersions", bind(&HandleListPolicyVersions)},
      {"DeletePolicyVersion", bind(&HandleDeletePolicyVersion)},
      {"SetDefaultPolicyVersion", bind(&HandleSetDefaultPolicyVersion)},
      {"ListPolicies", bind(&HandleListPolicies)},
      {"ListEntitiesForPolicy", bind(&HandleListEntitiesForPolicy)},
      {"TagPolicy", bind(&HandleTagPolicy)},
      {"UntagPolicy", bind(&HandleUntagPolicy)},
      {"ListPolicyTags", bind(&HandleListPolicyTags)},
      {"AttachUserPolicy", bind(&HandleAttachUserPolicy)},
      {"DetachUserPolicy", bind(&HandleDetachUserPolicy)},
      {"ListAttachedUserPolicies", bind(&HandleListAttachedUserPolicies)},
      {"AttachGroupPolicy", bind(&HandleAttachGroupPolicy)},
      {"DetachGroupPolicy", bind(&HandleDetachGroupPolicy)},
      {"ListAttachedGroupPolicies", bind(&HandleListAttachedGroupPolicies)},
      {"AttachRolePolicy", bind(&HandleAttachRolePolicy)},
      {"DetachRolePolicy", bind(&HandleDetachRolePolicy)},
      {"ListAttachedRolePolicies", bind(&HandleListAttachedRolePolicies)},
      {"PutUserPermissionsBoundary", bind(&HandlePutUserPermissionsBoundary)},
      {"DeleteUserPermissionsBoundary", bind(&HandleDeleteUserPermissionsBoundary)},
      {"PutRolePermissionsBoundary", bind(&HandlePutRolePermissionsBoundary)},
      {"DeleteRolePermissionsBoundary", bind(&HandleDeleteRolePermissionsBoundary)},
      {"SimulatePrincipalPolicy", bind(&HandleSimulatePrincipalPolicy)},
  };
}

}  // namespace openpca::services::iam

// Declarations of the IAM handlers (one per operation). Internal to services/iam.
#pragma once

#include "services/iam/iam_common.h"

namespace openpca::services::iam {

Result<json> HandleCreateUser(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetUser(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListUsers(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteUser(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleTagUser(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleUntagUser(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListUserTags(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleCreateAccessKey(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListAccessKeys(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteAccessKey(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleUpdateAccessKey(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetAccountSummary(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleCreateGroup(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetGroup(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListGroups(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteGroup(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleAddUserToGroup(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleRemoveUserFromGroup(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListGroupsForUser(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleCreateRole(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetRole(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListRoles(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteRole(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleUpdateRole(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleUpdateAssumeRolePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleTagRole(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleUntagRole(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListRoleTags(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandlePutUserPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetUserPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteUserPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListUserPolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandlePutGroupPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetGroupPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteGroupPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListGroupPolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandlePutRolePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetRolePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteRolePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListRolePolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleCreatePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeletePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleCreatePolicyVersion(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleGetPolicyVersion(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListPolicyVersions(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeletePolicyVersion(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleSetDefaultPolicyVersion(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListPolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListEntitiesForPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleTagPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleUntagPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListPolicyTags(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleAttachUserPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDetachUserPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListAttachedUserPolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleAttachGroupPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDetachGroupPolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListAttachedGroupPolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleAttachRolePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDetachRolePolicy(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleListAttachedRolePolicies(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandlePutUserPermissionsBoundary(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteUserPermissionsBoundary(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandlePutRolePermissionsBoundary(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleDeleteRolePermissionsBoundary(Env& env, const api::CallContext& ctx, const json& input);
Result<json> HandleSimulatePrincipalPolicy(Env& env, const api::CallContext& ctx, const json& input);

// UnmodifiableEntity for service-linked roles.
Status CheckRoleModifiable(const store::IamRoleRecord& r);

// Every operation name above, in table order.
inline constexpr const char* kIamOperationNames[] = {
    "CreateUser",
    "GetUser",
    "ListUsers",
    "DeleteUser",
    "TagUser",
    "UntagUser",
    "ListUserTags",
    "CreateAccessKey",
    "ListAccessKeys",
    "DeleteAccessKey",
    "UpdateAccessKey",
    "GetAccountSummary",
    "CreateGroup",
    "GetGroup",
    "ListGroups",
    "DeleteGroup",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "ListGroupsForUser",
    "CreateRole",
    "GetRole",
    "ListRoles",
    "DeleteRole",
    "UpdateRole",
    "UpdateAssumeRolePolicy",
    "TagRole",
    "UntagRole",
    "ListRoleTags",
    "PutUserPolicy",
    "GetUserPolicy",
    "DeleteUserPolicy",
    "ListUserPolicies",
    "PutGroupPolicy",
    "GetGroupPolicy",
    "DeleteGroupPolicy",
    "ListGroupPolicies",
    "PutRolePolicy",
    "GetRolePolicy",
    "DeleteRolePolicy",
    "ListRolePolicies",
    "CreatePolicy",
    "GetPolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "GetPolicyVersion",
    "ListPolicyVersions",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "ListPolicies",
    "ListEntitiesForPolicy",
    "TagPolicy",
    "UntagPolicy",
    "ListPolicyTags",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "ListAttachedUserPolicies",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "ListAttachedGroupPolicies",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "ListAttachedRolePolicies",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "SimulatePrincipalPolicy",
};

}  // namespace openpca::services::iam

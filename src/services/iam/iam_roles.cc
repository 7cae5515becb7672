// IAM roles and their tags.
#include "services/iam/iam_common.h"
#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

using identity::Lower;
using identity::Txn;

namespace {

Status CheckTrustPolicy(const Env& env, const std::string& doc) {
  RETURN_IF_ERROR(identity::CheckPolicyDocumentChars(doc, "assumeRolePolicyDocument"));
  RETURN_IF_ERROR(identity::CheckPolicy(env.hooks, doc, identity::PolicyDocKind::kTrust));
  if (identity::NonWhitespaceSize(doc) > kTrustPolicySize) {
    return Status(ErrorCode::kLimitExceeded,
                  "Cannot exceed quota for ACLSizePerRole: " + std::to_string(kTrustPolicySize));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> MaxSession(const json& input) {
  auto it = input.find("MaxSessionDuration");
  if (it == input.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return Status(ErrorCode::kValidation, "MaxSessionDuration");
  int64_t v = it->get<int64_t>();
  if (v < 3600 || v > 43200) {
    return identity::ValidationError("maxSessionDuration", std::to_string(v),
                                     "Member must have value between 3600 and 43200");
  }
  return std::optional<int64_t>(v);
}

Status CheckDescription(const std::optional<std::string>& d) {
  if (d.has_value() && d->size() > 1000) {
    return identity::ValidationError("description", *d,
                                     "Member must have length less than or equal to 1000");
  }
  return Status::Ok();
}

// Service-linked roles cannot be changed through the IAM role APIs.
Status CheckModifiable(const store::IamRoleRecord& r) {
  if (r.path.starts_with("/aws-service-role/")) {
    return Status(ErrorCode::kUnmodifiableEntity,
                  "Cannot perform the operation on the protected role '" + r.name + "'");
  }
  return Status::Ok();
}

}  // namespace

Status CheckRoleModifiable(const store::IamRoleRecord& r) { return CheckModifiable(r); }

Result<json> HandleCreateRole(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  RETURN_IF_ERROR(identity::CheckName(name, "roleName", 1, 64));
  std::string path = OptStr(input, "Path").value_or("/");
  RETURN_IF_ERROR(identity::CheckPath(path, "path"));
  ASSIGN_OR_RETURN(std::string trust, ReqStr(input, "AssumeRolePolicyDocument"));
  std::optional<std::string> description = OptStr(input, "Description");
  RETURN_IF_ERROR(CheckDescription(description));
  ASSIGN_OR_RETURN(std::optional<int64_t> max_session, MaxSession(input));
  ASSIGN_OR_RETURN(identity::TagList tags, ParseTags(input, "Tags"));
  std::optional<std::string> boundary = OptStr(input, "PermissionsBoundary");
  RETURN_IF_ERROR(CheckTrustPolicy(env, trust));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    if (s.Role(ctx.account_id, name) != nullptr) {
      return Status(ErrorCode::kEntityAlreadyExists, "Role with name " + name + " already exists.");
    }
    size_t n = 0;
    for (const auto& [k, r] : s.T<store::IamRoleRecord>()) n += r.account_id == ctx.account_id;
    if (n >= kMaxRoles) {
      return Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for RolesPerAccount: 1000");
    }
    if (boundary.has_value()) RETURN_IF_ERROR(CheckManagedPolicyArn(s, *boundary));
    store::IamRoleRecord r;
    r.account_id = ctx.account_id;
    r.name = name;
    r.id = txn.identity().NewUniqueId("AROA");
    r.path = path;
    r.trust_policy = trust;
    r.description = description.value_or("");
    r.max_session_duration = max_session.value_or(3600);
    r.permissions_boundary = boundary.value_or("");
    r.created_at_ms = ToUnixMillis(txn.identity().Now());
    txn.Put(r);
    RETURN_IF_ERROR(ApplyTags(txn, ctx.account_id, "role", name, tags));
    json role = RoleJson(txn.state(), r, true);
    role.erase("RoleLastUsed");
    out = {{"Role", role}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleGetRole(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  auto s = env.identity.Snapshot();
  const store::IamRoleRecord* r = s->Role(ctx.account_id, name);
  if (r == nullptr) return NoSuchRole(name);
  return json{{"Role", RoleJson(*s, *r, true)}};
}

Result<json> HandleListRoles(Env& env, const api::CallContext& ctx, const json& input) {
  std::string prefix = OptStr(input, "PathPrefix").value_or("/");
  auto s = env.identity.Snapshot();
  std::vector<json> items;
  for (const auto& [k, r] : s->T<store::IamRoleRecord>()) {
    if (r.account_id == ctx.account_id && r.path.starts_with(prefix)) {
      items.push_back(RoleJson(*s, r, false));
    }
  }
  return Page(input, "Roles", std::move(items));
}

Result<json> HandleDeleteRole(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    const store::IamRoleRecord* r = s.Role(ctx.account_id, name);
    if (r == nullptr) return NoSuchRole(name);
    RETURN_IF_ERROR(CheckModifiable(*r));
    if (!s.Scan<store::IamInlinePolicyRecord>(identity::EntityKey(ctx.account_id, "role", r->name))
             .empty()) {
      return Status(ErrorCode::kDeleteConflict, "Cannot delete entity, must delete policies first.");
    }
    if (!s.Scan<store::IamAttachmentRecord>(identity::EntityKey(ctx.account_id, "role", r->name))
             .empty()) {
      return Status(ErrorCode::kDeleteConflict,
                    "Cannot delete entity, must detach all policies first.");
    }
    store::IamRoleRecord doomed = *r;
    RemoveAllTags(txn, ctx.account_id, "role", doomed.name);
    txn.Delete(doomed);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleUpdateRole(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  std::optional<std::string> description = OptStr(input, "Description");
  RETURN_IF_ERROR(CheckDescription(description));
  ASSIGN_OR_RETURN(std::optional<int64_t> max_session, MaxSession(input));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const store::IamRoleRecord* r = txn.state().Role(ctx.account_id, name);
    if (r == nullptr) return NoSuchRole(name);
    RETURN_IF_ERROR(CheckModifiable(*r));
    store::IamRoleRecord updated = *r;
    if (description.has_value()) updated.description = *description;
    if (max_session.has_value()) updated.max_session_duration = *max_session;
    txn.Put(updated);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleUpdateAssumeRolePolicy(Env& env, const api::CallContext& ctx,
                                          const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  ASSIGN_OR_RETURN(std::string trust, ReqStr(input, "PolicyDocument"));
  RETURN_IF_ERROR(CheckTrustPolicy(env, trust));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const store::IamRoleRecord* r = txn.state().Role(ctx.account_id, name);
    if (r == nullptr) return NoSuchRole(name);
    RETURN_IF_ERROR(CheckModifiable(*r));
    store::IamRoleRecord updated = *r;
    updated.trust_policy = trust;
    txn.Put(updated);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleTagRole(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  ASSIGN_OR_RETURN(identity::TagList tags, ParseTags(input, "Tags"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const store::IamRoleRecord* r = txn.state().Role(ctx.account_id, name);
    if (r == nullptr) return NoSuchRole(name);
    return ApplyTags(txn, ctx.account_id, "role", r->name, tags);
  }));
  return json::object();
}

Result<json> HandleUntagRole(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  std::vector<std::string> keys = input.value("TagKeys", std::vector<std::string>());
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const store::IamRoleRecord* r = txn.state().Role(ctx.account_id, name);
    if (r == nullptr) return NoSuchRole(name);
    RemoveTags(txn, ctx.account_id, "role", r->name, keys);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleListRoleTags(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "RoleName"));
  auto s = env.identity.Snapshot();
  const store::IamRoleRecord* r = s->Role(ctx.account_id, name);
  if (r == nullptr) return NoSuchRole(name);
  json tags = TagsJson(*s, ctx.account_id, "role", r->name);
  return Page(input, "Tags", std::vector<json>(tags.begin(), tags.end()));
}

}  // namespace openpca::services::iam

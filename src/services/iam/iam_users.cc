// IAM users, their tags and access keys; GetAccountSummary.
#include <algorithm>

#include "services/iam/iam_common.h"
#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

using identity::Lower;
using identity::Txn;

namespace {

Status CheckBoundaryArn(const identity::State& s, const std::optional<std::string>& arn) {
  if (!arn.has_value()) return Status::Ok();
  return CheckManagedPolicyArn(s, *arn);
}

std::vector<const store::IamAccessKeyRecord*> KeysOf(const identity::State& s,
                                                     std::string_view account,
                                                     std::string_view user) {
  std::vector<const store::IamAccessKeyRecord*> out;
  for (const auto& [k, key] : s.T<store::IamAccessKeyRecord>()) {
    if (key.account_id == account && Lower(key.user_name) == Lower(user)) out.push_back(&key);
  }
  std::sort(out.begin(), out.end(),
            [](auto* a, auto* b) { return a->created_at_ms < b->created_at_ms; });
  return out;
}

}  // namespace

Result<json> HandleCreateUser(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "UserName"));
  RETURN_IF_ERROR(identity::CheckName(name, "userName", 1, 64));
  std::string path = OptStr(input, "Path").value_or("/");
  RETURN_IF_ERROR(identity::CheckPath(path, "path"));
  ASSIGN_OR_RETURN(identity::TagList tags, ParseTags(input, "Tags"));
  std::optional<std::string> boundary = OptStr(input, "PermissionsBoundary");
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    if (s.User(ctx.account_id, name) != nullptr) {
      return Status(ErrorCode::kEntityAlreadyExists, "User with name " + name + " already exists.");
    }
    size_t users = 0;
    for (const auto& [k, u] : s.T<store::IamUserRecord>()) users += u.account_id == ctx.account_id;
    if (users >= kMaxUsers) {
      return Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for UsersPerAccount: 5000");
    }
    RETURN_IF_ERROR(CheckBoundaryArn(s, boundary));
    store::IamUserRecord u;
    u.account_id = ctx.account_id;
    u.name = name;
    u.id = txn.identity().NewUniqueId("AIDA");
    u.path = path;
    u.permissions_boundary = boundary.value_or("");
    u.created_at_ms = ToUnixMillis(txn.identity().Now());
    txn.Put(u);
    RETURN_IF_ERROR(ApplyTags(txn, ctx.account_id, "user", name, tags));
    out = {{"User", UserJson(txn.state(), u, true)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleGetUser(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ImplicitUser(ctx, input));
  auto s = env.identity.Snapshot();
  if (name.empty()) {
    // The account root: AWS answers with the account id as UserId and the root ARN.
    return json{{"User",
                 {{"Path", "/"},
                  {"UserName", ""},
                  {"UserId", ctx.account_id},
                  {"Arn", identity::RootArn(ctx.account_id)},
                  {"CreateDate", identity::IsoTime(0)}}}};
  }
  const store::IamUserRecord* u = s->User(ctx.account_id, name);
  if (u == nullptr) return NoSuchUser(name);
  return json{{"User", UserJson(*s, *u, true)}};
}

Result<json> HandleListUsers(Env& env, const api::CallContext& ctx, const json& input) {
  std::string prefix = OptStr(input, "PathPrefix").value_or("/");
  auto s = env.identity.Snapshot();
  std::vector<json> items;
  for (const auto& [k, u] : s->T<store::IamUserRecord>()) {
    if (u.account_id == ctx.account_id && u.path.starts_with(prefix)) {
      items.push_back(UserJson(*s, u, false));
    }
  }
  return Page(input, "Users", std::move(items));
}

Result<json> HandleDeleteUser(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "UserName"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    const store::IamUserRecord* u = s.User(ctx.account_id, name);
    if (u == nullptr) return NoSuchUser(name);
    auto conflict = [](const char* what) {
      return Status(ErrorCode::kDeleteConflict,
                    std::string("Cannot delete entity, must ") + what + " first.");
    };
    if (!KeysOf(s, ctx.account_id, u->name).empty()) return conflict("delete access keys");
    if (!s.Scan<store::IamInlinePolicyRecord>(identity::EntityKey(ctx.account_id, "user", u->name))
             .empty()) {
      return conflict("delete policies");
    }
    if (!s.Scan<store::IamAttachmentRecord>(identity::EntityKey(ctx.account_id, "user", u->name))
             .empty()) {
      return conflict("detach all policies");
    }
    for (const auto& [k, m] : s.T<store::IamGroupMemberRecord>()) {
      if (m.account_id == ctx.account_id && Lower(m.user_name) == Lower(u->name)) {
        return conflict("remove users from group");
      }
    }
    store::IamUserRecord doomed = *u;
    RemoveAllTags(txn, ctx.account_id, "user", doomed.name);
    txn.Delete(doomed);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleTagUser(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "UserName"));
  ASSIGN_OR_RETURN(identity::TagList tags, ParseTags(input, "Tags"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const store::IamUserRecord* u = txn.state().User(ctx.account_id, name);
    if (u == nullptr) return NoSuchUser(name);
    return ApplyTags(txn, ctx.account_id, "user", u->name, tags);
  }));
  return json::object();
}

Result<json> HandleUntagUser(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "UserName"));
  std::vector<std::string> keys = input.value("TagKeys", std::vector<std::string>());
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const store::IamUserRecord* u = txn.state().User(ctx.account_id, name);
    if (u == nullptr) return NoSuchUser(name);
    RemoveTags(txn, ctx.account_id, "user", u->name, keys);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleListUserTags(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "UserName"));
  auto s = env.identity.Snapshot();
  const store::IamUserRecord* u = s->User(ctx.account_id, name);
  if (u == nullptr) return NoSuchUser(name);
  json tags = TagsJson(*s, ctx.account_id, "user", u->name);
  return Page(input, "Tags", std::vector<json>(tags.begin(), tags.end()));
}

// --- Access keys ---

Result<json> HandleCreateAccessKey(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ImplicitUser(ctx, input));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    std::string owner;
    if (!name.empty()) {
      const store::IamUserRecord* u = s.User(ctx.account_id, name);
      if (u == nullptr) return NoSuchUser(name);
      owner = u->name;
    }
    if (KeysOf(s, ctx.account_id, owner).size() >= kMaxKeysPerUser) {
      return Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2");
    }
    ASSIGN_OR_RETURN(auto made, txn.identity().NewAccessKey(ctx.account_id, owner));
    txn.Put(made.first);
    out = {{"AccessKey",
            {{"UserName", owner},
             {"AccessKeyId", made.first.access_key_id},
             {"Status", "Active"},
             {"SecretAccessKey", made.second},
             {"CreateDate", identity::IsoTime(made.first.created_at_ms)}}}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleListAccessKeys(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ImplicitUser(ctx, input));
  auto s = env.identity.Snapshot();
  std::string owner;
  if (!name.empty()) {
    const store::IamUserRecord* u = s->User(ctx.account_id, name);
    if (u == nullptr) return NoSuchUser(name);
    owner = u->name;
  }
  std::vector<json> items;
  for (auto* key : KeysOf(*s, ctx.account_id, owner)) {
    items.push_back({{"UserName", owner},
                     {"AccessKeyId", key->access_key_id},
                     {"Status", key->status},
                     {"CreateDate", identity::IsoTime(key->created_at_ms)}});
  }
  return Page(input, "AccessKeyMetadata", std::move(items));
}

namespace {
// The key `id` of the implicit or named user. Errors: kNoSuchEntity.
Result<store::IamAccessKeyRecord> OwnKey(const identity::State& s, const api::CallContext& ctx,
                                         const std::string& user, const std::string& id) {
  std::string owner;
  if (!user.empty()) {
    const store::IamUserRecord* u = s.User(ctx.account_id, user);
    if (u == nullptr) return NoSuchUser(user);
    owner = u->name;
  }
  const store::IamAccessKeyRecord* key = s.Find<store::IamAccessKeyRecord>(id);
  if (key == nullptr || key->account_id != ctx.account_id || Lower(key->user_name) != Lower(owner)) {
    return NoSuchEntity("The Access Key with id " + id + " cannot be found.");
  }
  return *key;
}
}  // namespace

Result<json> HandleDeleteAccessKey(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ImplicitUser(ctx, input));
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "AccessKeyId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    ASSIGN_OR_RETURN(store::IamAccessKeyRecord key, OwnKey(txn.state(), ctx, name, id));
    txn.Delete(key);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleUpdateAccessKey(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ImplicitUser(ctx, input));
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "AccessKeyId"));
  ASSIGN_OR_RETURN(std::string status, ReqStr(input, "Status"));
  if (status != "Active" && status != "Inactive") {
    return Status(ErrorCode::kValidation,
                  "1 validation error detected: Value '" + status +
                      "' at 'status' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [Active, Inactive, Expired]");
  }
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    ASSIGN_OR_RETURN(store::IamAccessKeyRecord key, OwnKey(txn.state(), ctx, name, id));
    key.status = status;
    txn.Put(key);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleGetAccountSummary(Env& env, const api::CallContext& ctx, const json&) {
  auto s = env.identity.Snapshot();
  const std::string& a = ctx.account_id;
  int64_t users = 0, groups = 0, roles = 0, policies = 0, versions = 0, root_keys = 0;
  for (const auto& [k, u] : s->T<store::IamUserRecord>()) users += u.account_id == a;
  for (const auto& [k, g] : s->T<store::IamGroupRecord>()) groups += g.account_id == a;
  for (const auto& [k, r] : s->T<store::IamRoleRecord>()) roles += r.account_id == a;
  for (const auto& [k, p] : s->T<store::IamPolicyRecord>()) {
    if (p.account_id != a) continue;
    ++policies;
    for (auto* v : s->Scan<store::IamPolicyVersionRecord>(p.arn + '\x1f')) {
      (void)v;
      ++versions;
    }
  }
  for (const auto& [k, key] : s->T<store::IamAccessKeyRecord>()) {
    root_keys += key.account_id == a && key.user_name.empty();
  }
  json map = {{"Users", users},
              {"UsersQuota", static_cast<int64_t>(kMaxUsers)},
              {"Groups", groups},
              {"GroupsQuota", static_cast<int64_t>(kMaxGroups)},
              {"Roles", roles},
              {"RolesQuota", static_cast<int64_t>(kMaxRoles)},
              {"Policies", policies},
              {"PoliciesQuota", static_cast<int64_t>(kMaxPolicies)},
              {"PolicyVersionsInUse", versions},
              {"PolicyVersionsInUseQuota", 10000},
              {"VersionsPerPolicyQuota", static_cast<int64_t>(kMaxPolicyVersions)},
              {"PolicySizeQuota", static_cast<int64_t>(kManagedPolicySize)},
              {"UserPolicySizeQuota", static_cast<int64_t>(kUserPolicySize)},
              {"GroupPolicySizeQuota", static_cast<int64_t>(kGroupPolicySize)},
              {"RolePolicySizeQuota", static_cast<int64_t>(kRolePolicySize)},
              {"AssumeRolePolicySizeQuota", static_cast<int64_t>(kTrustPolicySize)},
              {"AccessKeysPerUserQuota", static_cast<int64_t>(kMaxKeysPerUser)},
              {"GroupsPerUserQuota", static_cast<int64_t>(kMaxGroupsPerUser)},
              {"AttachedPoliciesPerUserQuota", static_cast<int64_t>(kMaxAttachedPolicies)},
              {"AttachedPoliciesPerGroupQuota", static_cast<int64_t>(kMaxAttachedPolicies)},
              {"AttachedPoliciesPerRoleQuota", static_cast<int64_t>(kMaxAttachedPolicies)},
              {"SigningCertificatesPerUserQuota", 2},
              {"ServerCertificates", 0},
              {"ServerCertificatesQuota", 20},
              {"InstanceProfiles", 0},
              {"InstanceProfilesQuota", 1000},
              {"MFADevices", 0},
              {"MFADevicesInUse", 0},
              {"Providers", 0},
              {"AccountMFAEnabled", 0},
              {"AccountAccessKeysPresent", root_keys > 0 ? 1 : 0},
              {"AccountSigningCertificatesPresent", 0},
              {"AccountPasswordPresent", 0},
              {"GlobalEndpointTokenVersion", 1}};
  return json{{"SummaryMap", map}};
}

}  // namespace openpca::services::iam

// Managed policies: customer-managed policies and their versions, AWS-managed policies (built
// in, read-only), attachments to users/groups/roles, permissions boundaries.
#include <algorithm>

#include "services/iam/iam_common.h"
#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

using identity::Lower;
using identity::Txn;

namespace {

bool ValidVersionId(std::string_view v) {
  if (v.size() < 2 || v[0] != 'v' || v[1] < '1' || v[1] > '9') return false;
  for (size_t i = 2; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

Status CheckManagedDocument(const Env& env, const std::string& doc) {
  RETURN_IF_ERROR(identity::CheckPolicyDocumentChars(doc, "policyDocument"));
  RETURN_IF_ERROR(identity::CheckPolicy(env.hooks, doc, identity::PolicyDocKind::kIdentity));
  if (identity::NonWhitespaceSize(doc) > kManagedPolicySize) {
    return Status(ErrorCode::kLimitExceeded,
                  "Cannot exceed quota for PolicySize: " + std::to_string(kManagedPolicySize));
  }
  return Status::Ok();
}

// A customer-managed policy of the caller's account. Errors: kInvalidInput (malformed ARN),
// kUnmodifiableEntity when `arn` is AWS-managed and `modify`, kNoSuchEntity.
Result<store::IamPolicyRecord> OwnPolicy(const identity::State& s, const api::CallContext& ctx,
                                         const std::string& arn) {
  RETURN_IF_ERROR(CheckManagedPolicyArn(s, arn));
  if (identity::FindAwsManagedPolicy(arn) != nullptr) {
    return Status(ErrorCode::kUnmodifiableEntity,
                  "Cannot modify an AWS managed policy: " + arn);
  }
  const store::IamPolicyRecord* p = s.Find<store::IamPolicyRecord>(arn);
  if (p == nullptr || p->account_id != ctx.account_id) return NoSuchPolicy(arn);
  return *p;
}

std::vector<const store::IamPolicyVersionRecord*> VersionsOf(const identity::State& s,
                                                             const std::string& arn) {
  auto v = s.Scan<store::IamPolicyVersionRecord>(arn + '\x1f');
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->created_at_ms > b->created_at_ms ||
                                   (a->created_at_ms == b->created_at_ms &&
                                    std::stoll(a->version_id.substr(1)) >
                                        std::stoll(b->version_id.substr(1))); });
  return v;
}

json VersionJson(const store::IamPolicyVersionRecord& v, bool is_default, bool with_document) {
  json j = {{"VersionId", v.version_id},
            {"IsDefaultVersion", is_default},
            {"CreateDate", identity::IsoTime(v.created_at_ms)}};
  if (with_document) j["Document"] = identity::UrlEncode(v.document);
  return j;
}

// Attach/detach/list for one entity type.
struct Kind {
  const char* type;
  const char* name_member;
};
const Kind kUser{"user", "UserName"};
const Kind kGroup{"group", "GroupName"};
const Kind kRole{"role", "RoleName"};

Result<std::string> EntityName(const identity::State& s, const Kind& kind,
                               std::string_view account, const std::string& name) {
  std::string_view type = kind.type;
  if (type == "user") {
    const auto* u = s.User(account, name);
    if (u == nullptr) return NoSuchUser(name);
    return u->name;
  }
  if (type == "group") {
    const auto* g = s.Group(account, name);
    if (g == nullptr) return NoSuchGroup(name);
    return g->name;
  }
  const auto* r = s.Role(account, name);
  if (r == nullptr) return NoSuchRole(name);
  return r->name;
}

Status CheckVisible(const identity::State& s, const api::CallContext& ctx, const std::string& arn) {
  RETURN_IF_ERROR(CheckManagedPolicyArn(s, arn));
  if (const auto* p = s.Find<store::IamPolicyRecord>(arn); p != nullptr &&
                                                            p->account_id != ctx.account_id) {
    return NoSuchPolicy(arn);
  }
  return Status::Ok();
}

Result<json> Attach(Env& env, const Kind& kind, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(std::string entity, EntityName(s, kind, ctx.account_id, name));
    if (std::string_view(kind.type) == "role") {
      RETURN_IF_ERROR(CheckRoleModifiable(*s.Role(ctx.account_id, entity)));
    }
    RETURN_IF_ERROR(CheckVisible(s, ctx, arn));
    store::IamAttachmentRecord a{ctx.account_id, kind.type, entity, arn};
    if (s.Find<store::IamAttachmentRecord>(identity::KeyOf(a)) != nullptr) return Status::Ok();
    if (s.Scan<store::IamAttachmentRecord>(identity::EntityKey(ctx.account_id, kind.type, entity))
            .size() >= kMaxAttachedPolicies) {
      return Status(ErrorCode::kLimitExceeded,
                    "Cannot exceed quota for PoliciesPer" + std::string(kind.name_member).substr(
                        0, std::string(kind.name_member).size() - 4) + ": 10");
    }
    txn.Put(a);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> Detach(Env& env, const Kind& kind, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(std::string entity, EntityName(s, kind, ctx.account_id, name));
    if (std::string_view(kind.type) == "role") {
      RETURN_IF_ERROR(CheckRoleModifiable(*s.Role(ctx.account_id, entity)));
    }
    RETURN_IF_ERROR(CheckVisible(s, ctx, arn));
    store::IamAttachmentRecord a{ctx.account_id, kind.type, entity, arn};
    if (s.Find<store::IamAttachmentRecord>(identity::KeyOf(a)) == nullptr) {
      return NoSuchEntity("Policy " + arn + " was not found.");
    }
    txn.Delete(a);
    return Status::Ok();
  }));
  return json::object();
}

std::string PolicyNameOf(const identity::State& s, const std::string& arn) {
  if (const auto* aws = identity::FindAwsManagedPolicy(arn)) return aws->name;
  if (const auto* p = s.Find<store::IamPolicyRecord>(arn)) return p->name;
  return arn.substr(arn.rfind('/') + 1);
}

Result<json> ListAttached(Env& env, const Kind& kind, const api::CallContext& ctx,
                          const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  std::string prefix = OptStr(input, "PathPrefix").value_or("/");
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(std::string entity, EntityName(*s, kind, ctx.account_id, name));
  std::vector<json> items;
  for (auto* a : s->Scan<store::IamAttachmentRecord>(
           identity::EntityKey(ctx.account_id, kind.type, entity))) {
    std::string path = "/";
    if (const auto* p = s->Find<store::IamPolicyRecord>(a->policy_arn)) path = p->path;
    if (!path.starts_with(prefix)) continue;
    items.push_back({{"PolicyName", PolicyNameOf(*s, a->policy_arn)},
                     {"PolicyArn", a->policy_arn}});
  }
  return Page(input, "AttachedPolicies", std::move(items));
}

Result<json> PutBoundary(Env& env, const Kind& kind, const api::CallContext& ctx,
                         const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PermissionsBoundary"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(std::string entity, EntityName(s, kind, ctx.account_id, name));
    RETURN_IF_ERROR(CheckVisible(s, ctx, arn));
    if (std::string_view(kind.type) == "user") {
      store::IamUserRecord u = *s.User(ctx.account_id, entity);
      u.permissions_boundary = arn;
      txn.Put(u);
    } else {
      store::IamRoleRecord r = *s.Role(ctx.account_id, entity);
      RETURN_IF_ERROR(CheckRoleModifiable(r));
      r.permissions_boundary = arn;
      txn.Put(r);
    }
    return Status::Ok();
  }));
  return json::object();
}

Result<json> DeleteBoundary(Env& env, const Kind& kind, const api::CallContext& ctx,
                            const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(std::string entity, EntityName(s, kind, ctx.account_id, name));
    if (std::string_view(kind.type) == "user") {
      store::IamUserRecord u = *s.User(ctx.account_id, entity);
      u.permissions_boundary.clear();
      txn.Put(u);
    } else {
      store::IamRoleRecord r = *s.Role(ctx.account_id, entity);
      RETURN_IF_ERROR(CheckRoleModifiable(r));
      r.permissions_boundary.clear();
      txn.Put(r);
    }
    return Status::Ok();
  }));
  return json::object();
}

}  // namespace

Result<json> HandleCreatePolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "PolicyName"));
  RETURN_IF_ERROR(identity::CheckName(name, "policyName", 1, 128));
  std::string path = OptStr(input, "Path").value_or("/");
  RETURN_IF_ERROR(identity::CheckPolicyPath(path, "path"));
  ASSIGN_OR_RETURN(std::string doc, ReqStr(input, "PolicyDocument"));
  std::string description = OptStr(input, "Description").value_or("");
  if (description.size() > 1000) {
    return identity::ValidationError("description", description,
                                     "Member must have length less than or equal to 1000");
  }
  ASSIGN_OR_RETURN(identity::TagList tags, ParseTags(input, "Tags"));
  RETURN_IF_ERROR(CheckManagedDocument(env, doc));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    size_t n = 0;
    for (const auto& [k, p] : s.T<store::IamPolicyRecord>()) {
      if (p.account_id != ctx.account_id) continue;
      ++n;
      if (Lower(p.name) == Lower(name)) {
        return Status(ErrorCode::kEntityAlreadyExists,
                      "A policy called " + name + " already exists. Duplicate names are not "
                      "allowed.");
      }
    }
    if (n >= kMaxPolicies) {
      return Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for PoliciesPerAccount: 1500");
    }
    int64_t now = ToUnixMillis(txn.identity().Now());
    store::IamPolicyRecord p;
    p.arn = "arn:aws:iam::" + ctx.account_id + ":policy" + path + name;
    p.account_id = ctx.account_id;
    p.name = name;
    p.id = txn.identity().NewUniqueId("ANPA");
    p.path = path;
    p.description = description;
    p.default_version = "v1";
    p.next_version = 2;
    p.created_at_ms = now;
    p.updated_at_ms = now;
    txn.Put(p);
    txn.Put(store::IamPolicyVersionRecord{p.arn, "v1", doc, now});
    RETURN_IF_ERROR(ApplyTags(txn, ctx.account_id, "policy", p.arn, tags));
    out = {{"Policy", PolicyJson(txn.state(), p, true)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleGetPolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  auto s = env.identity.Snapshot();
  RETURN_IF_ERROR(CheckVisible(*s, ctx, arn));
  if (const auto* aws = identity::FindAwsManagedPolicy(arn)) {
    return json{{"Policy", AwsPolicyJson(*s, *aws)}};
  }
  return json{{"Policy", PolicyJson(*s, *s->Find<store::IamPolicyRecord>(arn), true)}};
}

Result<json> HandleDeletePolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(store::IamPolicyRecord p, OwnPolicy(s, ctx, arn));
    if (AttachmentCount(s, arn) > 0 || BoundaryCount(s, arn) > 0) {
      return Status(ErrorCode::kDeleteConflict, "Cannot delete a policy attached to entities.");
    }
    auto versions = VersionsOf(s, arn);
    if (versions.size() > 1) {
      return Status(ErrorCode::kDeleteConflict,
                    "This policy has more than one version. Before you delete a policy, you must "
                    "delete the policy's versions. The default version is deleted with the "
                    "policy.");
    }
    std::vector<store::IamPolicyVersionRecord> doomed;
    for (auto* v : versions) doomed.push_back(*v);
    for (auto& v : doomed) txn.Delete(v);
    RemoveAllTags(txn, ctx.account_id, "policy", arn);
    txn.Delete(p);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleCreatePolicyVersion(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  ASSIGN_OR_RETURN(std::string doc, ReqStr(input, "PolicyDocument"));
  bool set_default = input.value("SetAsDefault", false);
  RETURN_IF_ERROR(CheckManagedDocument(env, doc));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(store::IamPolicyRecord p, OwnPolicy(s, ctx, arn));
    if (VersionsOf(s, arn).size() >= kMaxPolicyVersions) {
      return Status(ErrorCode::kLimitExceeded,
                    "A managed policy can have up to 5 versions. Before you create a new "
                    "version, you must delete an existing version.");
    }
    int64_t now = ToUnixMillis(txn.identity().Now());
    store::IamPolicyVersionRecord v{arn, "v" + std::to_string(p.next_version), doc, now};
    p.next_version++;
    p.updated_at_ms = now;
    if (set_default) p.default_version = v.version_id;
    txn.Put(p);
    txn.Put(v);
    out = {{"PolicyVersion", VersionJson(v, set_default, false)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleGetPolicyVersion(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  ASSIGN_OR_RETURN(std::string version, ReqStr(input, "VersionId"));
  if (!ValidVersionId(version)) {
    return identity::ValidationError("versionId", version,
                                     "Member must satisfy regular expression pattern: "
                                     "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
  }
  auto s = env.identity.Snapshot();
  RETURN_IF_ERROR(CheckVisible(*s, ctx, arn));
  if (const auto* aws = identity::FindAwsManagedPolicy(arn)) {
    if (version != aws->version_id) {
      return NoSuchEntity("Policy " + arn + " version " + version + " does not exist.");
    }
    return json{{"PolicyVersion",
                 {{"Document", identity::UrlEncode(aws->document)},
                  {"VersionId", aws->version_id},
                  {"IsDefaultVersion", true},
                  {"CreateDate", aws->updated}}}};
  }
  const auto* p = s->Find<store::IamPolicyRecord>(arn);
  const auto* v = s->Find<store::IamPolicyVersionRecord>(
      identity::KeyOf(store::IamPolicyVersionRecord{arn, version, "", 0}));
  if (v == nullptr) {
    return NoSuchEntity("Policy " + arn + " version " + version + " does not exist.");
  }
  return json{{"PolicyVersion", VersionJson(*v, p->default_version == version, true)}};
}

Result<json> HandleListPolicyVersions(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  auto s = env.identity.Snapshot();
  RETURN_IF_ERROR(CheckVisible(*s, ctx, arn));
  std::vector<json> items;
  if (const auto* aws = identity::FindAwsManagedPolicy(arn)) {
    items.push_back({{"VersionId", aws->version_id},
                     {"IsDefaultVersion", true},
                     {"CreateDate", aws->updated}});
  } else {
    const auto* p = s->Find<store::IamPolicyRecord>(arn);
    for (auto* v : VersionsOf(*s, arn)) {
      items.push_back(VersionJson(*v, v->version_id == p->default_version, false));
    }
  }
  return Page(input, "Versions", std::move(items));
}

Result<json> HandleDeletePolicyVersion(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  ASSIGN_OR_RETURN(std::string version, ReqStr(input, "VersionId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(store::IamPolicyRecord p, OwnPolicy(s, ctx, arn));
    const auto* v = s.Find<store::IamPolicyVersionRecord>(
        identity::KeyOf(store::IamPolicyVersionRecord{arn, version, "", 0}));
    if (v == nullptr) {
      return NoSuchEntity("Policy " + arn + " version " + version + " does not exist.");
    }
    if (p.default_version == version) {
      return Status(ErrorCode::kDeleteConflict, "Cannot delete the default version of a policy.");
    }
    txn.Delete(*v);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleSetDefaultPolicyVersion(Env& env, const api::CallContext& ctx,
                                           const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  ASSIGN_OR_RETURN(std::string version, ReqStr(input, "VersionId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(store::IamPolicyRecord p, OwnPolicy(s, ctx, arn));
    if (s.Find<store::IamPolicyVersionRecord>(
            identity::KeyOf(store::IamPolicyVersionRecord{arn, version, "", 0})) == nullptr) {
      return NoSuchEntity("Policy " + arn + " version " + version + " does not exist.");
    }
    p.default_version = version;
    p.updated_at_ms = ToUnixMillis(txn.identity().Now());
    txn.Put(p);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleListPolicies(Env& env, const api::CallContext& ctx, const json& input) {
  std::string scope = OptStr(input, "Scope").value_or("All");
  if (scope != "All" && scope != "AWS" && scope != "Local") {
    return identity::ValidationError("scope", scope,
                                     "Member must satisfy enum value set: [All, AWS, Local]");
  }
  bool only_attached = input.value("OnlyAttached", false);
  std::string prefix = OptStr(input, "PathPrefix").value_or("/");
  auto s = env.identity.Snapshot();
  std::vector<json> items;
  if (scope != "Local") {
    for (const auto& aws : identity::AwsManagedPolicies()) {
      if (!aws.path.starts_with(prefix)) continue;
      if (only_attached && AttachmentCount(*s, aws.arn) == 0) continue;
      json j = AwsPolicyJson(*s, aws);
      j.erase("Description");
      items.push_back(std::move(j));
    }
  }
  if (scope != "AWS") {
    for (const auto& [k, p] : s->T<store::IamPolicyRecord>()) {
      if (p.account_id != ctx.account_id || !p.path.starts_with(prefix)) continue;
      if (only_attached && AttachmentCount(*s, p.arn) == 0) continue;
      json j = PolicyJson(*s, p, false);
      j.erase("Description");
      items.push_back(std::move(j));
    }
  }
  return Page(input, "Policies", std::move(items));
}

Result<json> HandleListEntitiesForPolicy(Env& env, const api::CallContext& ctx,
                                         const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  std::optional<std::string> filter = OptStr(input, "EntityFilter");
  auto s = env.identity.Snapshot();
  RETURN_IF_ERROR(CheckVisible(*s, ctx, arn));
  json users = json::array(), groups = json::array(), roles = json::array();
  for (const auto& [k, a] : s->T<store::IamAttachmentRecord>()) {
    if (a.account_id != ctx.account_id || a.policy_arn != arn) continue;
    if (a.entity_type == "user" && (!filter || *filter == "User")) {
      if (const auto* u = s->User(ctx.account_id, a.entity_name)) {
        users.push_back({{"UserName", u->name}, {"UserId", u->id}});
      }
    } else if (a.entity_type == "group" && (!filter || *filter == "Group")) {
      if (const auto* g = s->Group(ctx.account_id, a.entity_name)) {
        groups.push_back({{"GroupName", g->name}, {"GroupId", g->id}});
      }
    } else if (a.entity_type == "role" && (!filter || *filter == "Role")) {
      if (const auto* r = s->Role(ctx.account_id, a.entity_name)) {
        roles.push_back({{"RoleName", r->name}, {"RoleId", r->id}});
      }
    }
  }
  return json{{"PolicyGroups", groups},
              {"PolicyUsers", users},
              {"PolicyRoles", roles},
              {"IsTruncated", false}};
}

Result<json> HandleTagPolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  ASSIGN_OR_RETURN(identity::TagList tags, ParseTags(input, "Tags"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    ASSIGN_OR_RETURN(store::IamPolicyRecord p, OwnPolicy(txn.state(), ctx, arn));
    return ApplyTags(txn, ctx.account_id, "policy", p.arn, tags);
  }));
  return json::object();
}

Result<json> HandleUntagPolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  std::vector<std::string> keys = input.value("TagKeys", std::vector<std::string>());
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    ASSIGN_OR_RETURN(store::IamPolicyRecord p, OwnPolicy(txn.state(), ctx, arn));
    RemoveTags(txn, ctx.account_id, "policy", p.arn, keys);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleListPolicyTags(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string arn, ReqStr(input, "PolicyArn"));
  auto s = env.identity.Snapshot();
  RETURN_IF_ERROR(CheckVisible(*s, ctx, arn));
  json tags = TagsJson(*s, ctx.account_id, "policy", arn);
  return Page(input, "Tags", std::vector<json>(tags.begin(), tags.end()));
}

#define OPENPCA_ATTACH_HANDLERS(Entity, kind)                                                 \
  Result<json> HandleAttach##Entity##Policy(Env& env, const api::CallContext& ctx,           \
                                            const json& input) {                              \
    return Attach(env, kind, ctx, input);                                                     \
  }                                                                                           \
  Result<json> HandleDetach##Entity##Policy(Env& env, const api::CallContext& ctx,           \
                                            const json& input) {                              \
    return Detach(env, kind, ctx, input);                                                     \
  }                                                                                           \
  Result<json> HandleListAttached##Entity##Policies(Env& env, const api::CallContext& ctx,   \
                                                    const json& input) {                      \
    return ListAttached(env, kind, ctx, input);                                               \
  }
OPENPCA_ATTACH_HANDLERS(User, kUser)
OPENPCA_ATTACH_HANDLERS(Group, kGroup)
OPENPCA_ATTACH_HANDLERS(Role, kRole)
#undef OPENPCA_ATTACH_HANDLERS

Result<json> HandlePutUserPermissionsBoundary(Env& env, const api::CallContext& ctx,
                                              const json& input) {
  return PutBoundary(env, kUser, ctx, input);
}
Result<json> HandlePutRolePermissionsBoundary(Env& env, const api::CallContext& ctx,
                                              const json& input) {
  return PutBoundary(env, kRole, ctx, input);
}
Result<json> HandleDeleteUserPermissionsBoundary(Env& env, const api::CallContext& ctx,
                                                 const json& input) {
  return DeleteBoundary(env, kUser, ctx, input);
}
Result<json> HandleDeleteRolePermissionsBoundary(Env& env, const api::CallContext& ctx,
                                                 const json& input) {
  return DeleteBoundary(env, kRole, ctx, input);
}

}  // namespace openpca::services::iam

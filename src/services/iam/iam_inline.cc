// Inline policies of users, groups and roles (Put/Get/Delete/List{User,Group,Role}Policy).
#include "services/iam/iam_common.h"
#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

using identity::Txn;

namespace {

struct Kind {
  const char* type;         // "user"
  const char* name_member;  // "UserName"
  size_t size_quota;
  const char* quota_name;
};
const Kind kUser{"user", "UserName", kUserPolicySize, "user"};
const Kind kGroup{"group", "GroupName", kGroupPolicySize, "group"};
const Kind kRole{"role", "RoleName", kRolePolicySize, "role"};

// The entity's stored name. Errors: kNoSuchEntity; kUnmodifiableEntity for protected roles.
Result<std::string> Entity(const identity::State& s, const Kind& kind, std::string_view account,
                           const std::string& name, bool modify) {
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
  if (modify) RETURN_IF_ERROR(CheckRoleModifiable(*r));
  return r->name;
}

Result<json> Put(Env& env, const Kind& kind, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  ASSIGN_OR_RETURN(std::string policy_name, ReqStr(input, "PolicyName"));
  RETURN_IF_ERROR(identity::CheckName(policy_name, "policyName", 1, 128));
  ASSIGN_OR_RETURN(std::string doc, ReqStr(input, "PolicyDocument"));
  RETURN_IF_ERROR(identity::CheckPolicyDocumentChars(doc, "policyDocument"));
  RETURN_IF_ERROR(identity::CheckPolicy(env.hooks, doc, identity::PolicyDocKind::kIdentity));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(std::string entity, Entity(s, kind, ctx.account_id, name, true));
    size_t total = identity::NonWhitespaceSize(doc);
    for (auto* p : s.Scan<store::IamInlinePolicyRecord>(
             identity::EntityKey(ctx.account_id, kind.type, entity))) {
      if (p->policy_name != policy_name) total += identity::NonWhitespaceSize(p->document);
    }
    if (total > kind.size_quota) {
      return Status(ErrorCode::kLimitExceeded,
                    "Maximum policy size of " + std::to_string(kind.size_quota) +
                        " bytes exceeded for " + kind.quota_name + " " + entity);
    }
    txn.Put(store::IamInlinePolicyRecord{ctx.account_id, kind.type, entity, policy_name, doc});
    return Status::Ok();
  }));
  return json::object();
}

Result<json> Get(Env& env, const Kind& kind, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  ASSIGN_OR_RETURN(std::string policy_name, ReqStr(input, "PolicyName"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(std::string entity, Entity(*s, kind, ctx.account_id, name, false));
  const auto* p = s->Find<store::IamInlinePolicyRecord>(identity::KeyOf(
      store::IamInlinePolicyRecord{ctx.account_id, kind.type, entity, policy_name, ""}));
  if (p == nullptr) {
    return NoSuchEntity("The " + std::string(kind.type) + " policy with name " + policy_name +
                        " cannot be found.");
  }
  return json{{kind.name_member, entity},
              {"PolicyName", p->policy_name},
              {"PolicyDocument", identity::UrlEncode(p->document)}};
}

Result<json> Delete(Env& env, const Kind& kind, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  ASSIGN_OR_RETURN(std::string policy_name, ReqStr(input, "PolicyName"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    ASSIGN_OR_RETURN(std::string entity, Entity(s, kind, ctx.account_id, name, true));
    const auto* p = s.Find<store::IamInlinePolicyRecord>(identity::KeyOf(
        store::IamInlinePolicyRecord{ctx.account_id, kind.type, entity, policy_name, ""}));
    if (p == nullptr) {
      return NoSuchEntity("The " + std::string(kind.type) + " policy with name " + policy_name +
                          " cannot be found.");
    }
    txn.Delete(*p);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> List(Env& env, const Kind& kind, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, kind.name_member));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(std::string entity, Entity(*s, kind, ctx.account_id, name, false));
  std::vector<json> names;
  for (auto* p : s->Scan<store::IamInlinePolicyRecord>(
           identity::EntityKey(ctx.account_id, kind.type, entity))) {
    names.push_back(p->policy_name);
  }
  return Page(input, "PolicyNames", std::move(names));
}

}  // namespace

#define OPENPCA_INLINE_HANDLERS(Entity, kind)                                                   \
  Result<json> HandlePut##Entity##Policy(Env& env, const api::CallContext& ctx,                \
                                         const json& input) {                                   \
    return Put(env, kind, ctx, input);                                                          \
  }                                                                                             \
  Result<json> HandleGet##Entity##Policy(Env& env, const api::CallContext& ctx,                \
                                         const json& input) {                                   \
    return Get(env, kind, ctx, input);                                                          \
  }                                                                                             \
  Result<json> HandleDelete##Entity##Policy(Env& env, const api::CallContext& ctx,             \
                                            const json& input) {                                \
    return Delete(env, kind, ctx, input);                                                       \
  }                                                                                             \
  Result<json> HandleList##Entity##Policies(Env& env, const api::CallContext& ctx,             \
                                            const json& input) {                                \
    return List(env, kind, ctx, input);                                                         \
  }

OPENPCA_INLINE_HANDLERS(User, kUser)
OPENPCA_INLINE_HANDLERS(Group, kGroup)
OPENPCA_INLINE_HANDLERS(Role, kRole)
#undef OPENPCA_INLINE_HANDLERS

}  // namespace openpca::services::iam

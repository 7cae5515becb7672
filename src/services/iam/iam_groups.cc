// IAM groups and membership.
#include "services/iam/iam_common.h"
#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

using identity::Lower;
using identity::Txn;

Result<json> HandleCreateGroup(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "GroupName"));
  RETURN_IF_ERROR(identity::CheckName(name, "groupName", 1, 128));
  std::string path = OptStr(input, "Path").value_or("/");
  RETURN_IF_ERROR(identity::CheckPath(path, "path"));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    if (s.Group(ctx.account_id, name) != nullptr) {
      return Status(ErrorCode::kEntityAlreadyExists,
                    "Group with name " + name + " already exists.");
    }
    size_t n = 0;
    for (const auto& [k, g] : s.T<store::IamGroupRecord>()) n += g.account_id == ctx.account_id;
    if (n >= kMaxGroups) {
      return Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for GroupsPerAccount: 300");
    }
    store::IamGroupRecord g;
    g.account_id = ctx.account_id;
    g.name = name;
    g.id = txn.identity().NewUniqueId("AGPA");
    g.path = path;
    g.created_at_ms = ToUnixMillis(txn.identity().Now());
    txn.Put(g);
    out = {{"Group", GroupJson(g)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleGetGroup(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "GroupName"));
  auto s = env.identity.Snapshot();
  const store::IamGroupRecord* g = s->Group(ctx.account_id, name);
  if (g == nullptr) return NoSuchGroup(name);
  std::vector<json> users;
  for (const auto& [k, m] : s->T<store::IamGroupMemberRecord>()) {
    if (m.account_id != ctx.account_id || Lower(m.group_name) != Lower(g->name)) continue;
    if (const store::IamUserRecord* u = s->User(ctx.account_id, m.user_name)) {
      users.push_back(UserJson(*s, *u, false));
    }
  }
  ASSIGN_OR_RETURN(json out, Page(input, "Users", std::move(users)));
  out["Group"] = GroupJson(*g);
  return out;
}

Result<json> HandleListGroups(Env& env, const api::CallContext& ctx, const json& input) {
  std::string prefix = OptStr(input, "PathPrefix").value_or("/");
  auto s = env.identity.Snapshot();
  std::vector<json> items;
  for (const auto& [k, g] : s->T<store::IamGroupRecord>()) {
    if (g.account_id == ctx.account_id && g.path.starts_with(prefix)) items.push_back(GroupJson(g));
  }
  return Page(input, "Groups", std::move(items));
}

Result<json> HandleDeleteGroup(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "GroupName"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    const store::IamGroupRecord* g = s.Group(ctx.account_id, name);
    if (g == nullptr) return NoSuchGroup(name);
    for (const auto& [k, m] : s.T<store::IamGroupMemberRecord>()) {
      if (m.account_id == ctx.account_id && Lower(m.group_name) == Lower(g->name)) {
        return Status(ErrorCode::kDeleteConflict,
                      "Cannot delete entity, must remove users from group first.");
      }
    }
    if (!s.Scan<store::IamInlinePolicyRecord>(identity::EntityKey(ctx.account_id, "group", g->name))
             .empty()) {
      return Status(ErrorCode::kDeleteConflict, "Cannot delete entity, must delete policies first.");
    }
    if (!s.Scan<store::IamAttachmentRecord>(identity::EntityKey(ctx.account_id, "group", g->name))
             .empty()) {
      return Status(ErrorCode::kDeleteConflict,
                    "Cannot delete entity, must detach all policies first.");
    }
    txn.Delete(*g);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleAddUserToGroup(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string group, ReqStr(input, "GroupName"));
  ASSIGN_OR_RETURN(std::string user, ReqStr(input, "UserName"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    const store::IamGroupRecord* g = s.Group(ctx.account_id, group);
    if (g == nullptr) return NoSuchGroup(group);
    const store::IamUserRecord* u = s.User(ctx.account_id, user);
    if (u == nullptr) return NoSuchUser(user);
    store::IamGroupMemberRecord m{ctx.account_id, g->name, u->name};
    if (s.Find<store::IamGroupMemberRecord>(identity::KeyOf(m)) != nullptr) return Status::Ok();
    size_t n = 0;
    for (const auto& [k, x] : s.T<store::IamGroupMemberRecord>()) {
      n += x.account_id == ctx.account_id && Lower(x.user_name) == Lower(u->name);
    }
    if (n >= kMaxGroupsPerUser) {
      return Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for GroupsPerUser: 10");
    }
    txn.Put(m);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleRemoveUserFromGroup(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string group, ReqStr(input, "GroupName"));
  ASSIGN_OR_RETURN(std::string user, ReqStr(input, "UserName"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const identity::State& s = txn.state();
    const store::IamGroupRecord* g = s.Group(ctx.account_id, group);
    if (g == nullptr) return NoSuchGroup(group);
    const store::IamUserRecord* u = s.User(ctx.account_id, user);
    if (u == nullptr) return NoSuchUser(user);
    store::IamGroupMemberRecord m{ctx.account_id, g->name, u->name};
    const auto* existing = s.Find<store::IamGroupMemberRecord>(identity::KeyOf(m));
    if (existing == nullptr) {
      return NoSuchEntity("User " + user + " is not in group " + group + ".");
    }
    txn.Delete(*existing);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleListGroupsForUser(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string user, ReqStr(input, "UserName"));
  auto s = env.identity.Snapshot();
  const store::IamUserRecord* u = s->User(ctx.account_id, user);
  if (u == nullptr) return NoSuchUser(user);
  std::vector<json> items;
  for (const auto& [k, m] : s->T<store::IamGroupMemberRecord>()) {
    if (m.account_id != ctx.account_id || Lower(m.user_name) != Lower(u->name)) continue;
    if (const store::IamGroupRecord* g = s->Group(ctx.account_id, m.group_name)) {
      items.push_back(GroupJson(*g));
    }
  }
  return Page(input, "Groups", std::move(items));
}

}  // namespace openpca::services::iam

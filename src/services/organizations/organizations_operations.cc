#include "services/organizations/organizations_operations.h"

#include <algorithm>
#include <memory>

#include "identity/names.h"

namespace openpca::services::organizations {
namespace {

using identity::State;
using identity::Txn;
using nlohmann::json;

constexpr char kScp[] = "SERVICE_CONTROL_POLICY";
constexpr char kFullAwsAccessContent[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
constexpr char kAdministratorAccessInline[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";

struct Env {
  identity::Identity& identity;
  identity::PolicyHooks hooks;
};

std::optional<std::string> OptStr(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<std::string> ReqStr(const json& input, const char* member) {
  auto v = OptStr(input, member);
  if (!v) {
    return Status(ErrorCode::kInvalidInput,
                  std::string("You must specify a value for ") + member + ".");
  }
  return *v;
}

Status NotInUse() {
  return Status(ErrorCode::kOrganizationsNotInUse,
                "Your account is not a member of an organization.");
}

Status NotManagement() {
  return Status(ErrorCode::kAccessDenied,
                "You don't have permissions to access this resource.");
}

// The caller's organization. Errors: kOrganizationsNotInUse.
Result<store::OrganizationRecord> CallerOrg(const State& s, const api::CallContext& ctx) {
  const store::IamAccountRecord* a = s.Account(ctx.account_id);
  if (a == nullptr || a->org_id.empty()) return NotInUse();
  const store::OrganizationRecord* org = s.Organization(a->org_id);
  if (org == nullptr) return NotInUse();
  return *org;
}

// The caller's organization, which the caller must manage.
Result<store::OrganizationRecord> ManagedOrg(const State& s, const api::CallContext& ctx) {
  ASSIGN_OR_RETURN(store::OrganizationRecord org, CallerOrg(s, ctx));
  if (org.management_account_id != ctx.account_id) return NotManagement();
  return org;
}

std::string Prefix(const store::OrganizationRecord& org) {
  return "arn:aws:organizations::" + org.management_account_id + ":";
}

bool Enabled(const store::OrganizationRecord& org, std::string_view type) {
  std::string list = "," + org.enabled_policy_types + ",";
  return list.find("," + std::string(type) + ",") != std::string::npos;
}

json PolicyTypesJson(const store::OrganizationRecord& org) {
  json out = json::array();
  std::string list = org.enabled_policy_types;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) {
      out.push_back({{"Type", list.substr(start, comma - start)}, {"Status", "ENABLED"}});
    }
    start = comma + 1;
  }
  return out;
}

json OrganizationJson(const State& s, const store::OrganizationRecord& org) {
  const store::IamAccountRecord* mgmt = s.Account(org.management_account_id);
  return {{"Id", org.id},
          {"Arn", Prefix(org) + "organization/" + org.id},
          {"FeatureSet", org.feature_set},
          {"MasterAccountArn",
           Prefix(org) + "account/" + org.id + "/" + org.management_account_id},
          {"MasterAccountId", org.management_account_id},
          {"MasterAccountEmail", mgmt == nullptr ? "" : mgmt->email},
          {"AvailablePolicyTypes", PolicyTypesJson(org)}};
}

json RootJson(const store::OrganizationRecord& org) {
  return {{"Id", org.root_id},
          {"Arn", Prefix(org) + "root/" + org.id + "/" + org.root_id},
          {"Name", "Root"},
          {"PolicyTypes", PolicyTypesJson(org)}};
}

json AccountJson(const store::OrganizationRecord& org, const store::IamAccountRecord& a) {
  return {{"Id", a.id},
          {"Arn", Prefix(org) + "account/" + org.id + "/" + a.id},
          {"Email", a.email},
          {"Name", a.name},
          {"Status", a.status},
          {"State", a.status},
          {"JoinedMethod", a.joined_method},
          {"JoinedTimestamp", identity::IsoTime(a.joined_at_ms)}};
}

json OuJson(const store::OrganizationRecord& org, const store::OrgUnitRecord& ou) {
  return {{"Id", ou.id}, {"Arn", Prefix(org) + "ou/" + org.id + "/" + ou.id}, {"Name", ou.name}};
}

std::string PolicyArn(const store::OrganizationRecord& org, const store::OrgPolicyRecord& p) {
  std::string type = identity::Lower(p.type);
  if (p.aws_managed) return "arn:aws:organizations::aws:policy/" + type + "/" + p.id;
  return Prefix(org) + "policy/" + org.id + "/" + type + "/" + p.id;
}

json PolicySummaryJson(const store::OrganizationRecord& org, const store::OrgPolicyRecord& p) {
  return {{"Id", p.id},
          {"Arn", PolicyArn(org, p)},
          {"Name", p.name},
          {"Description", p.description},
          {"Type", p.type},
          {"AwsManaged", p.aws_managed}};
}

json StatusJson(const store::CreateAccountStatusRecord& r) {
  json j = {{"Id", r.id},
            {"AccountName", r.account_name},
            {"State", r.state},
            {"RequestedTimestamp", identity::IsoTime(r.requested_at_ms)}};
  if (r.state != "IN_PROGRESS") j["CompletedTimestamp"] = identity::IsoTime(r.completed_at_ms);
  if (!r.account_id.empty()) j["AccountId"] = r.account_id;
  if (!r.failure_reason.empty()) j["FailureReason"] = r.failure_reason;
  return j;
}

// The policies visible in `org`: its own and the AWS-managed ones.
const store::OrgPolicyRecord* FindPolicy(const State& s, const store::OrganizationRecord& org,
                                         const std::string& id) {
  const store::OrgPolicyRecord* p = s.Find<store::OrgPolicyRecord>(id);
  if (p == nullptr || (!p->aws_managed && p->org_id != org.id)) return nullptr;
  return p;
}

// Whether `target` is the root, an OU or an account of `org`.
bool TargetExists(const State& s, const store::OrganizationRecord& org, const std::string& target) {
  if (target == org.root_id) return true;
  if (const auto* ou = s.Find<store::OrgUnitRecord>(target)) return ou->org_id == org.id;
  if (const auto* a = s.Account(target)) return a->org_id == org.id;
  return false;
}

std::vector<const store::OrgPolicyAttachmentRecord*> AttachmentsOf(const State& s,
                                                                   const store::OrganizationRecord& org,
                                                                   const std::string& target,
                                                                   std::string_view type) {
  std::vector<const store::OrgPolicyAttachmentRecord*> out;
  for (const auto& [k, a] : s.T<store::OrgPolicyAttachmentRecord>()) {
    if (a.org_id != org.id || a.target_id != target) continue;
    const auto* p = s.Find<store::OrgPolicyRecord>(a.policy_id);
    if (p != nullptr && p->type == type) out.push_back(&a);
  }
  return out;
}

void EnsureFullAwsAccess(Txn& txn) {
  if (txn.state().Find<store::OrgPolicyRecord>(kFullAwsAccessId) == nullptr) {
    txn.Put(store::OrgPolicyRecord{kFullAwsAccessId, "", "FullAWSAccess",
                                   "Allows access to every operation", kScp,
                                   kFullAwsAccessContent, true});
  }
}

// Every target of `org`: root, OUs, accounts.
std::vector<std::string> AllTargets(const State& s, const store::OrganizationRecord& org) {
  std::vector<std::string> out = {org.root_id};
  for (const auto& [k, ou] : s.T<store::OrgUnitRecord>()) {
    if (ou.org_id == org.id) out.push_back(ou.id);
  }
  for (const auto& [k, a] : s.T<store::IamAccountRecord>()) {
    if (a.org_id == org.id) out.push_back(a.id);
  }
  return out;
}

// --- Organization ---

Result<json> HandleCreateOrganization(Env& env, const api::CallContext& ctx, const json& input) {
  std::string feature_set = OptStr(input, "FeatureSet").value_or("ALL");
  if (feature_set != "ALL" && feature_set != "CONSOLIDATED_BILLING") {
    return Status(ErrorCode::kInvalidInput, "You provided a value that does not match the required "
                                            "pattern.");
  }
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    const store::IamAccountRecord* account = s.Account(ctx.account_id);
    if (account == nullptr) {
      return Status(ErrorCode::kAccountNotFound, "You specified an account that doesn't exist.");
    }
    if (!account->org_id.empty()) {
      return Status(ErrorCode::kAlreadyInOrganization,
                    "The provided account is already a member of an organization.");
    }
    store::OrganizationRecord org;
    org.id = "o-" + txn.identity().RandomString(10, kLowerAlnum);
    org.management_account_id = ctx.account_id;
    org.feature_set = feature_set;
    org.root_id = "r-" + txn.identity().RandomString(4, kLowerAlnum);
    org.enabled_policy_types = feature_set == "ALL" ? kScp : "";
    org.created_at_ms = ToUnixMillis(txn.identity().Now());
    txn.Put(org);
    store::IamAccountRecord updated = *account;
    updated.org_id = org.id;
    updated.parent_id = org.root_id;
    updated.joined_method = "CREATED";
    if (updated.joined_at_ms == 0) updated.joined_at_ms = org.created_at_ms;
    txn.Put(updated);
    if (feature_set == "ALL") {
      EnsureFullAwsAccess(txn);
      txn.Put(store::OrgPolicyAttachmentRecord{org.id, kFullAwsAccessId, org.root_id});
      txn.Put(store::OrgPolicyAttachmentRecord{org.id, kFullAwsAccessId, ctx.account_id});
    }
    out = {{"Organization", OrganizationJson(txn.state(), org)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleDescribeOrganization(Env& env, const api::CallContext& ctx, const json&) {
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, CallerOrg(*s, ctx));
  return json{{"Organization", OrganizationJson(*s, org)}};
}

Result<json> HandleListRoots(Env& env, const api::CallContext& ctx, const json&) {
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, CallerOrg(*s, ctx));
  return json{{"Roots", json::array({RootJson(org)})}};
}

// --- Accounts ---

bool ValidEmail(std::string_view e) {
  size_t at = e.find('@');
  if (e.size() < 6 || e.size() > 64 || at == std::string_view::npos || at == 0 ||
      e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = e.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  for (unsigned char c : e) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

Result<json> HandleCreateAccount(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string email, ReqStr(input, "Email"));
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "AccountName"));
  std::string role_name = OptStr(input, "RoleName").value_or("OrganizationAccountAccessRole");
  if (!ValidEmail(email)) {
    return Status(ErrorCode::kInvalidInput, "The provided email address is not valid.");
  }
  bool name_ok = !name.empty() && name.size() <= 50;
  for (unsigned char c : name) name_ok = name_ok && c >= 0x20 && c <= 0x7E;
  if (!name_ok) {
    return Status(ErrorCode::kInvalidInput, "You provided a value that does not match the required "
                                            "pattern.");
  }
  if (!identity::CheckName(role_name, "roleName", 1, 64).ok()) {
    return Status(ErrorCode::kInvalidInput, "You provided a value that does not match the required "
                                            "pattern.");
  }
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    int64_t now = ToUnixMillis(txn.identity().Now());
    store::CreateAccountStatusRecord status;
    status.id = "car-" + txn.identity().RandomString(12, kLowerAlnum);
    status.org_id = org.id;
    status.account_name = name;
    status.email = email;
    status.role_name = role_name;
    status.requested_at_ms = now;
    status.completed_at_ms = now;
    bool email_taken = false;
    for (const auto& [k, a] : s.T<store::IamAccountRecord>()) {
      email_taken = email_taken || identity::Lower(a.email) == identity::Lower(email);
    }
    if (email_taken) {
      status.state = "FAILED";
      status.failure_reason = "EMAIL_ALREADY_EXISTS";
      txn.Put(status);
      status.state = "IN_PROGRESS";
      status.failure_reason.clear();
      out = {{"CreateAccountStatus", StatusJson(status)}};
      return Status::Ok();
    }
    std::string id;
    do {
      id = txn.identity().RandomString(1, "123456789") +
           txn.identity().RandomString(11, "0123456789");
    } while (s.Account(id) != nullptr);
    store::IamAccountRecord account;
    account.id = id;
    account.name = name;
    account.email = email;
    account.status = "ACTIVE";
    account.joined_method = "CREATED";
    account.joined_at_ms = now;
    account.org_id = org.id;
    account.parent_id = org.root_id;
    txn.Put(account);
    if (Enabled(org, kScp)) {
      txn.Put(store::OrgPolicyAttachmentRecord{org.id, kFullAwsAccessId, id});
    }
    // The role the management account uses to administer the new account.
    store::IamRoleRecord role;
    role.account_id = id;
    role.name = role_name;
    role.id = txn.identity().NewUniqueId("AROA");
    role.trust_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
                        org.management_account_id +
                        R"(:root"},"Action":"sts:AssumeRole"}]})";
    role.created_at_ms = now;
    txn.Put(role);
    txn.Put(store::IamInlinePolicyRecord{id, "role", role_name, "AdministratorAccess",
                                         kAdministratorAccessInline});
    status.state = "SUCCEEDED";
    status.account_id = id;
    txn.Put(status);
    store::CreateAccountStatusRecord reply = status;
    reply.state = "IN_PROGRESS";
    reply.account_id.clear();
    out = {{"CreateAccountStatus", StatusJson(reply)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleDescribeCreateAccountStatus(Env& env, const api::CallContext& ctx,
                                               const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "CreateAccountRequestId"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  const auto* r = s->Find<store::CreateAccountStatusRecord>(id);
  if (r == nullptr || r->org_id != org.id) {
    return Status(ErrorCode::kCreateAccountStatusNotFound,
                  "We can't find a create account request with the CreateAccountRequestId that "
                  "you specified.");
  }
  return json{{"CreateAccountStatus", StatusJson(*r)}};
}

Result<json> HandleListCreateAccountStatus(Env& env, const api::CallContext& ctx,
                                           const json& input) {
  std::vector<std::string> states = input.value("States", std::vector<std::string>());
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  json list = json::array();
  for (const auto& [k, r] : s->T<store::CreateAccountStatusRecord>()) {
    if (r.org_id != org.id) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), r.state) == states.end()) {
      continue;
    }
    list.push_back(StatusJson(r));
  }
  return json{{"CreateAccountStatuses", list}};
}

Result<json> HandleListAccounts(Env& env, const api::CallContext& ctx, const json&) {
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  json list = json::array();
  for (const auto& [k, a] : s->T<store::IamAccountRecord>()) {
    if (a.org_id == org.id) list.push_back(AccountJson(org, a));
  }
  return json{{"Accounts", list}};
}

Result<json> HandleDescribeAccount(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "AccountId"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  const store::IamAccountRecord* a = s->Account(id);
  if (a == nullptr || a->org_id != org.id) {
    return Status(ErrorCode::kAccountNotFound, "You specified an account that doesn't exist.");
  }
  return json{{"Account", AccountJson(org, *a)}};
}

// --- Organizational units ---

Result<json> HandleCreateOrganizationalUnit(Env& env, const api::CallContext& ctx,
                                            const json& input) {
  ASSIGN_OR_RETURN(std::string parent, ReqStr(input, "ParentId"));
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "Name"));
  if (name.empty() || name.size() > 128) {
    return Status(ErrorCode::kInvalidInput, "You provided a value that does not match the required "
                                            "pattern.");
  }
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    const auto* parent_ou = s.Find<store::OrgUnitRecord>(parent);
    if (parent != org.root_id && (parent_ou == nullptr || parent_ou->org_id != org.id)) {
      return Status(ErrorCode::kParentNotFound, "We can't find a root or OU with the ParentId that "
                                                "you specified.");
    }
    for (const auto& [k, ou] : s.T<store::OrgUnitRecord>()) {
      if (ou.org_id == org.id && ou.parent_id == parent && ou.name == name) {
        return Status(ErrorCode::kDuplicateOrganizationalUnit,
                      "An OU with the same name already exists.");
      }
    }
    store::OrgUnitRecord ou;
    ou.id = "ou-" + org.root_id.substr(2) + "-" + txn.identity().RandomString(8, kLowerAlnum);
    ou.org_id = org.id;
    ou.parent_id = parent;
    ou.name = name;
    txn.Put(ou);
    if (Enabled(org, kScp)) {
      txn.Put(store::OrgPolicyAttachmentRecord{org.id, kFullAwsAccessId, ou.id});
    }
    out = {{"OrganizationalUnit", OuJson(org, ou)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleListOrganizationalUnitsForParent(Env& env, const api::CallContext& ctx,
                                                    const json& input) {
  ASSIGN_OR_RETURN(std::string parent, ReqStr(input, "ParentId"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  if (parent != org.root_id && s->Find<store::OrgUnitRecord>(parent) == nullptr) {
    return Status(ErrorCode::kParentNotFound, "We can't find a root or OU with the ParentId that "
                                              "you specified.");
  }
  json list = json::array();
  for (const auto& [k, ou] : s->T<store::OrgUnitRecord>()) {
    if (ou.org_id == org.id && ou.parent_id == parent) list.push_back(OuJson(org, ou));
  }
  return json{{"OrganizationalUnits", list}};
}

Result<json> HandleMoveAccount(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "AccountId"));
  ASSIGN_OR_RETURN(std::string source, ReqStr(input, "SourceParentId"));
  ASSIGN_OR_RETURN(std::string dest, ReqStr(input, "DestinationParentId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    const store::IamAccountRecord* a = s.Account(id);
    if (a == nullptr || a->org_id != org.id) {
      return Status(ErrorCode::kAccountNotFound, "You specified an account that doesn't exist.");
    }
    auto is_parent = [&](const std::string& p) {
      if (p == org.root_id) return true;
      const auto* ou = s.Find<store::OrgUnitRecord>(p);
      return ou != nullptr && ou->org_id == org.id;
    };
    if (!is_parent(source) || !is_parent(dest)) {
      return Status(ErrorCode::kParentNotFound, "We can't find a root or OU with the ParentId "
                                                "that you specified.");
    }
    std::string current = a->parent_id.empty() ? org.root_id : a->parent_id;
    if (current != source) {
      return Status(ErrorCode::kInvalidInput, "The account is not in the source parent.");
    }
    store::IamAccountRecord moved = *a;
    moved.parent_id = dest;
    txn.Put(moved);
    return Status::Ok();
  }));
  return json::object();
}

// --- Policies ---

Result<json> HandleEnablePolicyType(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string root, ReqStr(input, "RootId"));
  ASSIGN_OR_RETURN(std::string type, ReqStr(input, "PolicyType"));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    if (root != org.root_id) {
      return Status(ErrorCode::kRootNotFound, "We can't find a root with the RootId that you "
                                              "specified.");
    }
    if (type != kScp) {
      return Status(ErrorCode::kPolicyTypeNotAvailableForOrganization,
                    "You can't use the specified policy type with the feature set currently "
                    "enabled for this organization.");
    }
    if (org.feature_set != "ALL") {
      return Status(ErrorCode::kPolicyTypeNotAvailableForOrganization,
                    "You can't use the specified policy type with the feature set currently "
                    "enabled for this organization.");
    }
    if (Enabled(org, type)) {
      return Status(ErrorCode::kPolicyTypeAlreadyEnabled,
                    "The specified policy type is already enabled.");
    }
    org.enabled_policy_types += (org.enabled_policy_types.empty() ? "" : ",") + type;
    txn.Put(org);
    EnsureFullAwsAccess(txn);
    for (const std::string& target : AllTargets(s, org)) {
      txn.Put(store::OrgPolicyAttachmentRecord{org.id, kFullAwsAccessId, target});
    }
    out = {{"Root", RootJson(org)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleDisablePolicyType(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string root, ReqStr(input, "RootId"));
  ASSIGN_OR_RETURN(std::string type, ReqStr(input, "PolicyType"));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    if (root != org.root_id) {
      return Status(ErrorCode::kRootNotFound, "We can't find a root with the RootId that you "
                                              "specified.");
    }
    if (!Enabled(org, type)) {
      return Status(ErrorCode::kPolicyTypeNotEnabled,
                    "This operation can be performed only for enabled policy types.");
    }
    std::vector<store::OrgPolicyAttachmentRecord> doomed;
    for (const auto& [k, a] : s.T<store::OrgPolicyAttachmentRecord>()) {
      const auto* p = s.Find<store::OrgPolicyRecord>(a.policy_id);
      if (a.org_id == org.id && p != nullptr && p->type == type) doomed.push_back(a);
    }
    for (auto& a : doomed) txn.Delete(a);
    std::string list = "," + org.enabled_policy_types + ",";
    list.erase(list.find("," + type + ","), type.size() + 1);
    org.enabled_policy_types = list.size() <= 1 ? "" : list.substr(1, list.size() - 2);
    txn.Put(org);
    out = {{"Root", RootJson(org)}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleCreatePolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string content, ReqStr(input, "Content"));
  ASSIGN_OR_RETURN(std::string description, ReqStr(input, "Description"));
  ASSIGN_OR_RETURN(std::string name, ReqStr(input, "Name"));
  ASSIGN_OR_RETURN(std::string type, ReqStr(input, "Type"));
  if (name.empty() || name.size() > 128 || description.size() > 512) {
    return Status(ErrorCode::kInvalidInput, "You provided a value that does not match the required "
                                            "pattern.");
  }
  if (type != kScp) {
    return Status(ErrorCode::kPolicyTypeNotAvailableForOrganization,
                  "You can't use the specified policy type with the feature set currently "
                  "enabled for this organization.");
  }
  if (content.size() > kMaxScpSize) {
    return Status(ErrorCode::kConstraintViolation,
                  "POLICY_CONTENT_LIMIT_EXCEEDED: You attempted to create a policy that is "
                  "larger than the maximum size.");
  }
  RETURN_IF_ERROR(identity::CheckPolicy(env.hooks, content, identity::PolicyDocKind::kServiceControl));
  json out;
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    if (org.feature_set != "ALL") {
      return Status(ErrorCode::kPolicyTypeNotAvailableForOrganization,
                    "You can't use the specified policy type with the feature set currently "
                    "enabled for this organization.");
    }
    for (const auto& [k, p] : s.T<store::OrgPolicyRecord>()) {
      if ((p.org_id == org.id || p.aws_managed) && p.type == type && p.name == name) {
        return Status(ErrorCode::kDuplicatePolicy, "A policy with the same name already exists.");
      }
    }
    store::OrgPolicyRecord p;
    p.id = "p-" + txn.identity().RandomString(8, kLowerAlnum);
    p.org_id = org.id;
    p.name = name;
    p.description = description;
    p.type = type;
    p.content = content;
    txn.Put(p);
    out = {{"Policy", {{"PolicySummary", PolicySummaryJson(org, p)}, {"Content", content}}}};
    return Status::Ok();
  }));
  return out;
}

Result<json> HandleDescribePolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "PolicyId"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  const auto* p = FindPolicy(*s, org, id);
  if (p == nullptr) {
    return Status(ErrorCode::kPolicyNotFound, "We can't find a policy with the PolicyId that you "
                                              "specified.");
  }
  return json{{"Policy", {{"PolicySummary", PolicySummaryJson(org, *p)}, {"Content", p->content}}}};
}

Result<json> HandleListPolicies(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string filter, ReqStr(input, "Filter"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  json list = json::array();
  for (const auto& [k, p] : s->T<store::OrgPolicyRecord>()) {
    if ((p.aws_managed || p.org_id == org.id) && p.type == filter) {
      list.push_back(PolicySummaryJson(org, p));
    }
  }
  return json{{"Policies", list}};
}

Result<json> HandleAttachPolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "PolicyId"));
  ASSIGN_OR_RETURN(std::string target, ReqStr(input, "TargetId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    const auto* p = FindPolicy(s, org, id);
    if (p == nullptr) {
      return Status(ErrorCode::kPolicyNotFound, "We can't find a policy with the PolicyId that "
                                                "you specified.");
    }
    if (!TargetExists(s, org, target)) {
      return Status(ErrorCode::kTargetNotFound, "We can't find a root, OU, account, or policy "
                                                "with the TargetId that you specified.");
    }
    if (!Enabled(org, p->type)) {
      return Status(ErrorCode::kPolicyTypeNotEnabled,
                    "This operation can be performed only for enabled policy types.");
    }
    store::OrgPolicyAttachmentRecord a{org.id, p->id, target};
    if (s.Find<store::OrgPolicyAttachmentRecord>(identity::KeyOf(a)) != nullptr) {
      return Status(ErrorCode::kDuplicatePolicyAttachment,
                    "The selected policy is already attached to the specified target.");
    }
    if (AttachmentsOf(s, org, target, p->type).size() >= kMaxScpsPerTarget) {
      return Status(ErrorCode::kConstraintViolation,
                    "POLICY_NUMBER_LIMIT_EXCEEDED: You attempted to exceed the number of "
                    "policies that you can have attached to a target.");
    }
    txn.Put(a);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleDetachPolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "PolicyId"));
  ASSIGN_OR_RETURN(std::string target, ReqStr(input, "TargetId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    const auto* p = FindPolicy(s, org, id);
    if (p == nullptr) {
      return Status(ErrorCode::kPolicyNotFound, "We can't find a policy with the PolicyId that "
                                                "you specified.");
    }
    if (!TargetExists(s, org, target)) {
      return Status(ErrorCode::kTargetNotFound, "We can't find a root, OU, account, or policy "
                                                "with the TargetId that you specified.");
    }
    store::OrgPolicyAttachmentRecord a{org.id, p->id, target};
    if (s.Find<store::OrgPolicyAttachmentRecord>(identity::KeyOf(a)) == nullptr) {
      return Status(ErrorCode::kPolicyNotAttached,
                    "The policy isn't attached to the specified target in the specified root.");
    }
    if (AttachmentsOf(s, org, target, p->type).size() <= 1) {
      return Status(ErrorCode::kConstraintViolation,
                    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: You attempted to detach a policy "
                    "from an entity that would leave it with no policy of that type.");
    }
    txn.Delete(a);
    return Status::Ok();
  }));
  return json::object();
}

Result<json> HandleListPoliciesForTarget(Env& env, const api::CallContext& ctx,
                                         const json& input) {
  ASSIGN_OR_RETURN(std::string target, ReqStr(input, "TargetId"));
  ASSIGN_OR_RETURN(std::string filter, ReqStr(input, "Filter"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  if (!TargetExists(*s, org, target)) {
    return Status(ErrorCode::kTargetNotFound, "We can't find a root, OU, account, or policy with "
                                              "the TargetId that you specified.");
  }
  json list = json::array();
  for (auto* a : AttachmentsOf(*s, org, target, filter)) {
    list.push_back(PolicySummaryJson(org, *s->Find<store::OrgPolicyRecord>(a->policy_id)));
  }
  return json{{"Policies", list}};
}

Result<json> HandleListTargetsForPolicy(Env& env, const api::CallContext& ctx,
                                        const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "PolicyId"));
  auto s = env.identity.Snapshot();
  ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(*s, ctx));
  if (FindPolicy(*s, org, id) == nullptr) {
    return Status(ErrorCode::kPolicyNotFound, "We can't find a policy with the PolicyId that you "
                                              "specified.");
  }
  json list = json::array();
  for (const auto& [k, a] : s->T<store::OrgPolicyAttachmentRecord>()) {
    if (a.org_id != org.id || a.policy_id != id) continue;
    std::string type = a.target_id == org.root_id              ? "ROOT"
                       : a.target_id.starts_with("ou-")       ? "ORGANIZATIONAL_UNIT"
                                                              : "ACCOUNT";
    std::string name = type == "ROOT" ? "Root" : "";
    std::string arn;
    if (type == "ROOT") {
      arn = Prefix(org) + "root/" + org.id + "/" + org.root_id;
    } else if (type == "ACCOUNT") {
      arn = Prefix(org) + "account/" + org.id + "/" + a.target_id;
      if (const auto* acct = s->Account(a.target_id)) name = acct->name;
    } else {
      arn = Prefix(org) + "ou/" + org.id + "/" + a.target_id;
      if (const auto* ou = s->Find<store::OrgUnitRecord>(a.target_id)) name = ou->name;
    }
    list.push_back({{"TargetId", a.target_id}, {"Arn", arn}, {"Name", name}, {"Type", type}});
  }
  return json{{"Targets", list}};
}

Result<json> HandleDeletePolicy(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::string id, ReqStr(input, "PolicyId"));
  RETURN_IF_ERROR(env.identity.Mutate([&](Txn& txn) -> Status {
    const State& s = txn.state();
    ASSIGN_OR_RETURN(store::OrganizationRecord org, ManagedOrg(s, ctx));
    const auto* p = FindPolicy(s, org, id);
    if (p == nullptr) {
      return Status(ErrorCode::kPolicyNotFound, "We can't find a policy with the PolicyId that "
                                                "you specified.");
    }
    if (p->aws_managed) {
      return Status(ErrorCode::kAccessDenied, "You can't delete an AWS managed policy.");
    }
    for (const auto& [k, a] : s.T<store::OrgPolicyAttachmentRecord>()) {
      if (a.org_id == org.id && a.policy_id == id) {
        return Status(ErrorCode::kPolicyInUse, "The policy is attached to one or more entities. "
                                               "You must detach it from all roots, OUs, and "
                                               "accounts before performing this operation.");
      }
    }
    txn.Delete(*p);
    return Status::Ok();
  }));
  return json::object();
}

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> OrganizationsOperations(
    identity::Identity& identity, identity::PolicyHooks hooks) {
  auto env = std::make_shared<Env>(Env{identity, std::move(hooks)});
  using Fn = Result<json> (*)(Env&, const api::CallContext&, const json&);
  auto bind = [env](Fn fn) -> api::OperationHandler {
    return [env, fn](const api::CallContext& ctx, const json& input) {
      return fn(*env, ctx, input);
    };
  };
  return {
      {"CreateOrganization", bind(&HandleCreateOrganization)},
      {"DescribeOrganization", bind(&HandleDescribeOrganization)},
      {"ListRoots", bind(&HandleListRoots)},
      {"CreateAccount", bind(&HandleCreateAccount)},
      {"DescribeCreateAccountStatus", bind(&HandleDescribeCreateAccountStatus)},
      {"ListCreateAccountStatus", bind(&HandleListCreateAccountStatus)},
      {"ListAccounts", bind(&HandleListAccounts)},
      {"DescribeAccount", bind(&HandleDescribeAccount)},
      {"CreateOrganizationalUnit", bind(&HandleCreateOrganizationalUnit)},
      {"ListOrganizationalUnitsForParent", bind(&HandleListOrganizationalUnitsForParent)},
      {"MoveAccount", bind(&HandleMoveAccount)},
      {"EnablePolicyType", bind(&HandleEnablePolicyType)},
      {"DisablePolicyType", bind(&HandleDisablePolicyType)},
      {"CreatePolicy", bind(&HandleCreatePolicy)},
      {"DescribePolicy", bind(&HandleDescribePolicy)},
      {"ListPolicies", bind(&HandleListPolicies)},
      {"AttachPolicy", bind(&HandleAttachPolicy)},
      {"DetachPolicy", bind(&HandleDetachPolicy)},
      {"ListPoliciesForTarget", bind(&HandleListPoliciesForTarget)},
      {"ListTargetsForPolicy", bind(&HandleListTargetsForPolicy)},
      {"DeletePolicy", bind(&HandleDeletePolicy)},
  };
}

}  // namespace openpca::services::organizations

#include "identity/state.h"

#include <cctype>

namespace openpca::identity {
namespace {
constexpr char kSep = '\x1f';

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    out.append(p);
    out.push_back(kSep);
  }
  return out;
}
}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string EntityKey(std::string_view account, std::string_view type, std::string_view name) {
  return Join({account, type, Lower(name)});
}

std::string KeyOf(const store::IamAccountRecord& r) { return r.id; }
std::string KeyOf(const store::OrganizationRecord& r) { return r.id; }
std::string KeyOf(const store::OrgUnitRecord& r) { return r.id; }
std::string KeyOf(const store::OrgPolicyRecord& r) { return r.id; }
std::string KeyOf(const store::OrgPolicyAttachmentRecord& r) {
  return Join({r.org_id, r.policy_id, r.target_id});
}
std::string KeyOf(const store::CreateAccountStatusRecord& r) { return r.id; }
std::string KeyOf(const store::IamUserRecord& r) { return Join({r.account_id, Lower(r.name)}); }
std::string KeyOf(const store::IamGroupRecord& r) { return Join({r.account_id, Lower(r.name)}); }
std::string KeyOf(const store::IamGroupMemberRecord& r) {
  return Join({r.account_id, Lower(r.group_name), Lower(r.user_name)});
}
std::string KeyOf(const store::IamRoleRecord& r) { return Join({r.account_id, Lower(r.name)}); }
std::string KeyOf(const store::IamPolicyRecord& r) { return r.arn; }
std::string KeyOf(const store::IamPolicyVersionRecord& r) {
  return Join({r.policy_arn, r.version_id});
}
std::string KeyOf(const store::IamAttachmentRecord& r) {
  return EntityKey(r.account_id, r.entity_type, r.entity_name) + r.policy_arn;
}
std::string KeyOf(const store::IamInlinePolicyRecord& r) {
  return EntityKey(r.account_id, r.entity_type, r.entity_name) + r.policy_name;
}
std::string KeyOf(const store::IamTagRecord& r) {
  return EntityKey(r.account_id, r.resource_type, r.resource_name) + r.key;
}
std::string KeyOf(const store::IamAccessKeyRecord& r) { return r.access_key_id; }

void State::Apply(const store::IdentityChange& change) {
  std::visit(
      [&](const auto& record) {
        using R = std::decay_t<decltype(record)>;
        if (change.kind == store::IdentityChange::Kind::kPut) {
          T<R>()[KeyOf(record)] = record;
        } else {
          T<R>().erase(KeyOf(record));
        }
      },
      change.record);
}

const store::IamUserRecord* State::User(std::string_view account, std::string_view name) const {
  return Find<store::IamUserRecord>(Join({account, Lower(name)}));
}
const store::IamGroupRecord* State::Group(std::string_view account, std::string_view name) const {
  return Find<store::IamGroupRecord>(Join({account, Lower(name)}));
}
const store::IamRoleRecord* State::Role(std::string_view account, std::string_view name) const {
  return Find<store::IamRoleRecord>(Join({account, Lower(name)}));
}
const store::IamAccountRecord* State::Account(std::string_view id) const {
  return Find<store::IamAccountRecord>(std::string(id));
}
const store::OrganizationRecord* State::Organization(std::string_view id) const {
  return Find<store::OrganizationRecord>(std::string(id));
}

}  // namespace openpca::identity

// State: the identity domain's whole state in memory, one map per record type keyed by the
// record's store key (store/identity_store.h). Immutable once published by Identity: readers hold
// a shared_ptr<const State>; a write copies it, applies changes and publishes the copy.
// Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/identity_store.h"

namespace openpca::identity {

std::string Lower(std::string_view s);

// Store keys (names compared case-insensitively, as the store's COLLATE NOCASE does).
std::string KeyOf(const store::IamAccountRecord& r);
std::string KeyOf(const store::OrganizationRecord& r);
std::string KeyOf(const store::OrgUnitRecord& r);
std::string KeyOf(const store::OrgPolicyRecord& r);
std::string KeyOf(const store::OrgPolicyAttachmentRecord& r);
std::string KeyOf(const store::CreateAccountStatusRecord& r);
std::string KeyOf(const store::IamUserRecord& r);
std::string KeyOf(const store::IamGroupRecord& r);
std::string KeyOf(const store::IamGroupMemberRecord& r);
std::string KeyOf(const store::IamRoleRecord& r);
std::string KeyOf(const store::IamPolicyRecord& r);
std::string KeyOf(const store::IamPolicyVersionRecord& r);
std::string KeyOf(const store::IamAttachmentRecord& r);
std::string KeyOf(const store::IamInlinePolicyRecord& r);
std::string KeyOf(const store::IamTagRecord& r);
std::string KeyOf(const store::IamAccessKeyRecord& r);

// Key prefixes for scans: "<account>\x1f<lower name>\x1f".
std::string EntityKey(std::string_view account, std::string_view type, std::string_view name);

template <typename R>
using Table = std::map<std::string, R>;

class State {
 public:
  template <typename R>
  Table<R>& T() {
    return std::get<Table<R>>(tables_);
  }
  template <typename R>
  const Table<R>& T() const {
    return std::get<Table<R>>(tables_);
  }

  void Apply(const store::IdentityChange& change);

  template <typename R>
  const R* Find(const std::string& key) const {
    const auto& t = T<R>();
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
  }
  // Records of table R whose key starts with `prefix`, in key order.
  template <typename R>
  std::vector<const R*> Scan(const std::string& prefix) const {
    std::vector<const R*> out;
    const auto& t = T<R>();
    for (auto it = t.lower_bound(prefix); it != t.end() && it->first.starts_with(prefix); ++it) {
      out.push_back(&it->second);
    }
    return out;
  }

  const store::IamUserRecord* User(std::string_view account, std::string_view name) const;
  const store::IamGroupRecord* Group(std::string_view account, std::string_view name) const;
  const store::IamRoleRecord* Role(std::string_view account, std::string_view name) const;
  const store::IamAccountRecord* Account(std::string_view id) const;
  const store::OrganizationRecord* Organization(std::string_view id) const;

  uint64_t version = 0;  // bumped on every published write

 private:
  std::tuple<Table<store::IamAccountRecord>, Table<store::OrganizationRecord>,
             Table<store::OrgUnitRecord>, Table<store::OrgPolicyRecord>,
             Table<store::OrgPolicyAttachmentRecord>, Table<store::CreateAccountStatusRecord>,
             Table<store::IamUserRecord>, Table<store::IamGroupRecord>,
             Table<store::IamGroupMemberRecord>, Table<store::IamRoleRecord>,
             Table<store::IamPolicyRecord>, Table<store::IamPolicyVersionRecord>,
             Table<store::IamAttachmentRecord>, Table<store::IamInlinePolicyRecord>,
             Table<store::IamTagRecord>, Table<store::IamAccessKeyRecord>>
      tables_;
};

}  // namespace openpca::identity

// The row mapping of the identity records (store/identity_store.h), shared by
// every SQL dialect: for each record type its table, its columns (key columns
// first, as the schema of each dialect names them,
// migrations/<dialect>/0004_identity.sql) and the conversion to and from a row
// of typed values. The dialects bind and read the values
// (sqlite/sqlite_identity.cc, postgres/pg_identity.cc). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "store/identity_store.h"

namespace openpca::store {

using IdentityValue = std::variant<std::string, int64_t, Bytes>;
using IdentityRow = std::vector<IdentityValue>;

// One table: its columns, the first `key_count` of which form the key.
struct IdentityTable {
  const char *name;
  std::vector<const char *> columns;
  size_t key_count;
};

// Typed access to a row's values, for the From() of the mappings below.
struct IdentityRowAccess {
  static std::string &S(IdentityRow &r, size_t i) { return std::get<std::string>(r[i]); }
  static int64_t I(IdentityRow &r, size_t i) { return std::get<int64_t>(r[i]); }
};

// Per-record mapping: T() the table, To() the row of a record, From() the
// record of a row (whose values have the types To() gives). Columns are listed
// key first.
template <typename R>
struct IdentityMapping;

template <>
struct IdentityMapping<IamAccountRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {
        "iam_accounts",
        {"id", "name", "email", "status", "joined_method", "joined_at_ms", "org_id", "parent_id"},
        1};
  }
  static IdentityRow To(const IamAccountRecord &x) {
    return {x.id,           x.name,   x.email,    x.status, x.joined_method,
            x.joined_at_ms, x.org_id, x.parent_id};
  }
  static IamAccountRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5), S(r, 6), S(r, 7)};
  }
};

template <>
struct IdentityMapping<OrganizationRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"organizations",
            {"id", "management_account_id", "feature_set", "root_id", "enabled_policy_types",
             "created_at_ms"},
            1};
  }
  static IdentityRow To(const OrganizationRecord &x) {
    return {x.id,      x.management_account_id, x.feature_set,
            x.root_id, x.enabled_policy_types,  x.created_at_ms};
  }
  static OrganizationRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5)};
  }
};

template <>
struct IdentityMapping<OrgUnitRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"organizational_units", {"id", "org_id", "parent_id", "name"}, 1};
  }
  static IdentityRow To(const OrgUnitRecord &x) { return {x.id, x.org_id, x.parent_id, x.name}; }
  static OrgUnitRecord From(IdentityRow r) { return {S(r, 0), S(r, 1), S(r, 2), S(r, 3)}; }
};

template <>
struct IdentityMapping<OrgPolicyRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"org_policies",
            {"id", "org_id", "name", "description", "type", "content", "aws_managed"},
            1};
  }
  static IdentityRow To(const OrgPolicyRecord &x) {
    return {x.id,
            x.org_id,
            x.name,
            x.description,
            x.type,
            x.content,
            static_cast<int64_t>(x.aws_managed)};
  }
  static OrgPolicyRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), I(r, 6) != 0};
  }
};

template <>
struct IdentityMapping<OrgPolicyAttachmentRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"org_policy_attachments", {"org_id", "policy_id", "target_id"}, 3};
  }
  static IdentityRow To(const OrgPolicyAttachmentRecord &x) {
    return {x.org_id, x.policy_id, x.target_id};
  }
  static OrgPolicyAttachmentRecord From(IdentityRow r) { return {S(r, 0), S(r, 1), S(r, 2)}; }
};

template <>
struct IdentityMapping<CreateAccountStatusRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"create_account_statuses",
            {"id", "org_id", "account_name", "email", "role_name", "state", "requested_at_ms",
             "completed_at_ms", "account_id", "failure_reason"},
            1};
  }
  static IdentityRow To(const CreateAccountStatusRecord &x) {
    return {x.id,    x.org_id,          x.account_name,    x.email,      x.role_name,
            x.state, x.requested_at_ms, x.completed_at_ms, x.account_id, x.failure_reason};
  }
  static CreateAccountStatusRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4),
            S(r, 5), I(r, 6), I(r, 7), S(r, 8), S(r, 9)};
  }
};

template <>
struct IdentityMapping<IamUserRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_users",
            {"account_id", "name", "id", "path", "permissions_boundary", "created_at_ms"},
            2};
  }
  static IdentityRow To(const IamUserRecord &x) {
    return {x.account_id, x.name, x.id, x.path, x.permissions_boundary, x.created_at_ms};
  }
  static IamUserRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5)};
  }
};

template <>
struct IdentityMapping<IamGroupRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_groups", {"account_id", "name", "id", "path", "created_at_ms"}, 2};
  }
  static IdentityRow To(const IamGroupRecord &x) {
    return {x.account_id, x.name, x.id, x.path, x.created_at_ms};
  }
  static IamGroupRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), I(r, 4)};
  }
};

template <>
struct IdentityMapping<IamGroupMemberRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_group_members", {"account_id", "group_name", "user_name"}, 3};
  }
  static IdentityRow To(const IamGroupMemberRecord &x) {
    return {x.account_id, x.group_name, x.user_name};
  }
  static IamGroupMemberRecord From(IdentityRow r) { return {S(r, 0), S(r, 1), S(r, 2)}; }
};

template <>
struct IdentityMapping<IamRoleRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_roles",
            {"account_id", "name", "id", "path", "trust_policy", "description",
             "max_session_duration", "permissions_boundary", "created_at_ms"},
            2};
  }
  static IdentityRow To(const IamRoleRecord &x) {
    return {x.account_id,
            x.name,
            x.id,
            x.path,
            x.trust_policy,
            x.description,
            x.max_session_duration,
            x.permissions_boundary,
            x.created_at_ms};
  }
  static IamRoleRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), I(r, 6), S(r, 7), I(r, 8)};
  }
};

template <>
struct IdentityMapping<IamPolicyRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_policies",
            {"arn", "account_id", "name", "id", "path", "description", "default_version",
             "next_version", "created_at_ms", "updated_at_ms"},
            1};
  }
  static IdentityRow To(const IamPolicyRecord &x) {
    return {x.arn,
            x.account_id,
            x.name,
            x.id,
            x.path,
            x.description,
            x.default_version,
            x.next_version,
            x.created_at_ms,
            x.updated_at_ms};
  }
  static IamPolicyRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4),
            S(r, 5), S(r, 6), I(r, 7), I(r, 8), I(r, 9)};
  }
};

template <>
struct IdentityMapping<IamPolicyVersionRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_policy_versions", {"policy_arn", "version_id", "document", "created_at_ms"}, 2};
  }
  static IdentityRow To(const IamPolicyVersionRecord &x) {
    return {x.policy_arn, x.version_id, x.document, x.created_at_ms};
  }
  static IamPolicyVersionRecord From(IdentityRow r) { return {S(r, 0), S(r, 1), S(r, 2), I(r, 3)}; }
};

template <>
struct IdentityMapping<IamAttachmentRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_attachments", {"account_id", "entity_type", "entity_name", "policy_arn"}, 4};
  }
  static IdentityRow To(const IamAttachmentRecord &x) {
    return {x.account_id, x.entity_type, x.entity_name, x.policy_arn};
  }
  static IamAttachmentRecord From(IdentityRow r) { return {S(r, 0), S(r, 1), S(r, 2), S(r, 3)}; }
};

template <>
struct IdentityMapping<IamInlinePolicyRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_inline_policies",
            {"account_id", "entity_type", "entity_name", "policy_name", "document"},
            4};
  }
  static IdentityRow To(const IamInlinePolicyRecord &x) {
    return {x.account_id, x.entity_type, x.entity_name, x.policy_name, x.document};
  }
  static IamInlinePolicyRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4)};
  }
};

template <>
struct IdentityMapping<IamTagRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {"iam_tags",
            {"account_id", "resource_type", "resource_name", "tag_key", "tag_value", "position"},
            4};
  }
  static IdentityRow To(const IamTagRecord &x) {
    return {x.account_id, x.resource_type, x.resource_name, x.key, x.value, x.position};
  }
  static IamTagRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5)};
  }
};

template <>
struct IdentityMapping<IamAccessKeyRecord> : IdentityRowAccess {
  static IdentityTable T() {
    return {
        "access_keys",
        {"access_key_id", "account_id", "sealed_secret", "created_at_ms", "user_name", "status"},
        1};
  }
  static IdentityRow To(const IamAccessKeyRecord &x) {
    return {x.access_key_id, x.account_id, x.sealed_secret, x.created_at_ms, x.user_name, x.status};
  }
  static IamAccessKeyRecord From(IdentityRow r) {
    return {S(r, 0), S(r, 1), std::get<Bytes>(r[2]), I(r, 3), S(r, 4), S(r, 5)};
  }
};

}  // namespace openpca::store

// SqliteStore's IdentityStore half: one generic row mapping per identity record type.
#include <string>
#include <variant>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace openpca::store {
namespace {

using Value = std::variant<std::string, int64_t, Bytes>;
using Row = std::vector<Value>;

// One table: its columns, the first `key_count` of which form the key.
struct Table {
  const char* name;
  std::vector<const char*> columns;
  size_t key_count;
};

std::string& S(Row& r, size_t i) { return std::get<std::string>(r[i]); }
int64_t I(Row& r, size_t i) { return std::get<int64_t>(r[i]); }

// Per-record mapping. Columns are listed key first.
template <typename R>
struct Mapping;

template <>
struct Mapping<IamAccountRecord> {
  static Table T() {
    return {"iam_accounts",
            {"id", "name", "email", "status", "joined_method", "joined_at_ms", "org_id",
             "parent_id"},
            1};
  }
  static Row To(const IamAccountRecord& x) {
    return {x.id, x.name, x.email, x.status, x.joined_method, x.joined_at_ms, x.org_id,
            x.parent_id};
  }
  static IamAccountRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5), S(r, 6), S(r, 7)};
  }
};

template <>
struct Mapping<OrganizationRecord> {
  static Table T() {
    return {"organizations",
            {"id", "management_account_id", "feature_set", "root_id", "enabled_policy_types",
             "created_at_ms"},
            1};
  }
  static Row To(const OrganizationRecord& x) {
    return {x.id, x.management_account_id, x.feature_set, x.root_id, x.enabled_policy_types,
            x.created_at_ms};
  }
  static OrganizationRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5)};
  }
};

template <>
struct Mapping<OrgUnitRecord> {
  static Table T() { return {"organizational_units", {"id", "org_id", "parent_id", "name"}, 1}; }
  static Row To(const OrgUnitRecord& x) { return {x.id, x.org_id, x.parent_id, x.name}; }
  static OrgUnitRecord From(Row r) { return {S(r, 0), S(r, 1), S(r, 2), S(r, 3)}; }
};

template <>
struct Mapping<OrgPolicyRecord> {
  static Table T() {
    return {"org_policies",
            {"id", "org_id", "name", "description", "type", "content", "aws_managed"},
            1};
  }
  static Row To(const OrgPolicyRecord& x) {
    return {x.id, x.org_id, x.name, x.description, x.type, x.content,
            static_cast<int64_t>(x.aws_managed)};
  }
  static OrgPolicyRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), I(r, 6) != 0};
  }
};

template <>
struct Mapping<OrgPolicyAttachmentRecord> {
  static Table T() { return {"org_policy_attachments", {"org_id", "policy_id", "target_id"}, 3}; }
  static Row To(const OrgPolicyAttachmentRecord& x) { return {x.org_id, x.policy_id, x.target_id}; }
  static OrgPolicyAttachmentRecord From(Row r) { return {S(r, 0), S(r, 1), S(r, 2)}; }
};

template <>
struct Mapping<CreateAccountStatusRecord> {
  static Table T() {
    return {"create_account_statuses",
            {"id", "org_id", "account_name", "email", "role_name", "state", "requested_at_ms",
             "completed_at_ms", "account_id", "failure_reason"},
            1};
  }
  static Row To(const CreateAccountStatusRecord& x) {
    return {x.id,    x.org_id,          x.account_name,    x.email,      x.role_name,
            x.state, x.requested_at_ms, x.completed_at_ms, x.account_id, x.failure_reason};
  }
  static CreateAccountStatusRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4),
            S(r, 5), I(r, 6), I(r, 7), S(r, 8), S(r, 9)};
  }
};

template <>
struct Mapping<IamUserRecord> {
  static Table T() {
    return {"iam_users",
            {"account_id", "name", "id", "path", "permissions_boundary", "created_at_ms"},
            2};
  }
  static Row To(const IamUserRecord& x) {
    return {x.account_id, x.name, x.id, x.path, x.permissions_boundary, x.created_at_ms};
  }
  static IamUserRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5)};
  }
};

template <>
struct Mapping<IamGroupRecord> {
  static Table T() {
    return {"iam_groups", {"account_id", "name", "id", "path", "created_at_ms"}, 2};
  }
  static Row To(const IamGroupRecord& x) {
    return {x.account_id, x.name, x.id, x.path, x.created_at_ms};
  }
  static IamGroupRecord From(Row r) { return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), I(r, 4)}; }
};

template <>
struct Mapping<IamGroupMemberRecord> {
  static Table T() {
    return {"iam_group_members", {"account_id", "group_name", "user_name"}, 3};
  }
  static Row To(const IamGroupMemberRecord& x) { return {x.account_id, x.group_name, x.user_name}; }
  static IamGroupMemberRecord From(Row r) { return {S(r, 0), S(r, 1), S(r, 2)}; }
};

template <>
struct Mapping<IamRoleRecord> {
  static Table T() {
    return {"iam_roles",
            {"account_id", "name", "id", "path", "trust_policy", "description",
             "max_session_duration", "permissions_boundary", "created_at_ms"},
            2};
  }
  static Row To(const IamRoleRecord& x) {
    return {x.account_id,  x.name, x.id, x.path, x.trust_policy, x.description,
            x.max_session_duration, x.permissions_boundary, x.created_at_ms};
  }
  static IamRoleRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), S(r, 5), I(r, 6), S(r, 7), I(r, 8)};
  }
};

template <>
struct Mapping<IamPolicyRecord> {
  static Table T() {
    return {"iam_policies",
            {"arn", "account_id", "name", "id", "path", "description", "default_version",
             "next_version", "created_at_ms", "updated_at_ms"},
            1};
  }
  static Row To(const IamPolicyRecord& x) {
    return {x.arn,         x.account_id,      x.name,         x.id,            x.path,
            x.description, x.default_version, x.next_version, x.created_at_ms, x.updated_at_ms};
  }
  static IamPolicyRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4),
            S(r, 5), S(r, 6), I(r, 7), I(r, 8), I(r, 9)};
  }
};

template <>
struct Mapping<IamPolicyVersionRecord> {
  static Table T() {
    return {"iam_policy_versions", {"policy_arn", "version_id", "document", "created_at_ms"}, 2};
  }
  static Row To(const IamPolicyVersionRecord& x) {
    return {x.policy_arn, x.version_id, x.document, x.created_at_ms};
  }
  static IamPolicyVersionRecord From(Row r) { return {S(r, 0), S(r, 1), S(r, 2), I(r, 3)}; }
};

template <>
struct Mapping<IamAttachmentRecord> {
  static Table T() {
    return {"iam_attachments", {"account_id", "entity_type", "entity_name", "policy_arn"}, 4};
  }
  static Row To(const IamAttachmentRecord& x) {
    return {x.account_id, x.entity_type, x.entity_name, x.policy_arn};
  }
  static IamAttachmentRecord From(Row r) { return {S(r, 0), S(r, 1), S(r, 2), S(r, 3)}; }
};

template <>
struct Mapping<IamInlinePolicyRecord> {
  static Table T() {
    return {"iam_inline_policies",
            {"account_id", "entity_type", "entity_name", "policy_name", "document"},
            4};
  }
  static Row To(const IamInlinePolicyRecord& x) {
    return {x.account_id, x.entity_type, x.entity_name, x.policy_name, x.document};
  }
  static IamInlinePolicyRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4)};
  }
};

template <>
struct Mapping<IamTagRecord> {
  static Table T() {
    return {"iam_tags",
            {"account_id", "resource_type", "resource_name", "tag_key", "tag_value", "position"},
            4};
  }
  static Row To(const IamTagRecord& x) {
    return {x.account_id, x.resource_type, x.resource_name, x.key, x.value, x.position};
  }
  static IamTagRecord From(Row r) {
    return {S(r, 0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), I(r, 5)};
  }
};

template <>
struct Mapping<IamAccessKeyRecord> {
  static Table T() {
    return {"access_keys",
            {"access_key_id", "account_id", "sealed_secret", "created_at_ms", "user_name",
             "status"},
            1};
  }
  static Row To(const IamAccessKeyRecord& x) {
    return {x.access_key_id, x.account_id, x.sealed_secret, x.created_at_ms, x.user_name,
            x.status};
  }
  static IamAccessKeyRecord From(Row r) {
    return {S(r, 0), S(r, 1), std::get<Bytes>(r[2]), I(r, 3), S(r, 4), S(r, 5)};
  }
};

void Bind(SqliteStatement& stmt, int index, const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    stmt.BindText(index, *s);
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    stmt.BindInt64(index, *i);
  } else {
    stmt.BindBlob(index, std::get<Bytes>(v));
  }
}

template <typename R>
Status PutRow(SqliteConnection& conn, const R& record) {
  Table t = Mapping<R>::T();
  std::string sql = std::string("INSERT OR REPLACE INTO ") + t.name + " (";
  std::string values;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i ? ", " : "") + std::string(t.columns[i]);
    values += (i ? ", ?" : "?") + std::to_string(i + 1);
  }
  sql += ") VALUES (" + values + ")";
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  Row row = Mapping<R>::To(record);
  for (size_t i = 0; i < row.size(); ++i) Bind(stmt, static_cast<int>(i + 1), row[i]);
  return stmt.Run();
}

template <typename R>
Status DeleteRow(SqliteConnection& conn, const R& record) {
  Table t = Mapping<R>::T();
  std::string sql = std::string("DELETE FROM ") + t.name + " WHERE ";
  for (size_t i = 0; i < t.key_count; ++i) {
    sql += (i ? " AND " : "") + std::string(t.columns[i]) + " = ?" + std::to_string(i + 1);
  }
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  Row row = Mapping<R>::To(record);
  for (size_t i = 0; i < t.key_count; ++i) Bind(stmt, static_cast<int>(i + 1), row[i]);
  return stmt.Run();
}

template <typename R>
Status LoadTable(SqliteConnection& conn, std::vector<IdentityRecord>& out) {
  Table t = Mapping<R>::T();
  std::string sql = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + std::string(t.columns[i]);
  sql += std::string(" FROM ") + t.name + " ORDER BY rowid";
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  Row prototype = Mapping<R>::To(R{});
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    Row row = prototype;
    for (size_t i = 0; i < row.size(); ++i) {
      int c = static_cast<int>(i);
      if (std::holds_alternative<std::string>(row[i])) {
        row[i] = stmt.ColumnText(c);
      } else if (std::holds_alternative<int64_t>(row[i])) {
        row[i] = stmt.ColumnInt64(c);
      } else {
        row[i] = stmt.ColumnBlob(c);
      }
    }
    out.push_back(Mapping<R>::From(std::move(row)));
  }
  return Status::Ok();
}

template <size_t... Is>
Status LoadAll(SqliteConnection& conn, std::vector<IdentityRecord>& out,
               std::index_sequence<Is...>) {
  Status st;
  ((st.ok() ? (st = LoadTable<std::variant_alternative_t<Is, IdentityRecord>>(conn, out), 0)
            : 0),
   ...);
  return st;
}

}  // namespace

Result<IdentitySnapshot> SqliteStore::LoadIdentity() {
  return WithIdentityReader([](SqliteConnection& conn) -> Result<IdentitySnapshot> {
    IdentitySnapshot snapshot;
    RETURN_IF_ERROR(LoadAll(conn, snapshot.records,
                            std::make_index_sequence<std::variant_size_v<IdentityRecord>>()));
    return snapshot;
  });
}

Status SqliteStore::ApplyIdentityChanges(std::span<const IdentityChange> changes) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    for (const IdentityChange& change : changes) {
      Status st = std::visit(
          [&](const auto& record) {
            return change.kind == IdentityChange::Kind::kPut ? PutRow(conn, record)
                                                             : DeleteRow(conn, record);
          },
          change.record);
      RETURN_IF_ERROR(st);
    }
    return Status::Ok();
  });
}

}  // namespace openpca::store

#include "store/postgres/pg_sharing_store.h"

#include <string>
#include <utility>

#include "store/sqlite/sqlite_json.h"

namespace openpca::store {
namespace {

// Text keys sort as bytes (COLLATE "C"), as in SQLite and std::string, whatever the database's
// locale: callers page and merge these lists with C++ comparisons.

Status PgSharingNoCa() {
  return Status(ErrorCode::kResourceNotFound, "no such certificate authority");
}
Status PgSharingNoShare() { return Status(ErrorCode::kResourceNotFound, "no such resource share"); }
Status PgSharingPolicyChanged() {
  return Status(ErrorCode::kConcurrentModification, "the policy was changed meanwhile");
}

Result<bool> PgSharingExists(PgConnection& conn, std::string_view sql, std::string_view key) {
  PgParams params;
  params.Text(key);
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
  return rows.rows() > 0;
}

Result<bool> PgSharingCaExists(PgConnection& conn, std::string_view ca_id) {
  return PgSharingExists(conn, "SELECT 1 FROM certificate_authorities WHERE id = $1", ca_id);
}

Result<bool> PgSharingShareExists(PgConnection& conn, std::string_view arn) {
  return PgSharingExists(conn, "SELECT 1 FROM ram_resource_shares WHERE arn = $1", arn);
}

constexpr char kPgShareColumns[] =
    "arn, owner_account, region, name, status, allow_external_principals, feature_set, "
    "tags_json, client_token, request_digest, created_at_ms, updated_at_ms";

ResourceShareRecord PgReadShare(const PgResult& rows, int r) {
  ResourceShareRecord s;
  s.arn = rows.String(r, 0);
  s.owner_account = rows.String(r, 1);
  s.region = rows.String(r, 2);
  s.name = rows.String(r, 3);
  s.status = rows.String(r, 4);
  s.allow_external_principals = rows.Int64(r, 5) != 0;
  s.feature_set = rows.String(r, 6);
  s.tags = TagsFromJson(rows.String(r, 7));
  s.client_token = rows.String(r, 8);
  s.request_digest = rows.String(r, 9);
  s.created_at_ms = rows.Int64(r, 10);
  s.updated_at_ms = rows.Int64(r, 11);
  return s;
}

std::vector<ResourceShareRecord> PgReadShares(const PgResult& rows) {
  std::vector<ResourceShareRecord> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) out.push_back(PgReadShare(rows, r));
  return out;
}

constexpr std::string_view kPgUpsertShareResourceSql =
    "INSERT INTO ram_share_resources (share_arn, resource_arn, resource_type, status, "
    "created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (share_arn, resource_arn) DO UPDATE SET resource_type = excluded.resource_type, "
    "status = excluded.status, updated_at_ms = excluded.updated_at_ms";

constexpr std::string_view kPgUpsertSharePrincipalSql =
    "INSERT INTO ram_share_principals (share_arn, principal, status, external, created_at_ms, "
    "updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (share_arn, principal) DO UPDATE SET status = excluded.status, "
    "external = excluded.external, updated_at_ms = excluded.updated_at_ms";

constexpr std::string_view kPgInsertInvitationSql =
    "INSERT INTO ram_invitations (arn, share_arn, sender_account, receiver_account, status, "
    "created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";

constexpr std::string_view kPgUpsertSharePermissionSql =
    "INSERT INTO ram_share_permissions (share_arn, resource_type, permission_arn, "
    "permission_version, updated_at_ms) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (share_arn, resource_type) DO UPDATE SET "
    "permission_arn = excluded.permission_arn, "
    "permission_version = excluded.permission_version, updated_at_ms = excluded.updated_at_ms";

// A write naming a share that another server removed meanwhile fails its foreign key.
Status PgSharingWrite(PgConnection& conn, std::string_view sql, const PgParams& params) {
  Result<PgResult> done = conn.Exec(sql, params);
  if (!done.ok() && conn.last_sqlstate() == kPgForeignKeyViolation) return PgSharingNoShare();
  return done.status();
}

Status PgWriteAssociations(PgConnection& conn, const std::vector<ShareAssociationRecord>& resources,
                           const std::vector<ShareAssociationRecord>& principals) {
  for (const ShareAssociationRecord& r : resources) {
    PgParams params;
    params.Text(r.share_arn)
        .Text(r.entity)
        .Text(r.resource_type)
        .Text(r.status)
        .Int64(r.created_at_ms)
        .Int64(r.updated_at_ms);
    RETURN_IF_ERROR(PgSharingWrite(conn, kPgUpsertShareResourceSql, params));
  }
  for (const ShareAssociationRecord& p : principals) {
    PgParams params;
    params.Text(p.share_arn)
        .Text(p.entity)
        .Text(p.status)
        .Int64(p.external ? 1 : 0)
        .Int64(p.created_at_ms)
        .Int64(p.updated_at_ms);
    RETURN_IF_ERROR(PgSharingWrite(conn, kPgUpsertSharePrincipalSql, params));
  }
  return Status::Ok();
}

Status PgWriteInvitations(PgConnection& conn, const std::vector<InvitationRecord>& invitations) {
  for (const InvitationRecord& i : invitations) {
    PgParams params;
    params.Text(i.arn)
        .Text(i.share_arn)
        .Text(i.sender_account)
        .Text(i.receiver_account)
        .Text(i.status)
        .Int64(i.created_at_ms);
    RETURN_IF_ERROR(conn.Exec(kPgInsertInvitationSql, params).status());
  }
  return Status::Ok();
}

Status PgWriteSharePermission(PgConnection& conn, const SharePermissionRecord& p) {
  PgParams params;
  params.Text(p.share_arn)
      .Text(p.resource_type)
      .Text(p.permission_arn)
      .Int64(p.permission_version)
      .Int64(p.updated_at_ms);
  return PgSharingWrite(conn, kPgUpsertSharePermissionSql, params);
}

Result<std::vector<ShareAssociationRecord>> PgListAssociations(PgConnection& conn,
                                                               std::string_view sql,
                                                               const AssociationFilter& f,
                                                               bool principals) {
  PgParams params;
  params.Text(f.share_arn).Text(f.entity);
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
  std::vector<ShareAssociationRecord> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    ShareAssociationRecord a;
    a.share_arn = rows.String(r, 0);
    a.entity = rows.String(r, 1);
    if (principals) {
      a.external = rows.Int64(r, 2) != 0;
    } else {
      a.resource_type = rows.String(r, 2);
    }
    a.status = rows.String(r, 3);
    a.created_at_ms = rows.Int64(r, 4);
    a.updated_at_ms = rows.Int64(r, 5);
    out.push_back(std::move(a));
  }
  return out;
}

constexpr char kPgInvitationColumns[] =
    "arn, share_arn, sender_account, receiver_account, status, created_at_ms";

InvitationRecord PgReadInvitation(const PgResult& rows, int r) {
  return InvitationRecord{rows.String(r, 0), rows.String(r, 1), rows.String(r, 2),
                          rows.String(r, 3), rows.String(r, 4), rows.Int64(r, 5)};
}

constexpr char kPgRamPermissionColumns[] =
    "arn, account_id, name, resource_type, default_version, created_at_ms, updated_at_ms";

RamPermissionRecord PgReadRamPermission(const PgResult& rows, int r) {
  RamPermissionRecord p;
  p.arn = rows.String(r, 0);
  p.account_id = rows.String(r, 1);
  p.name = rows.String(r, 2);
  p.resource_type = rows.String(r, 3);
  p.default_version = rows.Int64(r, 4);
  p.created_at_ms = rows.Int64(r, 5);
  p.updated_at_ms = rows.Int64(r, 6);
  return p;
}

Result<std::vector<RamPermissionVersionRecord>> PgReadRamVersions(PgConnection& conn,
                                                                  std::string_view arn) {
  PgParams params;
  params.Text(arn);
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec("SELECT version, policy_template, created_at_ms FROM "
                             "ram_permission_versions WHERE arn = $1 ORDER BY version",
                             params));
  std::vector<RamPermissionVersionRecord> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    out.push_back({rows.Int64(r, 0), rows.String(r, 1), rows.Int64(r, 2)});
  }
  return out;
}

constexpr std::string_view kPgInsertRamVersionSql =
    "INSERT INTO ram_permission_versions (arn, version, policy_template, created_at_ms) "
    "VALUES ($1, $2, $3, $4)";

}  // namespace

// --- CA resource policies ---

Result<std::optional<CaPolicyRecord>> PgSharingStore::GetCaPolicy(std::string_view ca_id) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::optional<CaPolicyRecord>> {
    PgParams params;
    params.Text(ca_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec("SELECT policy, version, updated_at_ms FROM "
                                              "ca_policies WHERE ca_id = $1",
                                              params));
    if (rows.rows() == 0) return std::optional<CaPolicyRecord>();
    return std::optional<CaPolicyRecord>(
        CaPolicyRecord{std::string(ca_id), rows.String(0, 0), rows.Int64(0, 1), rows.Int64(0, 2)});
  });
}

Status PgSharingStore::PutCaPolicy(std::string_view ca_id, std::string_view policy,
                                   int64_t expected_version, int64_t now_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgSharingCaExists(conn, ca_id));
    if (!exists) return PgSharingNoCa();
    Result<PgResult> done = [&]() -> Result<PgResult> {
      if (expected_version == 0) {
        // Two servers inserting the first policy: the primary key lets one in; the other inserts
        // nothing once the first has committed.
        PgParams params;
        params.Text(ca_id).Text(policy).Int64(now_ms);
        return conn.Exec(
            "INSERT INTO ca_policies (ca_id, policy, version, updated_at_ms) "
            "VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
            params);
      }
      // Compare-and-swap: a concurrent update makes PostgreSQL re-check the version on the row
      // it committed.
      PgParams params;
      params.Text(ca_id).Text(policy).Int64(expected_version).Int64(now_ms);
      return conn.Exec(
          "UPDATE ca_policies SET policy = $2, version = $3 + 1, updated_at_ms = $4 "
          "WHERE ca_id = $1 AND version = $3",
          params);
    }();
    if (!done.ok()) {
      // The CA was purged between the check and the write (by another server).
      if (conn.last_sqlstate() == kPgForeignKeyViolation) return PgSharingNoCa();
      return done.status();
    }
    if (done->affected_rows() == 0) return PgSharingPolicyChanged();
    return Status::Ok();
  });
}

Status PgSharingStore::DeleteCaPolicy(std::string_view ca_id, std::string_view ca_arn,
                                      int64_t expected_version, int64_t now_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    if (expected_version != 0) {
      PgParams params;
      params.Text(ca_id).Int64(expected_version);
      ASSIGN_OR_RETURN(
          PgResult done,
          conn.Exec("DELETE FROM ca_policies WHERE ca_id = $1 AND version = $2", params));
      if (done.affected_rows() == 0) return PgSharingPolicyChanged();
    } else {
      ASSIGN_OR_RETURN(bool exists,
                       PgSharingExists(conn, "SELECT 1 FROM ca_policies WHERE ca_id = $1", ca_id));
      if (exists) return PgSharingPolicyChanged();
    }
    PgParams params;
    params.Text(ca_arn).Int64(now_ms);
    return conn
        .Exec(
            "UPDATE ram_share_resources SET status = 'DISASSOCIATED', updated_at_ms = $2 "
            "WHERE resource_arn = $1 AND status <> 'DISASSOCIATED'",
            params)
        .status();
  });
}

Result<std::vector<CaPolicyRecord>> PgSharingStore::ListCaPolicies() {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<CaPolicyRecord>> {
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec("SELECT ca_id, policy, version, updated_at_ms "
                                              "FROM ca_policies ORDER BY ca_id COLLATE \"C\""));
    std::vector<CaPolicyRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) {
      out.push_back(
          CaPolicyRecord{rows.String(r, 0), rows.String(r, 1), rows.Int64(r, 2), rows.Int64(r, 3)});
    }
    return out;
  });
}

// --- CA service permissions ---

Status PgSharingStore::InsertCaPermission(const CaPermissionRecord& p) {
  const std::string actions = StringsToJson(p.actions);
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgSharingCaExists(conn, p.ca_id));
    if (!exists) return PgSharingNoCa();
    PgParams params;
    params.Text(p.ca_id)
        .Text(p.principal)
        .Text(p.source_account)
        .Text(actions)
        .Int64(p.created_at_ms);
    Result<PgResult> done = conn.Exec(
        "INSERT INTO ca_permissions (ca_id, principal, source_account, actions_json, "
        "created_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        params);
    if (!done.ok()) {
      if (conn.last_sqlstate() == kPgForeignKeyViolation) return PgSharingNoCa();
      return done.status();
    }
    if (done->affected_rows() == 0) {
      return Status(ErrorCode::kPermissionAlreadyExists,
                    "The designated permission has already been given to the user.");
    }
    return Status::Ok();
  });
}

Status PgSharingStore::DeleteCaPermission(std::string_view ca_id, std::string_view principal,
                                          std::string_view source_account) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(ca_id).Text(principal).Text(source_account);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec("DELETE FROM ca_permissions WHERE ca_id = $1 AND "
                                              "principal = $2 AND source_account = $3",
                                              params));
    if (done.affected_rows() == 0) {
      return Status(ErrorCode::kResourceNotFound, "no such permission");
    }
    return Status::Ok();
  });
}

Result<std::vector<CaPermissionRecord>> PgSharingStore::ListCaPermissions(std::string_view ca_id) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<CaPermissionRecord>> {
    PgParams params;
    params.Text(ca_id);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT principal, source_account, actions_json, created_at_ms "
                               "FROM ca_permissions WHERE ca_id = $1 ORDER BY created_at_ms, "
                               "principal COLLATE \"C\", source_account COLLATE \"C\"",
                               params));
    std::vector<CaPermissionRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) {
      out.push_back(CaPermissionRecord{std::string(ca_id), rows.String(r, 0), rows.String(r, 1),
                                       StringsFromJson(rows.String(r, 2)), rows.Int64(r, 3)});
    }
    return out;
  });
}

// --- RAM resource shares ---

Status PgSharingStore::InsertResourceShare(const ResourceShareRecord& s,
                                           const std::vector<ShareAssociationRecord>& resources,
                                           const std::vector<ShareAssociationRecord>& principals,
                                           const std::vector<SharePermissionRecord>& permissions,
                                           const std::vector<InvitationRecord>& invitations) {
  const std::string tags = TagsToJson(s.tags);
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(s.arn)
        .Text(s.owner_account)
        .Text(s.region)
        .Text(s.name)
        .Text(s.status)
        .Int64(s.allow_external_principals ? 1 : 0)
        .Text(s.feature_set)
        .Text(tags)
        .Text(s.client_token)
        .Text(s.request_digest)
        .Int64(s.created_at_ms)
        .Int64(s.updated_at_ms);
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec(std::string("INSERT INTO ram_resource_shares (") + kPgShareColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                                   "ON CONFLICT DO NOTHING",
                               params));
    if (done.affected_rows() == 0) return Status(ErrorCode::kInvalidArgs, "resource share exists");
    RETURN_IF_ERROR(PgWriteAssociations(conn, resources, principals));
    for (const SharePermissionRecord& p : permissions) {
      RETURN_IF_ERROR(PgWriteSharePermission(conn, p));
    }
    return PgWriteInvitations(conn, invitations);
  });
}

Result<ResourceShareRecord> PgSharingStore::GetResourceShare(std::string_view arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<ResourceShareRecord> {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgShareColumns +
                                                  " FROM ram_resource_shares WHERE arn = $1",
                                              params));
    if (rows.rows() == 0) return PgSharingNoShare();
    return PgReadShare(rows, 0);
  });
}

Result<std::optional<ResourceShareRecord>> PgSharingStore::FindResourceShareByClientToken(
    std::string_view owner_account, std::string_view client_token) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::optional<ResourceShareRecord>> {
        PgParams params;
        params.Text(owner_account).Text(client_token);
        ASSIGN_OR_RETURN(PgResult rows,
                         conn.Exec(std::string("SELECT ") + kPgShareColumns +
                                       " FROM ram_resource_shares WHERE owner_account = $1 AND "
                                       "client_token = $2 AND client_token <> '' "
                                       "ORDER BY created_at_ms, arn COLLATE \"C\" LIMIT 1",
                                   params));
        if (rows.rows() == 0) return std::optional<ResourceShareRecord>();
        return std::optional<ResourceShareRecord>(PgReadShare(rows, 0));
      });
}

Result<std::vector<ResourceShareRecord>> PgSharingStore::ListResourceShares(
    std::string_view owner_account) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<ResourceShareRecord>> {
    PgParams params;
    params.Text(owner_account);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgShareColumns +
                                   " FROM ram_resource_shares WHERE $1 = '' OR owner_account = $1 "
                                   "ORDER BY created_at_ms, arn COLLATE \"C\"",
                               params));
    return PgReadShares(rows);
  });
}

Status PgSharingStore::UpdateResourceShareStatus(std::string_view arn, std::string_view status,
                                                 std::string_view association_status,
                                                 int64_t now_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(arn).Text(status).Int64(now_ms);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec("UPDATE ram_resource_shares SET status = $2, "
                                              "updated_at_ms = $3 WHERE arn = $1",
                                              params));
    if (done.affected_rows() == 0) return PgSharingNoShare();
    if (association_status.empty()) return Status::Ok();
    for (std::string_view sql :
         {std::string_view("UPDATE ram_share_resources SET status = $2, updated_at_ms = $3 "
                           "WHERE share_arn = $1"),
          std::string_view("UPDATE ram_share_principals SET status = $2, updated_at_ms = $3 "
                           "WHERE share_arn = $1")}) {
      PgParams update;
      update.Text(arn).Text(association_status).Int64(now_ms);
      RETURN_IF_ERROR(conn.Exec(sql, update).status());
    }
    return Status::Ok();
  });
}

Status PgSharingStore::PutShareAssociations(const std::vector<ShareAssociationRecord>& resources,
                                            const std::vector<ShareAssociationRecord>& principals,
                                            const std::vector<InvitationRecord>& invitations,
                                            const std::vector<SharePermissionRecord>& permissions) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    for (const auto* list : {&resources, &principals}) {
      for (const ShareAssociationRecord& a : *list) {
        ASSIGN_OR_RETURN(bool exists, PgSharingShareExists(conn, a.share_arn));
        if (!exists) return PgSharingNoShare();
      }
    }
    for (const SharePermissionRecord& p : permissions) {
      ASSIGN_OR_RETURN(bool exists, PgSharingShareExists(conn, p.share_arn));
      if (!exists) return PgSharingNoShare();
      RETURN_IF_ERROR(PgWriteSharePermission(conn, p));
    }
    RETURN_IF_ERROR(PgWriteAssociations(conn, resources, principals));
    return PgWriteInvitations(conn, invitations);
  });
}

Result<std::vector<ShareAssociationRecord>> PgSharingStore::ListShareResources(
    const AssociationFilter& filter) {
  return WithPgReader(reads_, [&](PgConnection& conn) {
    return PgListAssociations(
        conn,
        "SELECT share_arn, resource_arn, resource_type, status, created_at_ms, updated_at_ms "
        "FROM ram_share_resources WHERE ($1 = '' OR share_arn = $1) AND "
        "($2 = '' OR resource_arn = $2) "
        "ORDER BY created_at_ms, share_arn COLLATE \"C\", resource_arn COLLATE \"C\"",
        filter, /*principals=*/false);
  });
}

Result<std::vector<ShareAssociationRecord>> PgSharingStore::ListSharePrincipals(
    const AssociationFilter& filter) {
  return WithPgReader(reads_, [&](PgConnection& conn) {
    return PgListAssociations(
        conn,
        "SELECT share_arn, principal, external, status, created_at_ms, updated_at_ms "
        "FROM ram_share_principals WHERE ($1 = '' OR share_arn = $1) AND "
        "($2 = '' OR principal = $2) "
        "ORDER BY created_at_ms, share_arn COLLATE \"C\", principal COLLATE \"C\"",
        filter, /*principals=*/true);
  });
}

Status PgSharingStore::PutSharePermission(const SharePermissionRecord& permission) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgSharingShareExists(conn, permission.share_arn));
    if (!exists) return PgSharingNoShare();
    return PgWriteSharePermission(conn, permission);
  });
}

Result<std::vector<SharePermissionRecord>> PgSharingStore::ListSharePermissions(
    std::string_view share_arn) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::vector<SharePermissionRecord>> {
        PgParams params;
        params.Text(share_arn);
        ASSIGN_OR_RETURN(PgResult rows,
                         conn.Exec("SELECT resource_type, permission_arn, permission_version, "
                                   "updated_at_ms FROM ram_share_permissions WHERE "
                                   "share_arn = $1 ORDER BY resource_type COLLATE \"C\"",
                                   params));
        std::vector<SharePermissionRecord> out;
        out.reserve(static_cast<size_t>(rows.rows()));
        for (int r = 0; r < rows.rows(); ++r) {
          out.push_back(SharePermissionRecord{std::string(share_arn), rows.String(r, 0),
                                              rows.String(r, 1), rows.Int64(r, 2),
                                              rows.Int64(r, 3)});
        }
        return out;
      });
}

// --- Invitations ---

Result<InvitationRecord> PgSharingStore::GetInvitation(std::string_view arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<InvitationRecord> {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgInvitationColumns +
                                                  " FROM ram_invitations WHERE arn = $1",
                                              params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "no such invitation");
    return PgReadInvitation(rows, 0);
  });
}

Result<std::vector<InvitationRecord>> PgSharingStore::ListInvitations(
    std::string_view receiver_account) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<InvitationRecord>> {
    PgParams params;
    params.Text(receiver_account);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgInvitationColumns +
                                   " FROM ram_invitations WHERE $1 = '' OR receiver_account = $1 "
                                   "ORDER BY created_at_ms, arn COLLATE \"C\"",
                               params));
    std::vector<InvitationRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) out.push_back(PgReadInvitation(rows, r));
    return out;
  });
}

Status PgSharingStore::AnswerInvitation(std::string_view arn, std::string_view from_status,
                                        std::string_view to_status,
                                        std::string_view principal_status, int64_t now_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    // The status check and the change are one statement: of two servers answering at once, the
    // second re-checks the status on the first one's committed row and changes nothing.
    PgParams params;
    params.Text(arn).Text(from_status).Text(to_status);
    ASSIGN_OR_RETURN(PgResult answered,
                     conn.Exec("UPDATE ram_invitations SET status = $3 WHERE arn = $1 AND "
                               "status = $2 RETURNING share_arn, receiver_account",
                               params));
    if (answered.rows() == 0) {
      PgParams key;
      key.Text(arn);
      ASSIGN_OR_RETURN(PgResult found,
                       conn.Exec("SELECT status FROM ram_invitations WHERE arn = $1", key));
      if (found.rows() == 0) return Status(ErrorCode::kResourceNotFound, "no such invitation");
      return Status(ErrorCode::kConcurrentModification, "invitation is " + found.String(0, 0));
    }
    const std::string share_arn = answered.String(0, 0);
    const std::string receiver = answered.String(0, 1);
    PgParams principal;
    principal.Text(share_arn).Text(receiver).Text(principal_status).Int64(now_ms);
    return conn
        .Exec(
            "UPDATE ram_share_principals SET status = $3, updated_at_ms = $4 "
            "WHERE share_arn = $1 AND principal = $2 AND status = 'ASSOCIATING'",
            principal)
        .status();
  });
}

// --- Customer-managed RAM permissions ---

Status PgSharingStore::InsertRamPermission(const RamPermissionRecord& p) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(p.arn)
        .Text(p.account_id)
        .Text(p.name)
        .Text(p.resource_type)
        .Int64(p.default_version)
        .Int64(p.created_at_ms)
        .Int64(p.updated_at_ms);
    ASSIGN_OR_RETURN(
        PgResult done,
        conn.Exec(std::string("INSERT INTO ram_permissions (") + kPgRamPermissionColumns +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                  params));
    if (done.affected_rows() == 0) return Status(ErrorCode::kInvalidArgs, "permission exists");
    for (const RamPermissionVersionRecord& v : p.versions) {
      PgParams version;
      version.Text(p.arn).Int64(v.version).Text(v.policy_template).Int64(v.created_at_ms);
      RETURN_IF_ERROR(conn.Exec(kPgInsertRamVersionSql, version).status());
    }
    return Status::Ok();
  });
}

Result<RamPermissionRecord> PgSharingStore::GetRamPermission(std::string_view arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<RamPermissionRecord> {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgRamPermissionColumns +
                                                  " FROM ram_permissions WHERE arn = $1",
                                              params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "no such permission");
    RamPermissionRecord p = PgReadRamPermission(rows, 0);
    ASSIGN_OR_RETURN(p.versions, PgReadRamVersions(conn, arn));
    return p;
  });
}

Result<std::vector<RamPermissionRecord>> PgSharingStore::ListRamPermissions(
    std::string_view account_id) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<RamPermissionRecord>> {
    PgParams params;
    params.Text(account_id);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgRamPermissionColumns +
                                   " FROM ram_permissions WHERE $1 = '' OR account_id = $1 "
                                   "ORDER BY created_at_ms, arn COLLATE \"C\"",
                               params));
    std::vector<RamPermissionRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) out.push_back(PgReadRamPermission(rows, r));
    for (RamPermissionRecord& p : out) {
      ASSIGN_OR_RETURN(p.versions, PgReadRamVersions(conn, p.arn));
    }
    return out;
  });
}

Status PgSharingStore::AddRamPermissionVersion(std::string_view arn,
                                               const RamPermissionVersionRecord& v) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    // The permission's row lock orders servers adding a version at once: the second one sees the
    // first one's version as the newest.
    ASSIGN_OR_RETURN(
        bool exists,
        PgSharingExists(conn, "SELECT 1 FROM ram_permissions WHERE arn = $1 FOR UPDATE", arn));
    if (!exists) return Status(ErrorCode::kResourceNotFound, "no such permission");
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(
        PgResult newest,
        conn.Exec("SELECT MAX(version) FROM ram_permission_versions WHERE arn = $1", params));
    if (newest.rows() == 0 || newest.IsNull(0, 0)) {
      return Status(ErrorCode::kResourceNotFound, "no such permission");
    }
    if (newest.Int64(0, 0) != v.version - 1) {
      return Status(ErrorCode::kConcurrentModification, "a version was added meanwhile");
    }
    PgParams version;
    version.Text(arn).Int64(v.version).Text(v.policy_template).Int64(v.created_at_ms);
    RETURN_IF_ERROR(conn.Exec(kPgInsertRamVersionSql, version).status());
    PgParams update;
    update.Text(arn).Int64(v.version).Int64(v.created_at_ms);
    return conn
        .Exec("UPDATE ram_permissions SET default_version = $2, updated_at_ms = $3 WHERE arn = $1",
              update)
        .status();
  });
}

Status PgSharingStore::DeleteRamPermission(std::string_view arn) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(arn);
    RETURN_IF_ERROR(
        conn.Exec("DELETE FROM ram_permission_versions WHERE arn = $1", params).status());
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec("DELETE FROM ram_permissions WHERE arn = $1", params));
    if (done.affected_rows() == 0) {
      return Status(ErrorCode::kResourceNotFound, "no such permission");
    }
    return Status::Ok();
  });
}

}  // namespace openpca::store

#include "store/sqlite/sqlite_sharing_store.h"

#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_json.h"
#include "store/sqlite/sqlite_read_rows.h"

namespace openpca::store {
namespace {

using json = nlohmann::json;

Result<bool> CaExists(SqliteConnection& conn, std::string_view ca_id) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT 1 FROM certificate_authorities WHERE id = ?1"));
  stmt.BindText(1, ca_id);
  return stmt.Step();
}

Result<bool> ShareExists(SqliteConnection& conn, std::string_view arn) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT 1 FROM ram_resource_shares WHERE arn = ?1"));
  stmt.BindText(1, arn);
  return stmt.Step();
}

constexpr char kShareColumns[] =
    "arn, owner_account, region, name, status, allow_external_principals, feature_set, "
    "tags_json, client_token, request_digest, created_at_ms, updated_at_ms";

ResourceShareRecord ReadShare(const SqliteStatement& s) {
  ResourceShareRecord r;
  r.arn = s.ColumnText(0);
  r.owner_account = s.ColumnText(1);
  r.region = s.ColumnText(2);
  r.name = s.ColumnText(3);
  r.status = s.ColumnText(4);
  r.allow_external_principals = s.ColumnInt64(5) != 0;
  r.feature_set = s.ColumnText(6);
  r.tags = TagsFromJson(s.ColumnText(7));
  r.client_token = s.ColumnText(8);
  r.request_digest = s.ColumnText(9);
  r.created_at_ms = s.ColumnInt64(10);
  r.updated_at_ms = s.ColumnInt64(11);
  return r;
}

Result<std::vector<ResourceShareRecord>> ReadShares(SqliteStatement& stmt) {
  return ReadAllRows<ResourceShareRecord>(stmt, ReadShare);
}

constexpr std::string_view kUpsertResourceSql =
    "INSERT INTO ram_share_resources (share_arn, resource_arn, resource_type, status, "
    "created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (share_arn, resource_arn) DO UPDATE SET resource_type = excluded.resource_type, "
    "status = excluded.status, updated_at_ms = excluded.updated_at_ms";

constexpr std::string_view kUpsertPrincipalSql =
    "INSERT INTO ram_share_principals (share_arn, principal, status, external, created_at_ms, "
    "updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (share_arn, principal) DO UPDATE SET status = excluded.status, "
    "external = excluded.external, updated_at_ms = excluded.updated_at_ms";

constexpr std::string_view kInsertInvitationSql =
    "INSERT INTO ram_invitations (arn, share_arn, sender_account, receiver_account, status, "
    "created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

constexpr std::string_view kUpsertSharePermissionSql =
    "INSERT INTO ram_share_permissions (share_arn, resource_type, permission_arn, "
    "permission_version, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (share_arn, resource_type) DO UPDATE SET permission_arn = "
    "excluded.permission_arn, "
    "permission_version = excluded.permission_version, updated_at_ms = excluded.updated_at_ms";

Status WriteAssociations(SqliteConnection& conn, const std::vector<ShareAssociationRecord>& rs,
                         const std::vector<ShareAssociationRecord>& ps) {
  for (const auto& r : rs) {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kUpsertResourceSql));
    stmt.BindText(1, r.share_arn)
        .BindText(2, r.entity)
        .BindText(3, r.resource_type)
        .BindText(4, r.status)
        .BindInt64(5, r.created_at_ms)
        .BindInt64(6, r.updated_at_ms);
    RETURN_IF_ERROR(stmt.Run());
  }
  for (const auto& p : ps) {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kUpsertPrincipalSql));
    stmt.BindText(1, p.share_arn)
        .BindText(2, p.entity)
        .BindText(3, p.status)
        .BindInt64(4, p.external ? 1 : 0)
        .BindInt64(5, p.created_at_ms)
        .BindInt64(6, p.updated_at_ms);
    RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

Status WriteInvitations(SqliteConnection& conn, const std::vector<InvitationRecord>& invitations) {
  for (const auto& i : invitations) {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kInsertInvitationSql));
    stmt.BindText(1, i.arn)
        .BindText(2, i.share_arn)
        .BindText(3, i.sender_account)
        .BindText(4, i.receiver_account)
        .BindText(5, i.status)
        .BindInt64(6, i.created_at_ms);
    RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

Status WriteSharePermission(SqliteConnection& conn, const SharePermissionRecord& p) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kUpsertSharePermissionSql));
  stmt.BindText(1, p.share_arn)
      .BindText(2, p.resource_type)
      .BindText(3, p.permission_arn)
      .BindInt64(4, p.permission_version)
      .BindInt64(5, p.updated_at_ms);
  return stmt.Run();
}

Result<std::vector<ShareAssociationRecord>> ListAssociations(SqliteConnection& conn,
                                                             std::string_view sql,
                                                             const AssociationFilter& f,
                                                             bool principals) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  stmt.BindText(1, f.share_arn).BindText(2, f.entity);
  std::vector<ShareAssociationRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ShareAssociationRecord r;
    r.share_arn = stmt.ColumnText(0);
    r.entity = stmt.ColumnText(1);
    if (principals) {
      r.external = stmt.ColumnInt64(2) != 0;
    } else {
      r.resource_type = stmt.ColumnText(2);
    }
    r.status = stmt.ColumnText(3);
    r.created_at_ms = stmt.ColumnInt64(4);
    r.updated_at_ms = stmt.ColumnInt64(5);
    out.push_back(std::move(r));
  }
  return out;
}

InvitationRecord ReadInvitation(const SqliteStatement& s) {
  return InvitationRecord{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
                          s.ColumnText(3), s.ColumnText(4), s.ColumnInt64(5)};
}

constexpr char kInvitationColumns[] =
    "arn, share_arn, sender_account, receiver_account, status, created_at_ms";

Result<std::vector<RamPermissionVersionRecord>> ReadVersions(SqliteConnection& conn,
                                                             std::string_view arn) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT version, policy_template, created_at_ms FROM "
                                "ram_permission_versions WHERE arn = ?1 ORDER BY version"));
  stmt.BindText(1, arn);
  std::vector<RamPermissionVersionRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({stmt.ColumnInt64(0), stmt.ColumnText(1), stmt.ColumnInt64(2)});
  }
  return out;
}

RamPermissionRecord ReadRamPermission(const SqliteStatement& s) {
  RamPermissionRecord r;
  r.arn = s.ColumnText(0);
  r.account_id = s.ColumnText(1);
  r.name = s.ColumnText(2);
  r.resource_type = s.ColumnText(3);
  r.default_version = s.ColumnInt64(4);
  r.created_at_ms = s.ColumnInt64(5);
  r.updated_at_ms = s.ColumnInt64(6);
  return r;
}

constexpr char kRamPermissionColumns[] =
    "arn, account_id, name, resource_type, default_version, created_at_ms, updated_at_ms";

}  // namespace

// --- CA resource policies ---

Result<std::optional<CaPolicyRecord>> SqliteSharingStore::GetCaPolicy(std::string_view ca_id) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::optional<CaPolicyRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT policy, version, updated_at_ms FROM ca_policies "
                                  "WHERE ca_id = ?1"));
    stmt.BindText(1, ca_id);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<CaPolicyRecord>();
    return std::optional<CaPolicyRecord>(CaPolicyRecord{std::string(ca_id), stmt.ColumnText(0),
                                                        stmt.ColumnInt64(1), stmt.ColumnInt64(2)});
  });
}

Status SqliteSharingStore::PutCaPolicy(std::string_view ca_id, std::string_view policy,
                                       int64_t expected_version, int64_t now_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, CaExists(conn, ca_id));
    if (!exists) return Status(ErrorCode::kResourceNotFound, "no such certificate authority");
    if (expected_version == 0) {
      ASSIGN_OR_RETURN(
          SqliteStatement stmt,
          conn.Prepare("INSERT INTO ca_policies (ca_id, policy, version, "
                       "updated_at_ms) VALUES (?1, ?2, 1, ?3) ON CONFLICT DO NOTHING"));
      stmt.BindText(1, ca_id).BindText(2, policy).BindInt64(3, now_ms);
      RETURN_IF_ERROR(stmt.Run());
      if (stmt.Changes() == 0) {
        return Status(ErrorCode::kConcurrentModification, "the policy was changed meanwhile");
      }
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE ca_policies SET policy = ?2, version = ?3 + 1, "
                                  "updated_at_ms = ?4 WHERE ca_id = ?1 AND version = ?3"));
    stmt.BindText(1, ca_id).BindText(2, policy).BindInt64(3, expected_version).BindInt64(4, now_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) {
      return Status(ErrorCode::kConcurrentModification, "the policy was changed meanwhile");
    }
    return Status::Ok();
  });
}

Status SqliteSharingStore::DeleteCaPolicy(std::string_view ca_id, std::string_view ca_arn,
                                          int64_t expected_version, int64_t now_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    if (expected_version != 0) {
      ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn.Prepare("DELETE FROM ca_policies WHERE ca_id = ?1 AND version = ?2"));
      stmt.BindText(1, ca_id).BindInt64(2, expected_version);
      RETURN_IF_ERROR(stmt.Run());
      if (stmt.Changes() == 0) {
        return Status(ErrorCode::kConcurrentModification, "the policy was changed meanwhile");
      }
    } else {
      ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn.Prepare("SELECT 1 FROM ca_policies WHERE ca_id = ?1"));
      stmt.BindText(1, ca_id);
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (row) {
        return Status(ErrorCode::kConcurrentModification, "the policy was changed meanwhile");
      }
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE ram_share_resources SET status = 'DISASSOCIATED', "
                                  "updated_at_ms = ?2 WHERE resource_arn = ?1 AND "
                                  "status <> 'DISASSOCIATED'"));
    stmt.BindText(1, ca_arn).BindInt64(2, now_ms);
    return stmt.Run();
  });
}

Result<std::vector<CaPolicyRecord>> SqliteSharingStore::ListCaPolicies() {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<CaPolicyRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT ca_id, policy, version, updated_at_ms FROM ca_policies "
                                  "ORDER BY ca_id"));
    std::vector<CaPolicyRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(CaPolicyRecord{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnInt64(2),
                                   stmt.ColumnInt64(3)});
    }
    return out;
  });
}

// --- CA service permissions ---

Status SqliteSharingStore::InsertCaPermission(const CaPermissionRecord& p) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, CaExists(conn, p.ca_id));
    if (!exists) return Status(ErrorCode::kResourceNotFound, "no such certificate authority");
    std::string actions = StringsToJson(p.actions);
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("INSERT INTO ca_permissions (ca_id, principal, source_account, "
                                  "actions_json, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
                                  "ON CONFLICT DO NOTHING"));
    stmt.BindText(1, p.ca_id)
        .BindText(2, p.principal)
        .BindText(3, p.source_account)
        .BindText(4, actions)
        .BindInt64(5, p.created_at_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) {
      return Status(ErrorCode::kPermissionAlreadyExists,
                    "The designated permission has already "
                    "been given to the user.");
    }
    return Status::Ok();
  });
}

Status SqliteSharingStore::DeleteCaPermission(std::string_view ca_id, std::string_view principal,
                                              std::string_view source_account) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM ca_permissions WHERE ca_id = ?1 AND "
                                  "principal = ?2 AND source_account = ?3"));
    stmt.BindText(1, ca_id).BindText(2, principal).BindText(3, source_account);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kResourceNotFound, "no such permission");
    return Status::Ok();
  });
}

Result<std::vector<CaPermissionRecord>> SqliteSharingStore::ListCaPermissions(
    std::string_view ca_id) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<CaPermissionRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT principal, source_account, actions_json, created_at_ms "
                                  "FROM ca_permissions WHERE ca_id = ?1 "
                                  "ORDER BY created_at_ms, principal, source_account"));
    stmt.BindText(1, ca_id);
    std::vector<CaPermissionRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(CaPermissionRecord{std::string(ca_id), stmt.ColumnText(0), stmt.ColumnText(1),
                                       StringsFromJson(stmt.ColumnText(2)), stmt.ColumnInt64(3)});
    }
    return out;
  });
}

// --- RAM resource shares ---

Status SqliteSharingStore::InsertResourceShare(
    const ResourceShareRecord& s, const std::vector<ShareAssociationRecord>& resources,
    const std::vector<ShareAssociationRecord>& principals,
    const std::vector<SharePermissionRecord>& permissions,
    const std::vector<InvitationRecord>& invitations) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    std::string tags = TagsToJson(s.tags);
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("INSERT INTO ram_resource_shares (") + kShareColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                                  "ON CONFLICT DO NOTHING"));
    stmt.BindText(1, s.arn)
        .BindText(2, s.owner_account)
        .BindText(3, s.region)
        .BindText(4, s.name)
        .BindText(5, s.status)
        .BindInt64(6, s.allow_external_principals ? 1 : 0)
        .BindText(7, s.feature_set)
        .BindText(8, tags)
        .BindText(9, s.client_token)
        .BindText(10, s.request_digest)
        .BindInt64(11, s.created_at_ms)
        .BindInt64(12, s.updated_at_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kInvalidArgs, "resource share exists");
    RETURN_IF_ERROR(WriteAssociations(conn, resources, principals));
    for (const auto& p : permissions) RETURN_IF_ERROR(WriteSharePermission(conn, p));
    return WriteInvitations(conn, invitations);
  });
}

Result<ResourceShareRecord> SqliteSharingStore::GetResourceShare(std::string_view arn) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<ResourceShareRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("SELECT ") + kShareColumns +
                                  " FROM ram_resource_shares WHERE arn = ?1"));
    stmt.BindText(1, arn);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return Status(ErrorCode::kResourceNotFound, "no such resource share");
    return ReadShare(stmt);
  });
}

Result<std::optional<ResourceShareRecord>> SqliteSharingStore::FindResourceShareByClientToken(
    std::string_view owner_account, std::string_view client_token) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::optional<ResourceShareRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kShareColumns +
                                      " FROM ram_resource_shares WHERE owner_account = ?1 AND "
                                      "client_token = ?2 AND client_token <> '' LIMIT 1"));
        stmt.BindText(1, owner_account).BindText(2, client_token);
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) return std::optional<ResourceShareRecord>();
        return std::optional<ResourceShareRecord>(ReadShare(stmt));
      });
}

Result<std::vector<ResourceShareRecord>> SqliteSharingStore::ListResourceShares(
    std::string_view owner_account) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::vector<ResourceShareRecord>> {
        ASSIGN_OR_RETURN(
            SqliteStatement stmt,
            conn.Prepare(std::string("SELECT ") + kShareColumns +
                         " FROM ram_resource_shares WHERE ?1 = '' OR owner_account = ?1 "
                         "ORDER BY created_at_ms, arn"));
        stmt.BindText(1, owner_account);
        return ReadShares(stmt);
      });
}

Status SqliteSharingStore::UpdateResourceShareStatus(std::string_view arn, std::string_view status,
                                                     std::string_view association_status,
                                                     int64_t now_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE ram_resource_shares SET status = ?2, updated_at_ms = ?3 "
                                  "WHERE arn = ?1"));
    stmt.BindText(1, arn).BindText(2, status).BindInt64(3, now_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kResourceNotFound, "no such resource share");
    if (association_status.empty()) return Status::Ok();
    for (std::string_view sql :
         {std::string_view("UPDATE ram_share_resources SET status = ?2, updated_at_ms = ?3 "
                           "WHERE share_arn = ?1"),
          std::string_view("UPDATE ram_share_principals SET status = ?2, updated_at_ms = ?3 "
                           "WHERE share_arn = ?1")}) {
      ASSIGN_OR_RETURN(SqliteStatement update, conn.Prepare(sql));
      update.BindText(1, arn).BindText(2, association_status).BindInt64(3, now_ms);
      RETURN_IF_ERROR(update.Run());
    }
    return Status::Ok();
  });
}

Status SqliteSharingStore::PutShareAssociations(
    const std::vector<ShareAssociationRecord>& resources,
    const std::vector<ShareAssociationRecord>& principals,
    const std::vector<InvitationRecord>& invitations,
    const std::vector<SharePermissionRecord>& permissions) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    for (const auto* list : {&resources, &principals}) {
      for (const auto& a : *list) {
        ASSIGN_OR_RETURN(bool exists, ShareExists(conn, a.share_arn));
        if (!exists) return Status(ErrorCode::kResourceNotFound, "no such resource share");
      }
    }
    for (const auto& p : permissions) {
      ASSIGN_OR_RETURN(bool exists, ShareExists(conn, p.share_arn));
      if (!exists) return Status(ErrorCode::kResourceNotFound, "no such resource share");
      RETURN_IF_ERROR(WriteSharePermission(conn, p));
    }
    RETURN_IF_ERROR(WriteAssociations(conn, resources, principals));
    return WriteInvitations(conn, invitations);
  });
}

Result<std::vector<ShareAssociationRecord>> SqliteSharingStore::ListShareResources(
    const AssociationFilter& filter) {
  return WithReader(reads_, [&](SqliteConnection& conn) {
    return ListAssociations(conn,
                            "SELECT share_arn, resource_arn, resource_type, status, created_at_ms, "
                            "updated_at_ms FROM ram_share_resources WHERE (?1 = '' OR share_arn = "
                            "?1) AND (?2 = '' OR resource_arn = ?2) "
                            "ORDER BY created_at_ms, share_arn, resource_arn",
                            filter, false);
  });
}

Result<std::vector<ShareAssociationRecord>> SqliteSharingStore::ListSharePrincipals(
    const AssociationFilter& filter) {
  return WithReader(reads_, [&](SqliteConnection& conn) {
    return ListAssociations(conn,
                            "SELECT share_arn, principal, external, status, created_at_ms, "
                            "updated_at_ms FROM ram_share_principals WHERE (?1 = '' OR share_arn = "
                            "?1) AND (?2 = '' OR principal = ?2) "
                            "ORDER BY created_at_ms, share_arn, principal",
                            filter, true);
  });
}

Status SqliteSharingStore::PutSharePermission(const SharePermissionRecord& permission) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, ShareExists(conn, permission.share_arn));
    if (!exists) return Status(ErrorCode::kResourceNotFound, "no such resource share");
    return WriteSharePermission(conn, permission);
  });
}

Result<std::vector<SharePermissionRecord>> SqliteSharingStore::ListSharePermissions(
    std::string_view share_arn) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::vector<SharePermissionRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare("SELECT resource_type, permission_arn, permission_version, "
                                      "updated_at_ms FROM ram_share_permissions WHERE "
                                      "share_arn = ?1 ORDER BY resource_type"));
        stmt.BindText(1, share_arn);
        std::vector<SharePermissionRecord> out;
        for (;;) {
          ASSIGN_OR_RETURN(bool row, stmt.Step());
          if (!row) break;
          out.push_back(SharePermissionRecord{std::string(share_arn), stmt.ColumnText(0),
                                              stmt.ColumnText(1), stmt.ColumnInt64(2),
                                              stmt.ColumnInt64(3)});
        }
        return out;
      });
}

// --- Invitations ---

Result<InvitationRecord> SqliteSharingStore::GetInvitation(std::string_view arn) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<InvitationRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("SELECT ") + kInvitationColumns +
                                  " FROM ram_invitations WHERE arn = ?1"));
    stmt.BindText(1, arn);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return Status(ErrorCode::kResourceNotFound, "no such invitation");
    return ReadInvitation(stmt);
  });
}

Result<std::vector<InvitationRecord>> SqliteSharingStore::ListInvitations(
    std::string_view receiver_account) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<InvitationRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("SELECT ") + kInvitationColumns +
                                  " FROM ram_invitations WHERE ?1 = '' OR receiver_account = ?1 "
                                  "ORDER BY created_at_ms, arn"));
    stmt.BindText(1, receiver_account);
    return ReadAllRows<InvitationRecord>(stmt, ReadInvitation);
  });
}

Status SqliteSharingStore::AnswerInvitation(std::string_view arn, std::string_view from_status,
                                            std::string_view to_status,
                                            std::string_view principal_status, int64_t now_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement get, conn.Prepare(std::string("SELECT ") + kInvitationColumns +
                                                       " FROM ram_invitations WHERE arn = ?1"));
    get.BindText(1, arn);
    ASSIGN_OR_RETURN(bool row, get.Step());
    if (!row) return Status(ErrorCode::kResourceNotFound, "no such invitation");
    InvitationRecord inv = ReadInvitation(get);
    if (inv.status != from_status) {
      return Status(ErrorCode::kConcurrentModification, "invitation is " + inv.status);
    }
    ASSIGN_OR_RETURN(SqliteStatement update,
                     conn.Prepare("UPDATE ram_invitations SET status = ?2 WHERE arn = ?1"));
    update.BindText(1, arn).BindText(2, to_status);
    RETURN_IF_ERROR(update.Run());
    ASSIGN_OR_RETURN(SqliteStatement principal,
                     conn.Prepare("UPDATE ram_share_principals SET status = ?3, "
                                  "updated_at_ms = ?4 WHERE share_arn = ?1 AND principal = ?2 "
                                  "AND status = 'ASSOCIATING'"));
    principal.BindText(1, inv.share_arn)
        .BindText(2, inv.receiver_account)
        .BindText(3, principal_status)
        .BindInt64(4, now_ms);
    return principal.Run();
  });
}

// --- Customer-managed RAM permissions ---

Status SqliteSharingStore::InsertRamPermission(const RamPermissionRecord& p) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare(std::string("INSERT INTO ram_permissions (") + kRamPermissionColumns +
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING"));
    stmt.BindText(1, p.arn)
        .BindText(2, p.account_id)
        .BindText(3, p.name)
        .BindText(4, p.resource_type)
        .BindInt64(5, p.default_version)
        .BindInt64(6, p.created_at_ms)
        .BindInt64(7, p.updated_at_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kInvalidArgs, "permission exists");
    for (const auto& v : p.versions) {
      ASSIGN_OR_RETURN(SqliteStatement ins,
                       conn.Prepare("INSERT INTO ram_permission_versions (arn, version, "
                                    "policy_template, created_at_ms) VALUES (?1, ?2, ?3, ?4)"));
      ins.BindText(1, p.arn)
          .BindInt64(2, v.version)
          .BindText(3, v.policy_template)
          .BindInt64(4, v.created_at_ms);
      RETURN_IF_ERROR(ins.Run());
    }
    return Status::Ok();
  });
}

Result<RamPermissionRecord> SqliteSharingStore::GetRamPermission(std::string_view arn) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<RamPermissionRecord> {
    RamPermissionRecord r;
    {
      ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn.Prepare(std::string("SELECT ") + kRamPermissionColumns +
                                    " FROM ram_permissions WHERE arn = ?1"));
      stmt.BindText(1, arn);
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return Status(ErrorCode::kResourceNotFound, "no such permission");
      r = ReadRamPermission(stmt);
    }
    ASSIGN_OR_RETURN(r.versions, ReadVersions(conn, arn));
    return r;
  });
}

Result<std::vector<RamPermissionRecord>> SqliteSharingStore::ListRamPermissions(
    std::string_view account_id) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::vector<RamPermissionRecord>> {
        std::vector<RamPermissionRecord> out;
        {
          ASSIGN_OR_RETURN(SqliteStatement stmt,
                           conn.Prepare(std::string("SELECT ") + kRamPermissionColumns +
                                        " FROM ram_permissions WHERE ?1 = '' OR account_id = ?1 "
                                        "ORDER BY created_at_ms, arn"));
          stmt.BindText(1, account_id);
          for (;;) {
            ASSIGN_OR_RETURN(bool row, stmt.Step());
            if (!row) break;
            out.push_back(ReadRamPermission(stmt));
          }
        }
        for (auto& p : out) {
          ASSIGN_OR_RETURN(p.versions, ReadVersions(conn, p.arn));
        }
        return out;
      });
}

Status SqliteSharingStore::AddRamPermissionVersion(std::string_view arn,
                                                   const RamPermissionVersionRecord& v) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement newest,
                     conn.Prepare("SELECT MAX(version) FROM ram_permission_versions "
                                  "WHERE arn = ?1"));
    newest.BindText(1, arn);
    ASSIGN_OR_RETURN(bool row, newest.Step());
    if (!row || newest.IsNull(0)) {
      return Status(ErrorCode::kResourceNotFound, "no such permission");
    }
    if (newest.ColumnInt64(0) != v.version - 1) {
      return Status(ErrorCode::kConcurrentModification, "a version was added meanwhile");
    }
    ASSIGN_OR_RETURN(SqliteStatement ins,
                     conn.Prepare("INSERT INTO ram_permission_versions (arn, version, "
                                  "policy_template, created_at_ms) VALUES (?1, ?2, ?3, ?4)"));
    ins.BindText(1, arn)
        .BindInt64(2, v.version)
        .BindText(3, v.policy_template)
        .BindInt64(4, v.created_at_ms);
    RETURN_IF_ERROR(ins.Run());
    ASSIGN_OR_RETURN(SqliteStatement upd,
                     conn.Prepare("UPDATE ram_permissions SET default_version = ?2, "
                                  "updated_at_ms = ?3 WHERE arn = ?1"));
    upd.BindText(1, arn).BindInt64(2, v.version).BindInt64(3, v.created_at_ms);
    return upd.Run();
  });
}

Status SqliteSharingStore::DeleteRamPermission(std::string_view arn) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement versions,
                     conn.Prepare("DELETE FROM ram_permission_versions WHERE arn = ?1"));
    versions.BindText(1, arn);
    RETURN_IF_ERROR(versions.Run());
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM ram_permissions WHERE arn = ?1"));
    stmt.BindText(1, arn);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kResourceNotFound, "no such permission");
    return Status::Ok();
  });
}

}  // namespace openpca::store

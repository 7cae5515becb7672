#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/migration.h"
#include "store/sqlite/sqlite_expiry.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_rows.h"

namespace openpca::store {
namespace {

// --- SQL text. Built once; statements are cached per connection by this text. ---

const std::string& SelectCaSql() {
  static const std::string sql =
      std::string("SELECT ") + kCaColumns + " FROM certificate_authorities WHERE id = ?1";
  return sql;
}

const std::string& InsertCaSql() {
  static const std::string sql = std::string("INSERT INTO certificate_authorities (") + kCaColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                 "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) "
                                 "ON CONFLICT DO NOTHING";
  return sql;
}

// Parameters as BindCa: ?1 id, ?22 the expected version.
constexpr std::string_view kUpdateCaSql =
    "UPDATE certificate_authorities SET arn = ?2, account_id = ?3, type = ?4, status = ?5, "
    "status_before_deletion = ?6, configuration_json = ?7, revocation_json = ?8, "
    "key_storage_security_standard = ?9, usage_mode = ?10, key_id = ?11, csr_pem = ?12, "
    "certificate_der = ?13, chain_pem = ?14, serial_hex = ?15, not_before_s = ?16, "
    "not_after_s = ?17, created_at_ms = ?18, last_state_change_at_ms = ?19, "
    "restorable_until_ms = ?20, failure_reason = ?21, version = ?22 + 1 "
    "WHERE id = ?1 AND version = ?22";

const std::string& ListCasFirstPageSql() {
  static const std::string sql = std::string("SELECT ") + kCaColumns +
                                 " FROM certificate_authorities WHERE account_id = ?1 "
                                 "ORDER BY created_at_ms, id LIMIT ?2";
  return sql;
}

const std::string& ListCasNextPageSql() {
  static const std::string sql = std::string("SELECT ") + kCaColumns +
                                 " FROM certificate_authorities WHERE account_id = ?1 "
                                 "AND (created_at_ms > ?2 OR (created_at_ms = ?2 AND id > ?3)) "
                                 "ORDER BY created_at_ms, id LIMIT ?4";
  return sql;
}

const std::string& InsertCertificateSql() {
  static const std::string sql = std::string("INSERT INTO certificates (") + kCertificateColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                                 "ON CONFLICT DO NOTHING";
  return sql;
}

const std::string& SelectCertificateSql() {
  static const std::string sql = std::string("SELECT ") + kCertificateColumns +
                                 " FROM certificates WHERE ca_id = ?1 AND serial_hex = ?2";
  return sql;
}

// Both statements read the covering index certificates_revoked_entries (0002_revocation.sql) alone,
// in index order. A NULL reason on a revoked row (possible through InsertCertificate) is listed as
// unspecified: the certificate stays on the CRL.
constexpr std::string_view kForEachRevokedSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = ?1 AND revoked_at_ms IS NOT NULL "
    "ORDER BY revoked_at_ms, serial_hex";
constexpr std::string_view kForEachRevokedUnexpiredSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = ?1 AND revoked_at_ms IS NOT NULL AND not_after_s >= ?2 "
    "ORDER BY revoked_at_ms, serial_hex";

// The same scans over one CRL partition read certificates_revoked_by_partition
// (0003_crl_partitions.sql) alone, in index order.
constexpr std::string_view kForEachRevokedInPartitionSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = ?1 AND crl_partition = ?2 AND revoked_at_ms IS NOT NULL "
    "ORDER BY revoked_at_ms, serial_hex";
constexpr std::string_view kForEachRevokedUnexpiredInPartitionSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = ?1 AND crl_partition = ?2 AND revoked_at_ms IS NOT NULL "
    "AND not_after_s >= ?3 ORDER BY revoked_at_ms, serial_hex";

const std::string& InsertCrlPartitionSql() {
  static const std::string sql = std::string("INSERT INTO crl_partitions (") +
                                 kCrlPartitionColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
  return sql;
}

const std::string& SelectCrlPartitionSql() {
  static const std::string sql = std::string("SELECT ") + kCrlPartitionColumns +
                                 " FROM crl_partitions WHERE ca_id = ?1 AND partition_id = ?2";
  return sql;
}

const std::string& ListCrlPartitionsSql() {
  static const std::string sql = std::string("SELECT ") + kCrlPartitionColumns +
                                 " FROM crl_partitions WHERE ca_id = ?1 "
                                 "ORDER BY partition_id <> '', created_at_ms, partition_id";
  return sql;
}

// RFC 5280 5.3.1 CRLReason: 7 is unused; removeFromCRL (8) is for delta CRLs but is a valid code.
bool IsCrlReason(int reason) { return reason >= 0 && reason <= 10 && reason != 7; }

constexpr std::string_view kUpsertClaimSql =
    "INSERT INTO idempotency_claims (scope_key, result, expires_at_ms) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (scope_key) DO UPDATE SET result = excluded.result, "
    "expires_at_ms = excluded.expires_at_ms WHERE idempotency_claims.expires_at_ms <= ?4 "
    "RETURNING scope_key";

constexpr std::string_view kInsertTagSql =
    "INSERT INTO ca_tags (ca_id, position, key, value) VALUES (?1, ?2, ?3, ?4)";

// A live claim of the scope exists: another request with the same token won.
Status ClaimTaken(std::string_view scope_key) {
  return Status(ErrorCode::kConcurrentModification,
                "idempotency token already claimed: " + std::string(scope_key));
}

// --- Write steps shared by several jobs. They run on the writer thread. ---

Status WriteClaim(SqliteConnection& conn, const std::optional<IdempotencyClaim>& claim) {
  if (!claim.has_value()) return Status::Ok();
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kUpsertClaimSql));
  stmt.BindText(1, claim->scope_key)
      .BindText(2, claim->result)
      .BindInt64(3, claim->expires_at_ms)
      .BindInt64(4, claim->claimed_at_ms);
  ASSIGN_OR_RETURN(bool claimed, stmt.Step());
  if (!claimed) return ClaimTaken(claim->scope_key);
  ASSIGN_OR_RETURN(bool more, stmt.Step());  // finish the statement
  (void)more;
  return Status::Ok();
}

Status WriteTags(SqliteConnection& conn, std::string_view ca_id, const std::vector<Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kInsertTagSql));
    stmt.BindText(1, ca_id)
        .BindInt64(2, static_cast<int64_t>(i))
        .BindText(3, tags[i].key)
        .BindOptionalText(4, tags[i].value);
    RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

Result<bool> CaExists(SqliteConnection& conn, std::string_view ca_id) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT 1 FROM certificate_authorities WHERE id = ?1"));
  stmt.BindText(1, ca_id);
  return stmt.Step();
}

Status CaNotFound(std::string_view ca_id) {
  return Status(ErrorCode::kResourceNotFound,
                "certificate authority " + std::string(ca_id) + " not found");
}

// Sets a pragma and reads it back: fail closed if this sqlite build ignores it.
Status SetPragma(SqliteConnection& conn, std::string_view name, std::string_view value,
                 std::string_view expected) {
  std::string set = "PRAGMA " + std::string(name) + " = " + std::string(value);
  RETURN_IF_ERROR(conn.ExecuteScript(set));
  ASSIGN_OR_RETURN(std::string actual, conn.QueryText("PRAGMA " + std::string(name)));
  if (actual != expected) {
    return InternalError("sqlite: PRAGMA " + std::string(name) + " is '" + actual +
                         "', expected '" + std::string(expected) + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const SqliteOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                   SqliteConnection::Open(path, /*create=*/true, options.busy_timeout_ms));
  // WAL lets readers run during commits; FULL syncs the WAL at every commit, so an acknowledged
  // write survives power loss, not only a crash of the process.
  RETURN_IF_ERROR(SetPragma(*conn, "journal_mode", "WAL", "wal"));
  RETURN_IF_ERROR(SetPragma(*conn, "synchronous", "FULL", "2"));
  RETURN_IF_ERROR(SetPragma(*conn, "foreign_keys", "ON", "1"));
  // The writer runs each job in a SAVEPOINT (SqliteWriter), and SQLite keeps the pages a
  // savepoint may have to restore in a statement journal: in memory, not a temporary file that
  // every job wrote page by page (it was four fifths of the writer's writes). Bounded by one
  // batch's changes. Readers keep the default: their sorts may be large.
  RETURN_IF_ERROR(SetPragma(*conn, "temp_store", "MEMORY", "2"));
  if (options.checkpoint_interval.count() > 0) {
    // Checkpoints run on SqliteCheckpointer's thread; the writer's commits only if it lags.
    const std::string pages = std::to_string(SqliteCheckpointer::kWriterFallbackPages);
    RETURN_IF_ERROR(SetPragma(*conn, "wal_autocheckpoint", pages, pages));
  }

  SystemClock system_clock;
  const Clock& clock = options.clock != nullptr ? *options.clock : system_clock;
  RETURN_IF_ERROR(ApplySqliteMigrations(*conn, SqliteMigrations(), ToUnixMillis(clock.Now())));

  auto reads =
      std::make_unique<SqliteReadPool>(path, options.max_read_connections, options.busy_timeout_ms);
  {
    // Surface a reader that cannot open now rather than at the first request.
    ASSIGN_OR_RETURN(SqliteReadPool::Lease lease, reads->Acquire());
  }
  std::unique_ptr<SqliteCheckpointer> checkpointer;
  if (options.checkpoint_interval.count() > 0) {
    ASSIGN_OR_RETURN(checkpointer, SqliteCheckpointer::Start(path, options.checkpoint_interval,
                                                             options.busy_timeout_ms));
  }
  auto writer = std::make_unique<SqliteWriter>(std::move(conn), options.max_batch_size);
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(reads), std::move(writer), std::move(checkpointer)));
}

SqliteStore::~SqliteStore() = default;

// --- Settings ---

Result<std::optional<std::string>> SqliteStore::GetSetting(std::string_view name) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<std::optional<std::string>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT value FROM settings WHERE name = ?1"));
    stmt.BindText(1, name);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return std::optional<std::string>();
    return std::optional<std::string>(stmt.ColumnText(0));
  });
}

Status SqliteStore::PutSetting(std::string_view name, std::string_view value) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("INSERT INTO settings (name, value) VALUES (?1, ?2) "
                                  "ON CONFLICT (name) DO UPDATE SET value = excluded.value"));
    stmt.BindText(1, name).BindText(2, value);
    return stmt.Run();
  });
}

// --- Access keys ---

Status SqliteStore::InsertAccessKey(const AccessKeyRecord& key) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare("INSERT INTO access_keys (access_key_id, account_id, sealed_secret, "
                     "created_at_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"));
    stmt.BindText(1, key.access_key_id)
        .BindText(2, key.account_id)
        .BindBlob(3, key.sealed_secret)
        .BindInt64(4, key.created_at_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) {
      return Status(ErrorCode::kInvalidArgs, "access key id already exists");
    }
    return Status::Ok();
  });
}

Result<AccessKeyRecord> SqliteStore::GetAccessKey(std::string_view access_key_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<AccessKeyRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT access_key_id, account_id, sealed_secret, "
                                  "created_at_ms FROM access_keys WHERE access_key_id = ?1"));
    stmt.BindText(1, access_key_id);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return Status(ErrorCode::kResourceNotFound, "access key not found");
    AccessKeyRecord key;
    key.access_key_id = stmt.ColumnText(0);
    key.account_id = stmt.ColumnText(1);
    key.sealed_secret = stmt.ColumnBlob(2);
    key.created_at_ms = stmt.ColumnInt64(3);
    return key;
  });
}

// --- Certificate authorities ---

Status SqliteStore::InsertCa(const CaRecord& ca, const std::vector<Tag>& tags,
                             const std::optional<IdempotencyClaim>& claim) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(InsertCaSql()));
    BindCa(stmt, ca, /*version=*/1);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) {
      return Status(ErrorCode::kInvalidArgs, "certificate authority " + ca.id + " already exists");
    }
    RETURN_IF_ERROR(WriteTags(conn, ca.id, tags));
    return WriteClaim(conn, claim);
  });
}

Result<CaRecord> SqliteStore::GetCa(std::string_view ca_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<CaRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(SelectCaSql()));
    stmt.BindText(1, ca_id);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return CaNotFound(ca_id);
    return ReadCa(stmt);
  });
}

Result<std::vector<CaRecord>> SqliteStore::ListCas(std::string_view account_id,
                                                   std::string_view after_id, int limit) {
  if (limit <= 0) return std::vector<CaRecord>();
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<std::vector<CaRecord>> {
    std::optional<SqliteStatement> page;
    if (after_id.empty()) {
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(ListCasFirstPageSql()));
      stmt.BindText(1, account_id).BindInt64(2, limit);
      page.emplace(std::move(stmt));
    } else {
      ASSIGN_OR_RETURN(SqliteStatement after,
                       conn.Prepare("SELECT created_at_ms FROM certificate_authorities "
                                    "WHERE id = ?1 AND account_id = ?2"));
      after.BindText(1, after_id).BindText(2, account_id);
      ASSIGN_OR_RETURN(bool found, after.Step());
      if (!found) {
        return Status(ErrorCode::kInvalidNextToken, "pagination start is not a CA of the account");
      }
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(ListCasNextPageSql()));
      stmt.BindText(1, account_id)
          .BindInt64(2, after.ColumnInt64(0))
          .BindText(3, after_id)
          .BindInt64(4, limit);
      page.emplace(std::move(stmt));
    }
    std::vector<CaRecord> cas;
    for (;;) {
      ASSIGN_OR_RETURN(bool has_row, page->Step());
      if (!has_row) break;
      cas.push_back(ReadCa(*page));
    }
    return cas;
  });
}

Result<int64_t> SqliteStore::CountCas(std::string_view account_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare("SELECT COUNT(*) FROM certificate_authorities WHERE account_id = ?1"));
    stmt.BindText(1, account_id);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return InternalError("sqlite: COUNT(*) returned no row");
    return stmt.ColumnInt64(0);
  });
}

Status SqliteStore::UpdateCa(const CaRecord& ca) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kUpdateCaSql));
    BindCa(stmt, ca, ca.version);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 1) return Status::Ok();
    ASSIGN_OR_RETURN(bool exists, CaExists(conn, ca.id));
    if (!exists) return CaNotFound(ca.id);
    return Status(ErrorCode::kConcurrentModification,
                  "certificate authority " + ca.id + " was modified concurrently");
  });
}

Status SqliteStore::PurgeCa(std::string_view ca_id) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    // Children first and explicitly, rather than relying on ON DELETE CASCADE alone.
    for (std::string_view sql : {std::string_view("DELETE FROM certificates WHERE ca_id = ?1"),
                                 std::string_view("DELETE FROM ca_tags WHERE ca_id = ?1"),
                                 std::string_view("DELETE FROM crl_state WHERE ca_id = ?1"),
                                 std::string_view("DELETE FROM crl_partitions WHERE ca_id = ?1"),
                                 std::string_view("DELETE FROM ca_policies WHERE ca_id = ?1"),
                                 std::string_view("DELETE FROM ca_permissions WHERE ca_id = ?1"),
                                 // RAM names the CA by ARN: a purged CA leaves every share.
                                 std::string_view("DELETE FROM ram_share_resources WHERE "
                                                  "resource_arn = (SELECT arn FROM "
                                                  "certificate_authorities WHERE id = ?1)")}) {
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
      stmt.BindText(1, ca_id);
      RETURN_IF_ERROR(stmt.Run());
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM certificate_authorities WHERE id = ?1"));
    stmt.BindText(1, ca_id);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return CaNotFound(ca_id);
    return Status::Ok();
  });
}

// --- Tags ---

Result<std::vector<Tag>> SqliteStore::GetTags(std::string_view ca_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<std::vector<Tag>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare("SELECT key, value FROM ca_tags WHERE ca_id = ?1 ORDER BY position"));
    stmt.BindText(1, ca_id);
    std::vector<Tag> tags;
    for (;;) {
      ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      tags.push_back(Tag{stmt.ColumnText(0), stmt.ColumnOptionalText(1)});
    }
    return tags;
  });
}

Status SqliteStore::ReplaceTags(std::string_view ca_id, const std::vector<Tag>& tags) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, CaExists(conn, ca_id));
    if (!exists) return CaNotFound(ca_id);
    ASSIGN_OR_RETURN(SqliteStatement clear, conn.Prepare("DELETE FROM ca_tags WHERE ca_id = ?1"));
    clear.BindText(1, ca_id);
    RETURN_IF_ERROR(clear.Run());
    return WriteTags(conn, ca_id, tags);
  });
}

// --- Certificates ---

Status SqliteStore::InsertCertificate(const CertificateRecord& cert,
                                      const std::optional<IdempotencyClaim>& claim) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(InsertCertificateSql()));
    BindCertificate(stmt, cert);
    Status inserted = stmt.Run();
    if (!inserted.ok()) {
      if (stmt.last_error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) return CaNotFound(cert.ca_id);
      return inserted;
    }
    if (stmt.Changes() == 0) {
      return Status(ErrorCode::kRequestFailed,
                    "certificate serial " + cert.serial_hex + " already exists");
    }
    return WriteClaim(conn, claim);
  });
}

Result<CertificateRecord> SqliteStore::GetCertificate(std::string_view ca_id,
                                                      std::string_view serial_hex) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<CertificateRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(SelectCertificateSql()));
    stmt.BindText(1, ca_id).BindText(2, serial_hex);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return Status(ErrorCode::kResourceNotFound, "certificate not found");
    return ReadCertificate(stmt);
  });
}

// --- Revocation and CRL state ---

Status SqliteStore::RevokeCertificate(std::string_view ca_id, std::string_view serial_hex,
                                      int64_t revoked_at_ms, int reason) {
  if (!IsCrlReason(reason)) {
    return Status(ErrorCode::kInvalidArgs, "not a CRLReason code: " + std::to_string(reason));
  }
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    // The IS NULL condition makes the first revocation win: a second one changes nothing.
    ASSIGN_OR_RETURN(SqliteStatement update,
                     conn.Prepare("UPDATE certificates SET revoked_at_ms = ?3, "
                                  "revocation_reason = ?4 WHERE ca_id = ?1 AND serial_hex = ?2 "
                                  "AND revoked_at_ms IS NULL"));
    update.BindText(1, ca_id)
        .BindText(2, serial_hex)
        .BindInt64(3, revoked_at_ms)
        .BindInt64(4, reason);
    RETURN_IF_ERROR(update.Run());
    if (update.Changes() == 1) return Status::Ok();
    ASSIGN_OR_RETURN(
        SqliteStatement exists,
        conn.Prepare("SELECT 1 FROM certificates WHERE ca_id = ?1 AND serial_hex = ?2"));
    exists.BindText(1, ca_id).BindText(2, serial_hex);
    ASSIGN_OR_RETURN(bool found, exists.Step());
    if (!found) return Status(ErrorCode::kResourceNotFound, "certificate not found");
    return Status(ErrorCode::kRequestAlreadyProcessed, "certificate already revoked");
  });
}

Status SqliteStore::ForEachRevoked(std::string_view ca_id, const RevokedScan& scan,
                                   const std::function<Status(const RevokedEntry&)>& fn) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Status {
    // One statement is one read transaction: the whole scan sees one snapshot, however long the
    // callback takes, while the writer keeps committing (WAL).
    std::optional<SqliteStatement> rows;
    if (scan.crl_partition.has_value()) {
      const bool unexpired = scan.not_after_at_least_s.has_value();
      ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn.Prepare(unexpired ? kForEachRevokedUnexpiredInPartitionSql
                                              : kForEachRevokedInPartitionSql));
      stmt.BindText(1, ca_id).BindText(2, *scan.crl_partition);
      if (unexpired) stmt.BindInt64(3, *scan.not_after_at_least_s);
      rows.emplace(std::move(stmt));
    } else if (scan.not_after_at_least_s.has_value()) {
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kForEachRevokedUnexpiredSql));
      stmt.BindText(1, ca_id).BindInt64(2, *scan.not_after_at_least_s);
      rows.emplace(std::move(stmt));
    } else {
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kForEachRevokedSql));
      stmt.BindText(1, ca_id);
      rows.emplace(std::move(stmt));
    }
    RevokedEntry entry;  // reused: serial_hex keeps its capacity from row to row
    for (;;) {
      ASSIGN_OR_RETURN(bool has_row, rows->Step());
      if (!has_row) return Status::Ok();
      rows->ColumnTextInto(0, entry.serial_hex);
      entry.revoked_at_ms = rows->ColumnInt64(1);
      entry.reason = static_cast<int>(rows->ColumnInt64(2));
      entry.not_after_s = rows->ColumnInt64(3);
      RETURN_IF_ERROR(fn(entry));
    }
  });
}

Result<int64_t> SqliteStore::CountRevoked(std::string_view ca_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT COUNT(*) FROM certificates "
                                  "WHERE ca_id = ?1 AND revoked_at_ms IS NOT NULL"));
    stmt.BindText(1, ca_id);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return InternalError("sqlite: COUNT(*) returned no row");
    return stmt.ColumnInt64(0);
  });
}

Result<int64_t> SqliteStore::NextCrlNumber(std::string_view ca_id, int64_t at_least) {
  if (at_least < 0) return Status(ErrorCode::kInvalidArgs, "CRL number must not be negative");
  int64_t number = 0;
  Status status = writer_->Run([&](SqliteConnection& conn) -> Status {
    // Read and write in the same job: the writer thread runs jobs one at a time inside one
    // transaction, so no other write interleaves between the two statements.
    ASSIGN_OR_RETURN(SqliteStatement read,
                     conn.Prepare("SELECT last_crl_number FROM crl_state WHERE ca_id = ?1"));
    read.BindText(1, ca_id);
    ASSIGN_OR_RETURN(bool has_row, read.Step());
    int64_t last = has_row ? read.ColumnInt64(0) : 0;
    if (last == std::numeric_limits<int64_t>::max()) {
      return Status(ErrorCode::kLimitExceeded, "CRL numbers exhausted");
    }
    number = std::max(last + 1, at_least);
    ASSIGN_OR_RETURN(SqliteStatement write,
                     conn.Prepare("INSERT INTO crl_state (ca_id, last_crl_number) VALUES (?1, ?2) "
                                  "ON CONFLICT (ca_id) DO UPDATE SET "
                                  "last_crl_number = excluded.last_crl_number"));
    write.BindText(1, ca_id).BindInt64(2, number);
    Status written = write.Run();
    if (!written.ok() && write.last_error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return CaNotFound(ca_id);
    }
    return written;
  });
  if (!status.ok()) return status;
  return number;
}

// --- CRL partitions ---

Status SqliteStore::InsertCrlPartition(const CrlPartitionRecord& partition) {
  if (partition.capacity < 0) {
    return Status(ErrorCode::kInvalidArgs, "CRL partition capacity must not be negative");
  }
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(InsertCrlPartitionSql()));
    BindCrlPartition(stmt, partition);
    Status inserted = stmt.Run();
    if (!inserted.ok() && stmt.last_error_code() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return CaNotFound(partition.ca_id);
    }
    return inserted;
  });
}

Result<CrlPartitionRecord> SqliteStore::GetCrlPartition(std::string_view ca_id,
                                                        std::string_view partition_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<CrlPartitionRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(SelectCrlPartitionSql()));
    stmt.BindText(1, ca_id).BindText(2, partition_id);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return Status(ErrorCode::kResourceNotFound, "CRL partition not found");
    return ReadCrlPartition(stmt);
  });
}

Result<std::vector<CrlPartitionRecord>> SqliteStore::ListCrlPartitions(std::string_view ca_id) {
  return WithReader(*reads_, [&](SqliteConnection& conn) -> Result<std::vector<CrlPartitionRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(ListCrlPartitionsSql()));
    stmt.BindText(1, ca_id);
    std::vector<CrlPartitionRecord> partitions;
    for (;;) {
      ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) return partitions;
      partitions.push_back(ReadCrlPartition(stmt));
    }
  });
}

// --- Idempotency ---

Result<std::optional<IdempotencyClaim>> SqliteStore::FindIdempotencyClaim(
    std::string_view scope_key, int64_t now_ms) {
  return WithReader(
      *reads_, [&](SqliteConnection& conn) -> Result<std::optional<IdempotencyClaim>> {
        ASSIGN_OR_RETURN(
            SqliteStatement stmt,
            conn.Prepare("SELECT scope_key, result, expires_at_ms FROM "
                         "idempotency_claims WHERE scope_key = ?1 AND expires_at_ms > ?2"));
        stmt.BindText(1, scope_key).BindInt64(2, now_ms);
        ASSIGN_OR_RETURN(bool has_row, stmt.Step());
        if (!has_row) return std::optional<IdempotencyClaim>();
        return std::optional<IdempotencyClaim>(
            IdempotencyClaim{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnInt64(2)});
      });
}

Result<int64_t> SqliteStore::PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) {
  return PurgeExpiredRows(*writer_, {"idempotency_claims", "scope_key", "expires_at_ms"}, now_ms,
                          limit);
}

}  // namespace openpca::store

#include "store/postgres/pg_store.h"

#include <limits>
#include <utility>

#include "store/migration.h"
#include "store/postgres/pg_migrator.h"
#include "store/postgres/pg_rows.h"

namespace openpca::store {
namespace {

// --- SQL text. The statements of the SQLite dialect with $N parameters; built once. ---

const std::string& PgSelectCaSql() {
  static const std::string sql =
      std::string("SELECT ") + kCaColumns + " FROM certificate_authorities WHERE id = $1";
  return sql;
}

const std::string& PgInsertCaSql() {
  static const std::string sql = std::string("INSERT INTO certificate_authorities (") + kCaColumns +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                                 "$13, $14, $15, $16, $17, $18, $19, $20, $21, $22) "
                                 "ON CONFLICT DO NOTHING";
  return sql;
}

// Parameters as AddCaParams: $1 id, $22 the expected version. Under READ COMMITTED a concurrent
// update of the row makes PostgreSQL re-check `version = $22` on the newest row version, so this
// is a compare-and-swap across servers too.
constexpr std::string_view kPgUpdateCaSql =
    "UPDATE certificate_authorities SET arn = $2, account_id = $3, type = $4, status = $5, "
    "status_before_deletion = $6, configuration_json = $7, revocation_json = $8, "
    "key_storage_security_standard = $9, usage_mode = $10, key_id = $11, csr_pem = $12, "
    "certificate_der = $13, chain_pem = $14, serial_hex = $15, not_before_s = $16, "
    "not_after_s = $17, created_at_ms = $18, last_state_change_at_ms = $19, "
    "restorable_until_ms = $20, failure_reason = $21, version = $22 + 1 "
    "WHERE id = $1 AND version = $22";

const std::string& PgListCasFirstPageSql() {
  static const std::string sql = std::string("SELECT ") + kCaColumns +
                                 " FROM certificate_authorities WHERE account_id = $1 "
                                 "ORDER BY created_at_ms, id LIMIT $2";
  return sql;
}

const std::string& PgListCasNextPageSql() {
  static const std::string sql = std::string("SELECT ") + kCaColumns +
                                 " FROM certificate_authorities WHERE account_id = $1 "
                                 "AND (created_at_ms > $2 OR (created_at_ms = $2 AND id > $3)) "
                                 "ORDER BY created_at_ms, id LIMIT $4";
  return sql;
}

const std::string& PgInsertCertificateSql() {
  static const std::string sql = std::string("INSERT INTO certificates (") + kCertificateColumns +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                                 "ON CONFLICT DO NOTHING";
  return sql;
}

const std::string& PgSelectCertificateSql() {
  static const std::string sql = std::string("SELECT ") + kCertificateColumns +
                                 " FROM certificates WHERE ca_id = $1 AND serial_hex = $2";
  return sql;
}

// The CRL scans read certificates_revoked_entries (all of a CA) or
// certificates_revoked_by_partition (one partition), in index order. A NULL reason on a revoked
// row (possible through InsertCertificate) is listed as unspecified: the certificate stays on the
// CRL.
constexpr std::string_view kPgForEachRevokedSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = $1 AND revoked_at_ms IS NOT NULL "
    "ORDER BY revoked_at_ms, serial_hex";
constexpr std::string_view kPgForEachRevokedUnexpiredSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = $1 AND revoked_at_ms IS NOT NULL AND not_after_s >= $2 "
    "ORDER BY revoked_at_ms, serial_hex";
constexpr std::string_view kPgForEachRevokedInPartitionSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = $1 AND crl_partition = $2 AND revoked_at_ms IS NOT NULL "
    "ORDER BY revoked_at_ms, serial_hex";
constexpr std::string_view kPgForEachRevokedUnexpiredInPartitionSql =
    "SELECT serial_hex, revoked_at_ms, COALESCE(revocation_reason, 0), not_after_s "
    "FROM certificates WHERE ca_id = $1 AND crl_partition = $2 AND revoked_at_ms IS NOT NULL "
    "AND not_after_s >= $3 ORDER BY revoked_at_ms, serial_hex";

// One statement hands out the number and stores it: the row lock taken by ON CONFLICT DO UPDATE
// orders concurrent callers, on this server or another, and each sees the last committed number.
// The WHERE clause leaves an exhausted sequence alone (no row returned) instead of overflowing.
constexpr std::string_view kPgNextCrlNumberSql =
    "INSERT INTO crl_state AS s (ca_id, last_crl_number) VALUES ($1, GREATEST($2, 1)) "
    "ON CONFLICT (ca_id) DO UPDATE SET last_crl_number = GREATEST(s.last_crl_number + 1, $2) "
    "WHERE s.last_crl_number < 9223372036854775807 "
    "RETURNING last_crl_number";

const std::string& PgInsertCrlPartitionSql() {
  static const std::string sql = std::string("INSERT INTO crl_partitions (") +
                                 kCrlPartitionColumns +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
  return sql;
}

const std::string& PgSelectCrlPartitionSql() {
  static const std::string sql = std::string("SELECT ") + kCrlPartitionColumns +
                                 " FROM crl_partitions WHERE ca_id = $1 AND partition_id = $2";
  return sql;
}

const std::string& PgListCrlPartitionsSql() {
  static const std::string sql = std::string("SELECT ") + kCrlPartitionColumns +
                                 " FROM crl_partitions WHERE ca_id = $1 "
                                 "ORDER BY partition_id <> '', created_at_ms, partition_id";
  return sql;
}

constexpr std::string_view kPgUpsertClaimSql =
    "INSERT INTO idempotency_claims (scope_key, result, expires_at_ms) VALUES ($1, $2, $3) "
    "ON CONFLICT (scope_key) DO UPDATE SET result = excluded.result, "
    "expires_at_ms = excluded.expires_at_ms WHERE idempotency_claims.expires_at_ms <= $4 "
    "RETURNING scope_key";

constexpr std::string_view kPgInsertTagSql =
    "INSERT INTO ca_tags (ca_id, position, key, value) VALUES ($1, $2, $3, $4)";

// RFC 5280 5.3.1 CRLReason: 7 is unused; removeFromCRL (8) is for delta CRLs but is a valid code.
bool PgIsCrlReason(int reason) { return reason >= 0 && reason <= 10 && reason != 7; }

Status PgCaNotFound(std::string_view ca_id) {
  return Status(ErrorCode::kResourceNotFound,
                "certificate authority " + std::string(ca_id) + " not found");
}

// --- Write steps shared by several jobs. They run on the writer thread. ---

Status PgWriteClaim(PgConnection& conn, const std::optional<IdempotencyClaim>& claim) {
  if (!claim.has_value()) return Status::Ok();
  PgParams params;
  params.Text(claim->scope_key)
      .Text(claim->result)
      .Int64(claim->expires_at_ms)
      .Int64(claim->claimed_at_ms);
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(kPgUpsertClaimSql, params));
  if (rows.rows() == 0) {
    // A live claim of the scope exists: another request (of any server) with the token won.
    return Status(ErrorCode::kConcurrentModification,
                  "idempotency token already claimed: " + claim->scope_key);
  }
  return Status::Ok();
}

Status PgWriteTags(PgConnection& conn, std::string_view ca_id, const std::vector<Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    PgParams params;
    params.Text(ca_id).Int64(static_cast<int64_t>(i)).Text(tags[i].key).OptionalText(tags[i].value);
    RETURN_IF_ERROR(conn.Exec(kPgInsertTagSql, params).status());
  }
  return Status::Ok();
}

// Whether the CA exists; when it does, its row stays locked until the transaction ends, so a
// change to its children (tags, purge) cannot interleave with another server's.
Result<bool> PgLockCa(PgConnection& conn, std::string_view ca_id) {
  PgParams params;
  params.Text(ca_id);
  ASSIGN_OR_RETURN(
      PgResult rows,
      conn.Exec("SELECT 1 FROM certificate_authorities WHERE id = $1 FOR UPDATE", params));
  return rows.rows() > 0;
}

Result<bool> PgCaExists(PgConnection& conn, std::string_view ca_id) {
  PgParams params;
  params.Text(ca_id);
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec("SELECT 1 FROM certificate_authorities WHERE id = $1", params));
  return rows.rows() > 0;
}

Result<int64_t> PgCount(PgConnection& conn, std::string_view sql, std::string_view key) {
  PgParams params;
  params.Text(key);
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
  if (rows.rows() != 1) return InternalError("postgres: COUNT(*) returned no row");
  return rows.Int64(0, 0);
}

// Runs the revoked-certificate query `sql` through a cursor inside one REPEATABLE READ
// transaction: one snapshot for the whole scan, `fetch_rows` rows in memory at a time. Sets
// *delivered once `fn` has been called.
Status PgScanRevoked(PgConnection& conn, std::string_view sql, const PgParams& params,
                     int fetch_rows, const std::function<Status(const RevokedEntry&)>& fn,
                     bool* delivered) {
  RETURN_IF_ERROR(conn.Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  Status status =
      conn.Exec("DECLARE revoked_scan NO SCROLL CURSOR FOR " + std::string(sql), params).status();
  const std::string fetch = "FETCH FORWARD " + std::to_string(fetch_rows) + " FROM revoked_scan";
  RevokedEntry entry;  // reused: serial_hex keeps its capacity from row to row
  while (status.ok()) {
    Result<PgResult> rows = conn.Exec(fetch);
    if (!rows.ok()) {
      status = rows.status();
      break;
    }
    for (int r = 0; r < rows->rows() && status.ok(); ++r) {
      std::string_view serial = rows->Text(r, 0);
      entry.serial_hex.assign(serial.data(), serial.size());
      entry.revoked_at_ms = rows->Int64(r, 1);
      entry.reason = static_cast<int>(rows->Int64(r, 2));
      entry.not_after_s = rows->Int64(r, 3);
      *delivered = true;
      status = fn(entry);
    }
    if (rows->rows() < fetch_rows) break;
  }
  if (status.ok()) return conn.Run("COMMIT");
  if (!conn.broken()) {
    // Best effort: a connection left in a transaction is not reused by the pool.
    (void)conn.Run("ROLLBACK");
  }
  return status;
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo,
                                               const PgOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                   PgConnection::Connect(conninfo, PgWriter::kSessionSql));
  SystemClock system_clock;
  const Clock& clock = options.clock != nullptr ? *options.clock : system_clock;
  RETURN_IF_ERROR(ApplyPgMigrations(*conn, PostgresMigrations(), ToUnixMillis(clock.Now())));

  auto reads = std::make_unique<PgPool>(conninfo, options.max_read_connections);
  {
    // Surface a reader that cannot connect now rather than at the first request.
    ASSIGN_OR_RETURN(PgPool::Lease lease, reads->Acquire());
  }
  auto writer = std::make_unique<PgWriter>(conninfo, std::move(conn), options.max_batch_size);
  const int fetch_rows = options.scan_fetch_rows > 0 ? options.scan_fetch_rows : 1;
  return std::unique_ptr<PgStore>(new PgStore(std::move(reads), std::move(writer), fetch_rows));
}

PgStore::~PgStore() = default;

// --- Settings ---

Result<std::optional<std::string>> PgStore::GetSetting(std::string_view name) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<std::optional<std::string>> {
    PgParams params;
    params.Text(name);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT value FROM settings WHERE name = $1", params));
    if (rows.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(rows.String(0, 0));
  });
}

Status PgStore::PutSetting(std::string_view name, std::string_view value) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(name).Text(value);
    return conn
        .Exec(
            "INSERT INTO settings (name, value) VALUES ($1, $2) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params)
        .status();
  });
}

// --- Access keys ---

Status PgStore::InsertAccessKey(const AccessKeyRecord& key) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(key.access_key_id)
        .Text(key.account_id)
        .Bytea(key.sealed_secret)
        .Int64(key.created_at_ms);
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec("INSERT INTO access_keys (access_key_id, account_id, "
                               "sealed_secret, created_at_ms) VALUES ($1, $2, $3, $4) "
                               "ON CONFLICT DO NOTHING",
                               params));
    if (done.affected_rows() == 0) {
      return Status(ErrorCode::kInvalidArgs, "access key id already exists");
    }
    return Status::Ok();
  });
}

Result<AccessKeyRecord> PgStore::GetAccessKey(std::string_view access_key_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<AccessKeyRecord> {
    PgParams params;
    params.Text(access_key_id);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT access_key_id, account_id, sealed_secret, created_at_ms "
                               "FROM access_keys WHERE access_key_id = $1",
                               params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "access key not found");
    AccessKeyRecord key;
    key.access_key_id = rows.String(0, 0);
    key.account_id = rows.String(0, 1);
    key.sealed_secret = rows.Bytea(0, 2);
    key.created_at_ms = rows.Int64(0, 3);
    return key;
  });
}

// --- Certificate authorities ---

Status PgStore::InsertCa(const CaRecord& ca, const std::vector<Tag>& tags,
                         const std::optional<IdempotencyClaim>& claim) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    PgParams params;
    AddCaParams(params, ca, /*version=*/1);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec(PgInsertCaSql(), params));
    if (done.affected_rows() == 0) {
      return Status(ErrorCode::kInvalidArgs, "certificate authority " + ca.id + " already exists");
    }
    RETURN_IF_ERROR(PgWriteTags(conn, ca.id, tags));
    return PgWriteClaim(conn, claim);
  });
}

Result<CaRecord> PgStore::GetCa(std::string_view ca_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<CaRecord> {
    PgParams params;
    params.Text(ca_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgSelectCaSql(), params));
    if (rows.rows() == 0) return PgCaNotFound(ca_id);
    return ReadCaRow(rows, 0);
  });
}

Result<std::vector<CaRecord>> PgStore::ListCas(std::string_view account_id,
                                               std::string_view after_id, int limit) {
  if (limit <= 0) return std::vector<CaRecord>();
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<std::vector<CaRecord>> {
    std::optional<PgResult> page;
    if (after_id.empty()) {
      PgParams params;
      params.Text(account_id).Int64(limit);
      ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgListCasFirstPageSql(), params));
      page.emplace(std::move(rows));
    } else {
      PgParams after;
      after.Text(after_id).Text(account_id);
      ASSIGN_OR_RETURN(PgResult start,
                       conn.Exec("SELECT created_at_ms FROM certificate_authorities "
                                 "WHERE id = $1 AND account_id = $2",
                                 after));
      if (start.rows() == 0) {
        return Status(ErrorCode::kInvalidNextToken, "pagination start is not a CA of the account");
      }
      PgParams params;
      params.Text(account_id).Int64(start.Int64(0, 0)).Text(after_id).Int64(limit);
      ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgListCasNextPageSql(), params));
      page.emplace(std::move(rows));
    }
    std::vector<CaRecord> cas;
    cas.reserve(static_cast<size_t>(page->rows()));
    for (int r = 0; r < page->rows(); ++r) cas.push_back(ReadCaRow(*page, r));
    return cas;
  });
}

Result<int64_t> PgStore::CountCas(std::string_view account_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<int64_t> {
    return PgCount(conn, "SELECT COUNT(*) FROM certificate_authorities WHERE account_id = $1",
                   account_id);
  });
}

Status PgStore::UpdateCa(const CaRecord& ca) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    PgParams params;
    AddCaParams(params, ca, ca.version);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec(kPgUpdateCaSql, params));
    if (done.affected_rows() == 1) return Status::Ok();
    ASSIGN_OR_RETURN(bool exists, PgCaExists(conn, ca.id));
    if (!exists) return PgCaNotFound(ca.id);
    return Status(ErrorCode::kConcurrentModification,
                  "certificate authority " + ca.id + " was modified concurrently");
  });
}

Status PgStore::PurgeCa(std::string_view ca_id) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgLockCa(conn, ca_id));
    if (!exists) return PgCaNotFound(ca_id);
    // Children first and explicitly, rather than relying on ON DELETE CASCADE alone.
    for (std::string_view sql : {std::string_view("DELETE FROM certificates WHERE ca_id = $1"),
                                 std::string_view("DELETE FROM ca_tags WHERE ca_id = $1"),
                                 std::string_view("DELETE FROM crl_state WHERE ca_id = $1"),
                                 std::string_view("DELETE FROM crl_partitions WHERE ca_id = $1"),
                                 std::string_view("DELETE FROM ca_policies WHERE ca_id = $1"),
                                 std::string_view("DELETE FROM ca_permissions WHERE ca_id = $1"),
                                 // RAM names the CA by ARN: a purged CA leaves every share.
                                 std::string_view("DELETE FROM ram_share_resources WHERE "
                                                  "resource_arn = (SELECT arn FROM "
                                                  "certificate_authorities WHERE id = $1)"),
                                 std::string_view("DELETE FROM certificate_authorities "
                                                  "WHERE id = $1")}) {
      PgParams params;
      params.Text(ca_id);
      RETURN_IF_ERROR(conn.Exec(sql, params).status());
    }
    return Status::Ok();
  });
}

// --- Tags ---

Result<std::vector<Tag>> PgStore::GetTags(std::string_view ca_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<std::vector<Tag>> {
    PgParams params;
    params.Text(ca_id);
    ASSIGN_OR_RETURN(
        PgResult rows,
        conn.Exec("SELECT key, value FROM ca_tags WHERE ca_id = $1 ORDER BY position", params));
    std::vector<Tag> tags;
    tags.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) {
      tags.push_back(Tag{rows.String(r, 0), rows.OptionalString(r, 1)});
    }
    return tags;
  });
}

Status PgStore::ReplaceTags(std::string_view ca_id, const std::vector<Tag>& tags) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgLockCa(conn, ca_id));
    if (!exists) return PgCaNotFound(ca_id);
    PgParams params;
    params.Text(ca_id);
    RETURN_IF_ERROR(conn.Exec("DELETE FROM ca_tags WHERE ca_id = $1", params).status());
    return PgWriteTags(conn, ca_id, tags);
  });
}

// --- Certificates ---

Status PgStore::InsertCertificate(const CertificateRecord& cert,
                                  const std::optional<IdempotencyClaim>& claim) {
  // Pipelinable (pg_writer.h): two keyed inserts, each deciding its conflict in the database; any
  // conflict fails the job, which sends its batch to the savepoint path.
  const PgWriter::Job insert = [&](PgConnection& conn) -> Status {
    PgParams params;
    AddCertificateParams(params, cert);
    // The primary key decides between concurrent inserts of one serial, from any server: ON
    // CONFLICT waits for the other transaction and then inserts nothing if it committed.
    Result<PgResult> done = conn.Exec(PgInsertCertificateSql(), params);
    if (!done.ok()) {
      if (conn.last_sqlstate() == kPgForeignKeyViolation) return PgCaNotFound(cert.ca_id);
      if (conn.last_sqlstate() != kPgUniqueViolation) return done.status();
    }
    if (!done.ok() || done->affected_rows() == 0) {
      return Status(ErrorCode::kRequestFailed,
                    "certificate serial " + cert.serial_hex + " already exists");
    }
    return PgWriteClaim(conn, claim);
  };
  return writer_->Run(insert, PgWriter::JobKind::kPlain, PgWriter::Pipelining::kPipelinable);
}

Result<CertificateRecord> PgStore::GetCertificate(std::string_view ca_id,
                                                  std::string_view serial_hex) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<CertificateRecord> {
    PgParams params;
    params.Text(ca_id).Text(serial_hex);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgSelectCertificateSql(), params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "certificate not found");
    return ReadCertificateRow(rows, 0);
  });
}

// --- Revocation and CRL state ---

Status PgStore::RevokeCertificate(std::string_view ca_id, std::string_view serial_hex,
                                  int64_t revoked_at_ms, int reason) {
  if (!PgIsCrlReason(reason)) {
    return Status(ErrorCode::kInvalidArgs, "not a CRLReason code: " + std::to_string(reason));
  }
  return writer_->Run([&](PgConnection& conn) -> Status {
    // The IS NULL condition makes the first revocation win: a concurrent one waits for the row
    // lock, re-checks the condition on the committed row and changes nothing.
    PgParams params;
    params.Text(ca_id).Text(serial_hex).Int64(revoked_at_ms).Int64(reason);
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec("UPDATE certificates SET revoked_at_ms = $3, "
                               "revocation_reason = $4 WHERE ca_id = $1 AND serial_hex = $2 "
                               "AND revoked_at_ms IS NULL",
                               params));
    if (done.affected_rows() == 1) return Status::Ok();
    PgParams key;
    key.Text(ca_id).Text(serial_hex);
    ASSIGN_OR_RETURN(
        PgResult found,
        conn.Exec("SELECT 1 FROM certificates WHERE ca_id = $1 AND serial_hex = $2", key));
    if (found.rows() == 0) return Status(ErrorCode::kResourceNotFound, "certificate not found");
    return Status(ErrorCode::kRequestAlreadyProcessed, "certificate already revoked");
  });
}

Status PgStore::ForEachRevoked(std::string_view ca_id, const RevokedScan& scan,
                               const std::function<Status(const RevokedEntry&)>& fn) {
  std::string_view sql;
  PgParams params;
  params.Text(ca_id);
  if (scan.crl_partition.has_value()) {
    params.Text(*scan.crl_partition);
    sql = scan.not_after_at_least_s.has_value() ? kPgForEachRevokedUnexpiredInPartitionSql
                                                : kPgForEachRevokedInPartitionSql;
  } else {
    sql = scan.not_after_at_least_s.has_value() ? kPgForEachRevokedUnexpiredSql
                                                : kPgForEachRevokedSql;
  }
  if (scan.not_after_at_least_s.has_value()) params.Int64(*scan.not_after_at_least_s);

  bool delivered = false;
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(PgPool::Lease lease, reads_->Acquire());
    Status status = PgScanRevoked(*lease, sql, params, scan_fetch_rows_, fn, &delivered);
    // A lost connection is retried once, unless `fn` has seen entries: it must not see them twice.
    if (status.ok() || !lease->broken() || delivered || attempt > 0) return status;
  }
}

Result<int64_t> PgStore::CountRevoked(std::string_view ca_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<int64_t> {
    return PgCount(conn,
                   "SELECT COUNT(*) FROM certificates "
                   "WHERE ca_id = $1 AND revoked_at_ms IS NOT NULL",
                   ca_id);
  });
}

Result<int64_t> PgStore::NextCrlNumber(std::string_view ca_id, int64_t at_least) {
  if (at_least < 0) return Status(ErrorCode::kInvalidArgs, "CRL number must not be negative");
  int64_t number = 0;
  Status status = writer_->Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(ca_id).Int64(at_least);
    Result<PgResult> rows = conn.Exec(kPgNextCrlNumberSql, params);
    if (!rows.ok()) {
      if (conn.last_sqlstate() == kPgForeignKeyViolation) return PgCaNotFound(ca_id);
      return rows.status();
    }
    // No row: the conflicting row is at INT64_MAX and was left alone.
    if (rows->rows() == 0) return Status(ErrorCode::kLimitExceeded, "CRL numbers exhausted");
    number = rows->Int64(0, 0);
    return Status::Ok();
  });
  RETURN_IF_ERROR(status);
  return number;
}

// --- CRL partitions ---

Status PgStore::InsertCrlPartition(const CrlPartitionRecord& partition) {
  if (partition.capacity < 0) {
    return Status(ErrorCode::kInvalidArgs, "CRL partition capacity must not be negative");
  }
  return writer_->Run([&](PgConnection& conn) -> Status {
    PgParams params;
    AddCrlPartitionParams(params, partition);
    Result<PgResult> done = conn.Exec(PgInsertCrlPartitionSql(), params);
    if (!done.ok() && conn.last_sqlstate() == kPgForeignKeyViolation) {
      return PgCaNotFound(partition.ca_id);
    }
    return done.status();
  });
}

Result<CrlPartitionRecord> PgStore::GetCrlPartition(std::string_view ca_id,
                                                    std::string_view partition_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<CrlPartitionRecord> {
    PgParams params;
    params.Text(ca_id).Text(partition_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgSelectCrlPartitionSql(), params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "CRL partition not found");
    return ReadCrlPartitionRow(rows, 0);
  });
}

Result<std::vector<CrlPartitionRecord>> PgStore::ListCrlPartitions(std::string_view ca_id) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<std::vector<CrlPartitionRecord>> {
    PgParams params;
    params.Text(ca_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgListCrlPartitionsSql(), params));
    std::vector<CrlPartitionRecord> partitions;
    partitions.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) partitions.push_back(ReadCrlPartitionRow(rows, r));
    return partitions;
  });
}

// --- Idempotency ---

Result<std::optional<IdempotencyClaim>> PgStore::FindIdempotencyClaim(std::string_view scope_key,
                                                                      int64_t now_ms) {
  return WithPgReader(*reads_, [&](PgConnection& conn) -> Result<std::optional<IdempotencyClaim>> {
    PgParams params;
    params.Text(scope_key).Int64(now_ms);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT scope_key, result, expires_at_ms FROM idempotency_claims "
                               "WHERE scope_key = $1 AND expires_at_ms > $2",
                               params));
    if (rows.rows() == 0) return std::optional<IdempotencyClaim>();
    return std::optional<IdempotencyClaim>(
        IdempotencyClaim{rows.String(0, 0), rows.String(0, 1), rows.Int64(0, 2)});
  });
}

Result<int64_t> PgStore::PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) {
  if (limit <= 0) return Status(ErrorCode::kInvalidArgs, "purge limit must be positive");
  int64_t deleted = 0;
  Status status = writer_->Run([&](PgConnection& conn) -> Status {
    // Bounded batches keep each write transaction short: issuance shares this writer. SKIP LOCKED
    // lets servers purging at once take different rows instead of waiting for each other.
    PgParams params;
    params.Int64(now_ms).Int64(limit);
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec("DELETE FROM idempotency_claims WHERE scope_key IN "
                               "(SELECT scope_key FROM idempotency_claims "
                               "WHERE expires_at_ms <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
                               params));
    deleted = done.affected_rows();
    return Status::Ok();
  });
  RETURN_IF_ERROR(status);
  return deleted;
}

}  // namespace openpca::store

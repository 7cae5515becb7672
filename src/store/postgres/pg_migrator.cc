#include "store/postgres/pg_migrator.h"

#include <optional>
#include <string>

namespace openpca::store {
namespace {

constexpr std::string_view kPgCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT NOT NULL PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at_ms BIGINT NOT NULL"
    ")";

// The recorded name of `version`, nullopt when that version is not applied.
Result<std::optional<std::string>> PgAppliedName(PgConnection& conn, int version) {
  PgParams params;
  params.Int64(version);
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec("SELECT name FROM schema_migrations WHERE version = $1", params));
  if (rows.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.String(0, 0));
}

Status PgCheckNotNewer(PgConnection& conn, std::span<const Migration> migrations) {
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  const int64_t newest = rows.rows() > 0 ? rows.Int64(0, 0) : 0;
  const int64_t known = migrations.empty() ? 0 : migrations.back().version;
  if (newest > known) {
    return InternalError("database schema version " + std::to_string(newest) +
                         " is newer than this binary supports (" + std::to_string(known) + ")");
  }
  return Status::Ok();
}

// Under the lock: the table exists, the database is not newer than us, and `m` is applied.
Status PgApplyLocked(PgConnection& conn, std::span<const Migration> migrations, const Migration& m,
                     int64_t now_ms) {
  PgParams key;
  key.Int64(kPgMigrationLockKey);
  RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_xact_lock($1)", key).status());
  RETURN_IF_ERROR(conn.Run(kPgCreateMigrationsTable));
  RETURN_IF_ERROR(PgCheckNotNewer(conn, migrations));
  ASSIGN_OR_RETURN(std::optional<std::string> applied, PgAppliedName(conn, m.version));
  if (applied.has_value()) {
    if (*applied != m.name) {
      return InternalError("schema migration " + std::to_string(m.version) + " is recorded as '" +
                           *applied + "' but this binary calls it '" + std::string(m.name) + "'");
    }
    return Status::Ok();
  }
  RETURN_IF_ERROR(conn.RunScript(std::string(m.sql)));
  PgParams row;
  row.Int64(m.version).Text(m.name).Int64(now_ms);
  return conn
      .Exec("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)", row)
      .status();
}

}  // namespace

Status ApplyPgMigrations(PgConnection& conn, std::span<const Migration> migrations,
                         int64_t now_ms) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    OPENPCA_CHECK(i == 0 ? migrations[i].version == 1
                         : migrations[i].version > migrations[i - 1].version);
  }
  for (const Migration& m : migrations) {
    RETURN_IF_ERROR(conn.Run("BEGIN"));
    Status status = PgApplyLocked(conn, migrations, m, now_ms);
    if (status.ok()) status = conn.Run("COMMIT");
    if (!status.ok()) {
      if (!conn.broken() && conn.transaction_status() != PQTRANS_IDLE) {
        // The failure being reported matters more than a failed rollback.
        (void)conn.Run("ROLLBACK");
      }
      return status;
    }
  }
  return Status::Ok();
}

}  // namespace openpca::store

#include "store/sqlite/sqlite_migrator.h"

#include <optional>
#include <string>

namespace openpca::store {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at_ms INTEGER NOT NULL"
    ") STRICT";

// The recorded name of `version`, nullopt when that version is not applied.
Result<std::optional<std::string>> AppliedName(SqliteConnection& conn, int version) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT name FROM schema_migrations WHERE version = ?1"));
  stmt.BindInt64(1, version);
  ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return std::optional<std::string>();
  return std::optional<std::string>(stmt.ColumnText(0));
}

Status CheckNotNewer(SqliteConnection& conn, std::span<const Migration> migrations) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  int64_t newest = has_row ? stmt.ColumnInt64(0) : 0;
  const int64_t known = migrations.empty() ? 0 : migrations.back().version;
  if (newest > known) {
    return InternalError("database schema version " + std::to_string(newest) +
                         " is newer than this binary supports (" +
                         std::to_string(known) + ")");
  }
  return Status::Ok();
}

Status ApplyOne(SqliteConnection& conn, const Migration& m, int64_t now_ms) {
  ASSIGN_OR_RETURN(std::optional<std::string> applied, AppliedName(conn, m.version));
  if (applied.has_value()) {
    if (*applied != m.name) {
      return InternalError("schema migration " + std::to_string(m.version) + " is recorded as '" +
                           *applied + "' but this binary calls it '" + std::string(m.name) + "'");
    }
    return Status::Ok();
  }
  RETURN_IF_ERROR(conn.ExecuteScript(std::string(m.sql)));
  ASSIGN_OR_RETURN(SqliteStatement insert,
                   conn.Prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) "
                                "VALUES (?1, ?2, ?3)"));
  insert.BindInt64(1, m.version).BindText(2, m.name).BindInt64(3, now_ms);
  return insert.Run();
}

// Runs `body` in BEGIN IMMEDIATE ... COMMIT, rolling back on any failure.
template <typename Body>
Status InWriteTransaction(SqliteConnection& conn, Body body) {
  RETURN_IF_ERROR(conn.Execute("BEGIN IMMEDIATE"));
  Status status = body();
  if (status.ok()) status = conn.Execute("COMMIT");
  if (!status.ok() && !conn.autocommit()) {
    // The failure being reported matters more than a failed rollback.
    (void)conn.Execute("ROLLBACK");
  }
  return status;
}

}  // namespace

Status ApplySqliteMigrations(SqliteConnection& conn, std::span<const Migration> migrations,
                             int64_t now_ms) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    OPENPCA_CHECK(i == 0 ? migrations[i].version == 1
                         : migrations[i].version > migrations[i - 1].version);
  }
  RETURN_IF_ERROR(conn.Execute(kCreateMigrationsTable));
  RETURN_IF_ERROR(CheckNotNewer(conn, migrations));
  for (const Migration& m : migrations) {
    // Checked again inside each transaction: another process may have applied it meanwhile.
    RETURN_IF_ERROR(InWriteTransaction(conn, [&] {
      RETURN_IF_ERROR(CheckNotNewer(conn, migrations));
      return ApplyOne(conn, m, now_ms);
    }));
  }
  return Status::Ok();
}

}  // namespace openpca::store

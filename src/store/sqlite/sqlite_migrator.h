// Applies numbered schema migrations (store/migration.h) to a SQLite database.
//
// Each missing migration runs in its own BEGIN IMMEDIATE transaction together with its row in
// schema_migrations(version, name, applied_at_ms), so a crash leaves the database at a whole
// version, and two processes opening the same file at once apply each migration once.
// Stateless; the connection must not be in use by another thread during the call.
#pragma once

#include <cstdint>
#include <span>

#include "common/status.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

// Brings the database up to the last of `migrations` (versions 1..N in order).
// Errors: kInternal on any sqlite failure, when the database records a version newer than N
// (written by a newer binary), or when a recorded version has a different name than ours.
Status ApplySqliteMigrations(SqliteConnection& conn, std::span<const Migration> migrations,
                             int64_t now_ms);

}  // namespace openpca::store

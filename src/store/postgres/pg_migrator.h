// Applies numbered schema migrations (store/migration.h) to a PostgreSQL database.
//
// Each missing migration runs in its own transaction together with its row in
// schema_migrations(version, name, applied_at_ms), so a failure leaves the database at a whole
// version. Every transaction first takes a transaction-level advisory lock on a fixed key
// (kPgMigrationLockKey), so servers starting at once against one database apply each migration
// once and never see a half-created schema_migrations table.
// Stateless; the connection must not be in use by another thread during the call.
#pragma once

#include <cstdint>
#include <span>

#include "common/status.h"
#include "store/migration.h"
#include "store/postgres/pg_connection.h"

namespace openpca::store {

// pg_advisory_xact_lock key of schema migrations: "openpca" in ASCII.
inline constexpr int64_t kPgMigrationLockKey = 0x6f70656e706361;

// Brings the database up to the last of `migrations` (versions increasing from 1).
// Errors: kInternal on any server failure, when the database records a version newer than the
// last of `migrations` (written by a newer binary), or when a recorded version has a different
// name than ours.
Status ApplyPgMigrations(PgConnection& conn, std::span<const Migration> migrations, int64_t now_ms);

}  // namespace openpca::store

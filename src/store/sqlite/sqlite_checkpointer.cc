#include "store/sqlite/sqlite_checkpointer.h"

namespace openpca::store {

Result<std::unique_ptr<SqliteCheckpointer>> SqliteCheckpointer::Start(
    const std::string& path, std::chrono::milliseconds interval, int busy_timeout_ms) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                   SqliteConnection::Open(path, /*create=*/false, busy_timeout_ms));
  return std::unique_ptr<SqliteCheckpointer>(new SqliteCheckpointer(std::move(conn), interval));
}

SqliteCheckpointer::SqliteCheckpointer(std::unique_ptr<SqliteConnection> conn,
                                       std::chrono::milliseconds interval)
    : conn_(std::move(conn)), thread_("sqlite-ckpt", interval, [this] { Checkpoint(); }) {}

void SqliteCheckpointer::Checkpoint() {
  // A busy or failed checkpoint is retried at the next interval; the writer's fallback
  // checkpoint bounds the WAL meanwhile.
  if (conn_->ExecuteScript("PRAGMA wal_checkpoint(PASSIVE)").ok()) checkpoints_.fetch_add(1);
}

}  // namespace openpca::store

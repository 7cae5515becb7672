#include "store/sqlite/sqlite_checkpointer.h"

#include <condition_variable>
#include <mutex>

namespace openpca::store {

Result<std::unique_ptr<SqliteCheckpointer>> SqliteCheckpointer::Start(
    const std::string& path, std::chrono::milliseconds interval, int busy_timeout_ms) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                   SqliteConnection::Open(path, /*create=*/false, busy_timeout_ms));
  std::unique_ptr<SqliteCheckpointer> checkpointer(new SqliteCheckpointer(std::move(conn)));
  SqliteCheckpointer* self = checkpointer.get();
  checkpointer->thread_ = std::jthread([self, interval](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    std::unique_lock lock(mu);
    while (!stop.stop_requested()) {
      wake.wait_for(lock, stop, interval, [] { return false; });
      if (stop.stop_requested()) return;
      // A busy or failed checkpoint is retried at the next interval; the writer's fallback
      // checkpoint bounds the WAL meanwhile.
      if (self->conn_->ExecuteScript("PRAGMA wal_checkpoint(PASSIVE)").ok()) {
        self->checkpoints_.fetch_add(1);
      }
    }
  });
  return checkpointer;
}

SqliteCheckpointer::~SqliteCheckpointer() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace openpca::store

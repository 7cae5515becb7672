// SqliteCheckpointer: copies the WAL's committed pages into the database file from a thread of
// its own, so that the writer's commits do not.
//
// In WAL mode SQLite checkpoints inside a commit once the WAL passes wal_autocheckpoint pages:
// the writer thread (SqliteWriter) then copies and syncs the database file while every caller
// of its batch waits. Here a connection of its own runs a PASSIVE checkpoint every `interval`
// (it never waits for readers or writers, and commits go on while it runs); the writer's
// connection keeps an automatic checkpoint at kWriterFallbackPages only, for a checkpointer
// that falls behind. Durability is unchanged: a page leaves the WAL only once the database
// file holding it has been synced, whoever checkpoints. Thread-safe; stops in its destructor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/periodic.h"
#include "common/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

class SqliteCheckpointer {
 public:
  // The writer connection's wal_autocheckpoint while a checkpointer runs (about 40 MB of WAL).
  static constexpr int kWriterFallbackPages = 10000;

  // Opens its own connection to `path` (an existing WAL database). Errors: kInternal.
  static Result<std::unique_ptr<SqliteCheckpointer>> Start(const std::string& path,
                                                          std::chrono::milliseconds interval,
                                                          int busy_timeout_ms);
  ~SqliteCheckpointer() = default;  // stops the thread first
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Checkpoints run so far (for tests).
  int64_t checkpoints() const { return checkpoints_.load(); }

 private:
  SqliteCheckpointer(std::unique_ptr<SqliteConnection> conn, std::chrono::milliseconds interval);
  void Checkpoint();

  std::unique_ptr<SqliteConnection> conn_;  // used by the thread only
  std::atomic<int64_t> checkpoints_{0};
  Periodic thread_;  // last: starts after every other member is ready
};

}  // namespace openpca::store

// SqliteReadPool: the read connections of a SqliteStore.
//
// Opens connections lazily, up to max_connections, each with PRAGMA query_only so a read path can
// never write. In WAL mode readers see the last committed state and never wait for the writer's
// commits. A caller holds a connection through a Lease and returns it by destroying the Lease;
// when all are leased, Acquire() waits for one. Thread-safe; a leased connection is used by its
// holder alone. The pool must outlive its leases.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

class SqliteReadPool {
 public:
  class Lease {
   public:
    Lease(SqliteReadPool* pool, std::unique_ptr<SqliteConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqliteConnection& operator*() const { return *conn_; }
    SqliteConnection* operator->() const { return conn_.get(); }

   private:
    SqliteReadPool* pool_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  SqliteReadPool(std::string path, int max_connections, int busy_timeout_ms);
  SqliteReadPool(const SqliteReadPool&) = delete;
  SqliteReadPool& operator=(const SqliteReadPool&) = delete;

  // An idle connection, a new one, or (at the limit) the next one released.
  // Errors: kInternal when a new connection cannot be opened.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqliteConnection> conn);
  Result<std::unique_ptr<SqliteConnection>> OpenConnection() const;

  const std::string path_;
  const int max_connections_;
  const int busy_timeout_ms_;

  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                         // guarded by mu_; idle + leased
};

// Runs fn(connection) on a connection leased from `pool` for the call; a failure to lease is
// returned as fn's result type.
template <typename Fn>
auto WithReader(SqliteReadPool& pool, Fn fn) -> decltype(fn(std::declval<SqliteConnection&>())) {
  ASSIGN_OR_RETURN(SqliteReadPool::Lease lease, pool.Acquire());
  return fn(*lease);
}

}  // namespace openpca::store

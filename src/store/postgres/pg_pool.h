// PgPool: the read connections of a PgStore.
//
// Opens connections lazily, up to max_connections, each with default_transaction_read_only on,
// so a read path can never write. A caller holds a connection through a Lease and returns it by
// destroying the Lease; when all are leased, Acquire() waits for one. A connection that broke
// while leased is closed on return, and an idle one that the server closed (restart, terminated
// backend) is replaced at the next Acquire(), so the pool heals by itself.
// Thread-safe; a leased connection is used by its holder alone. The pool must outlive its leases.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_connection.h"

namespace openpca::store {

class PgPool {
 public:
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // WARNING: `conninfo` may hold a password; it is kept in memory only, never logged.
  PgPool(std::string conninfo, int max_connections);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A healthy idle connection, a new one, or (at the limit) the next one released.
  // Errors: kInternal when a new connection cannot be opened.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string conninfo_;
  const int max_connections_;

  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                     // guarded by mu_; idle + leased
};

// Runs fn(connection) on a leased connection. When fn fails because the connection was lost (the
// server restarted or ended that session) the call is repeated once on a new connection: reads
// have no effect to repeat. A failure to lease is returned as fn's result type.
template <typename Fn>
auto WithPgReader(PgPool& pool, Fn fn) -> decltype(fn(std::declval<PgConnection&>())) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(PgPool::Lease lease, pool.Acquire());
    auto result = fn(*lease);
    if (result.ok() || !lease->broken() || attempt > 0) return result;
  }
}

}  // namespace openpca::store

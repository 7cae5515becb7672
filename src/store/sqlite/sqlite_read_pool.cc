#include "store/sqlite/sqlite_read_pool.h"

#include <utility>

namespace openpca::store {

SqliteReadPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

SqliteReadPool::SqliteReadPool(std::string path, int max_connections, int busy_timeout_ms)
    : path_(std::move(path)),
      max_connections_(max_connections > 0 ? max_connections : 1),
      busy_timeout_ms_(busy_timeout_ms) {}

Result<SqliteReadPool::Lease> SqliteReadPool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    released_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      std::unique_ptr<SqliteConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserve the slot; opening happens outside the lock
  }
  Result<std::unique_ptr<SqliteConnection>> conn = OpenConnection();
  if (!conn.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    released_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

void SqliteReadPool::Release(std::unique_ptr<SqliteConnection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(conn));
  }
  released_.notify_one();
}

Result<std::unique_ptr<SqliteConnection>> SqliteReadPool::OpenConnection() const {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                   SqliteConnection::Open(path_, /*create=*/false, busy_timeout_ms_));
  RETURN_IF_ERROR(conn->Execute("PRAGMA query_only = ON"));
  return conn;
}

}  // namespace openpca::store

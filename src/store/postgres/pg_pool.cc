#include "store/postgres/pg_pool.h"

#include <utility>

namespace openpca::store {

PgPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

PgPool::PgPool(std::string conninfo, int max_connections)
    : conninfo_(std::move(conninfo)), max_connections_(max_connections > 0 ? max_connections : 1) {}

Result<PgPool::Lease> PgPool::Acquire() {
  std::unique_ptr<PgConnection> stale;  // closed outside the lock
  {
    std::unique_lock<std::mutex> lock(mu_);
    released_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->LooksHealthy()) return Lease(this, std::move(conn));
      // Replace it: its slot stays reserved for the new connection.
      stale = std::move(conn);
    } else {
      ++open_;  // reserve the slot; connecting happens outside the lock
    }
  }
  stale.reset();
  Result<std::unique_ptr<PgConnection>> conn =
      PgConnection::Connect(conninfo_, "SET default_transaction_read_only = on");
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

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  std::unique_ptr<PgConnection> closed;  // closed outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A broken connection, or one left inside a transaction (a bug's or a lost one's), is not
    // reused: its slot is freed for a new connection.
    if (conn->broken() || conn->transaction_status() != PQTRANS_IDLE) {
      closed = std::move(conn);
      --open_;
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  released_.notify_one();
}

}  // namespace openpca::store

#include "server/housekeeping.h"

#include <utility>

namespace openpca::server {

Housekeeping::Housekeeping(store::Store& store, const Clock& clock,
                           std::chrono::milliseconds interval,
                           std::shared_ptr<spdlog::logger> logger)
    : store_(store), clock_(clock), interval_(interval), logger_(std::move(logger)) {}

Housekeeping::~Housekeeping() { Stop(); }

void Housekeeping::Start() { thread_ = std::thread([this] { Loop(); }); }

void Housekeeping::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int64_t> Housekeeping::RunOnce() {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             clock_.Now().time_since_epoch())
                             .count();
  int64_t total = 0;
  for (int batch = 0; batch < kMaxBatchesPerPass; ++batch) {
    ASSIGN_OR_RETURN(int64_t deleted, store_.PurgeExpiredIdempotencyClaims(now_ms, kBatchSize));
    total += deleted;
    if (deleted < kBatchSize) break;
  }
  return total;
}

void Housekeeping::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<int64_t> purged = MayRun(leadership_, "housekeeping") ? RunOnce() : 0;
    if (!purged.ok()) {
      logger_->warn("housekeeping: purging expired idempotency claims failed: {}",
                    purged.status().message());
    } else if (*purged > 0) {
      logger_->info("housekeeping: purged {} expired idempotency claims", *purged);
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace openpca::server

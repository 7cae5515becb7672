#include "server/housekeeping.h"

#include <utility>

#include "common/thread_name.h"

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

namespace {

// Purges in batches of `batch_size` until a batch comes back short or `max_batches` ran.
template <typename PurgeBatch>
Result<int64_t> PurgeInBatches(PurgeBatch purge, int batch_size, int max_batches) {
  int64_t total = 0;
  for (int batch = 0; batch < max_batches; ++batch) {
    ASSIGN_OR_RETURN(int64_t deleted, purge(batch_size));
    total += deleted;
    if (deleted < batch_size) break;
  }
  return total;
}

}  // namespace

Result<int64_t> Housekeeping::RunOnce() {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             clock_.Now().time_since_epoch())
                             .count();
  auto pca = [&](int limit) { return store_.PurgeExpiredIdempotencyClaims(now_ms, limit); };
  ASSIGN_OR_RETURN(int64_t total, PurgeInBatches(pca, kBatchSize, kMaxBatchesPerPass));
  if (acm_ != nullptr) {
    auto acm = [&](int limit) { return acm_->PurgeExpiredIdempotencyClaims(now_ms, limit); };
    ASSIGN_OR_RETURN(int64_t acm_total, PurgeInBatches(acm, kBatchSize, kMaxBatchesPerPass));
    total += acm_total;
  }
  return total;
}

void Housekeeping::Loop() {
  NameThisThread("housekeeping");
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

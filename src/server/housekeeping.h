// Housekeeping: periodic clean-up of state whose purpose has passed. Today: idempotency claims
// whose window is over (a retry with the same token after the window is a new request, so the
// claim is dead weight), those of acm-pca (Store) and those of ACM (AcmStore). One background
// thread; Stop() (or the destructor) joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "common/clock.h"
#include "common/leadership.h"
#include "common/status.h"
#include "store/acm_store.h"
#include "store/store.h"

namespace openpca::server {

class Housekeeping {
 public:
  Housekeeping(store::Store& store, const Clock& clock, std::chrono::milliseconds interval,
               std::shared_ptr<spdlog::logger> logger);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // Servers sharing a database: passes run only on the holder of job "housekeeping". Before
  // Start(); not owned. Null (the default): always.
  void SetLeadership(Leadership* leadership) { leadership_ = leadership; }
  // ACM's idempotency claims are purged in the same pass. Before Start(); not owned. Null (the
  // default): only acm-pca's.
  void SetAcmStore(store::AcmStore* acm) { acm_ = acm; }

  void Start();
  void Stop();

  // One pass: deletes expired claims in bounded batches (per store at most kMaxBatchesPerPass
  // of kBatchSize, so one pass never holds the writer long). Returns how many were deleted.
  Result<int64_t> RunOnce();

  static constexpr int kBatchSize = 1000;
  static constexpr int kMaxBatchesPerPass = 100;

 private:
  void Loop();

  store::Store& store_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::shared_ptr<spdlog::logger> logger_;
  Leadership* leadership_ = nullptr;
  store::AcmStore* acm_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace openpca::server

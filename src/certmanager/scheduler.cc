#include "certmanager/scheduler.h"

#include <spdlog/spdlog.h>

#include "certmanager/expiry_monitor.h"
#include "common/thread_name.h"

namespace openpca::certmanager {

void AcmScheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void AcmScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AcmScheduler::RunOnce() {
  // Renewals first: a certificate renewed now needs no expiry warning today.
  int attempted = 0;
  for (int round = 0; round < 1000; ++round) {
    Result<int> renewed = manager_.RenewDue(options_.batch);
    if (!renewed.ok()) {
      spdlog::error("acm: managed renewal pass failed: {}", renewed.status().message());
      break;
    }
    attempted += *renewed;
    if (*renewed < options_.batch) break;
  }
  Result<int> events = PublishApproachingExpiration(manager_, options_.batch * 100);
  if (!events.ok()) {
    spdlog::error("acm: expiry events pass failed: {}", events.status().message());
  }
  // One line per pass (hourly by default): operators and tests see that it ran.
  spdlog::info("acm: scheduler pass done: {} renewal(s) attempted, {} expiry event(s)", attempted,
               events.ok() ? *events : 0);
}

void AcmScheduler::Loop() {
  NameThisThread("acm-renewals");
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    if (MayRun(options_.leadership, "acm-renewal")) RunOnce();
    lock.lock();
    cv_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

}  // namespace openpca::certmanager

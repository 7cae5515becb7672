// LeaseLeadership: Leadership over database leases (store/lease_store.h), one lease per job.
//
// Holds(job) answers from what it last learned while more than half of the lease term is left,
// and otherwise takes or renews the lease first. A holder that dies stops renewing: another
// server takes the job within one term (default 30 s) of its last renewal. Should a renewal fail
// (database unreachable), the answer is no until one succeeds. Stop() releases every held lease
// so that an orderly shutdown hands the jobs over at once. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/logger.h>

#include "common/clock.h"
#include "common/leadership.h"
#include "store/lease_store.h"

namespace openpca::server {

class LeaseLeadership final : public Leadership {
 public:
  LeaseLeadership(store::LeaseStore& leases, std::string holder, const Clock& clock,
                  std::chrono::milliseconds term, std::shared_ptr<spdlog::logger> logger);
  ~LeaseLeadership() override { Stop(); }
  LeaseLeadership(const LeaseLeadership&) = delete;
  LeaseLeadership& operator=(const LeaseLeadership&) = delete;

  bool Holds(std::string_view job) override;
  // Releases the leases held; later calls to Holds() answer no.
  void Stop();

  const std::string& holder() const { return holder_; }

 private:
  store::LeaseStore& leases_;
  const std::string holder_;
  const Clock& clock_;
  const int64_t term_ms_;
  std::shared_ptr<spdlog::logger> logger_;

  std::mutex mu_;
  std::map<std::string, int64_t, std::less<>> held_until_ms_;  // guarded by mu_
  bool stopped_ = false;                                      // guarded by mu_
};

}  // namespace openpca::server

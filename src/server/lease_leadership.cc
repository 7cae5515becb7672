#include "server/lease_leadership.h"

#include <utility>

namespace openpca::server {

LeaseLeadership::LeaseLeadership(store::LeaseStore& leases, std::string holder,
                                 const Clock& clock, std::chrono::milliseconds term,
                                 std::shared_ptr<spdlog::logger> logger)
    : leases_(leases),
      holder_(std::move(holder)),
      clock_(clock),
      term_ms_(term.count() > 0 ? term.count() : 1),
      logger_(std::move(logger)) {
  OPENPCA_CHECK(logger_ != nullptr);
}

bool LeaseLeadership::Holds(std::string_view job) {
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  const int64_t now = ToUnixMillis(clock_.Now());
  auto it = held_until_ms_.find(job);
  if (it != held_until_ms_.end() && it->second - now > term_ms_ / 2) return true;
  auto lease = leases_.AcquireLease(job, holder_, now, term_ms_);
  if (!lease.ok()) {
    logger_->error("{{\"event\":\"lease_unavailable\",\"job\":\"{}\",\"what\":\"{}\"}}", job,
                   lease.status().message());
    if (it != held_until_ms_.end()) held_until_ms_.erase(it);
    return false;
  }
  if (!lease->has_value()) {
    if (it != held_until_ms_.end()) {
      logger_->warn("{{\"event\":\"lease_lost\",\"job\":\"{}\"}}", job);
      held_until_ms_.erase(it);
    }
    return false;
  }
  if (it == held_until_ms_.end()) {
    logger_->info("{{\"event\":\"lease_taken\",\"job\":\"{}\",\"fencing_token\":{}}}", job,
                  (*lease)->fencing_token);
  }
  held_until_ms_[std::string(job)] = (*lease)->expires_at_ms;
  return true;
}

void LeaseLeadership::Stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  for (const auto& [job, until] : held_until_ms_) {
    Status st = leases_.ReleaseLease(job, holder_);
    if (!st.ok()) {
      logger_->warn("{{\"event\":\"lease_release_failed\",\"job\":\"{}\",\"what\":\"{}\"}}", job,
                    st.message());
    }
  }
  held_until_ms_.clear();
}

}  // namespace openpca::server

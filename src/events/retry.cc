#include "events/retry.h"

#include <algorithm>

namespace openpca::events {

RetryPolicy RetryPolicy::FromTarget(const nlohmann::json& target) {
  RetryPolicy p;
  auto it = target.find("RetryPolicy");
  if (it == target.end() || !it->is_object()) return p;
  if (auto a = it->find("MaximumRetryAttempts"); a != it->end() && a->is_number_integer()) {
    p.max_retry_attempts = a->get<int64_t>();
  }
  if (auto a = it->find("MaximumEventAgeInSeconds"); a != it->end() && a->is_number_integer()) {
    p.max_event_age_seconds = a->get<int64_t>();
  }
  return p;
}

std::optional<int64_t> NextAttemptMs(const RetryPolicy& policy, const Backoff& backoff,
                                     int64_t failures, int64_t accepted_ms, int64_t now_ms) {
  // `failures` attempts were made: the first and failures-1 retries.
  if (failures - 1 >= policy.max_retry_attempts) return std::nullopt;
  const int64_t base = std::max<int64_t>(backoff.base.count(), 1);
  const int64_t cap = std::max<int64_t>(backoff.max_delay.count(), base);
  int64_t delay = base;
  for (int64_t i = 1; i < failures && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  const int64_t next = now_ms + delay;
  if (next > accepted_ms + policy.max_event_age_seconds * 1000) return std::nullopt;
  return next;
}

}  // namespace openpca::events

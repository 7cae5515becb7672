// When a failed delivery is tried again, and when it is given up (dead-lettered).
//
// A target's RetryPolicy (PutTargets) bounds a delivery by retries (MaximumRetryAttempts, 0..185,
// default 185) and by the event's age (MaximumEventAgeInSeconds, 60..86400, default 86400), as on
// EventBridge. Between attempts openpca waits base * 2^(failures-1), capped at max_delay (no
// jitter: one worker delivers serially). A delivery is given up when its retries are used up or
// when the next attempt would fall after the age bound.
// Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace openpca::events {

struct RetryPolicy {
  int64_t max_retry_attempts = 185;
  int64_t max_event_age_seconds = 86400;

  // The RetryPolicy member of a Target (defaults for absent members).
  static RetryPolicy FromTarget(const nlohmann::json& target);
};

struct Backoff {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds max_delay{std::chrono::minutes(5)};
};

// After `failures` failed attempts (>= 1) of a delivery accepted at `accepted_ms`, the failure
// being at `now_ms`: the time of the next attempt, or nullopt to give up.
std::optional<int64_t> NextAttemptMs(const RetryPolicy& policy, const Backoff& backoff,
                                     int64_t failures, int64_t accepted_ms, int64_t now_ms);

}  // namespace openpca::events

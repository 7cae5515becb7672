#include "events/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/thread_name.h"
#include "events/envelope.h"
#include "events/invocation.h"

namespace openpca::events {
namespace {

using nlohmann::json;

bool Retryable(int status) {
  return status == 401 || status == 407 || status == 409 || status == 429 || status >= 500;
}

}  // namespace

DeliveryWorker::DeliveryWorker(store::EventsStore& store, const keys::SecretBox& box,
                               HttpSender& sender, DeadLetterLog& dead_letters, const Clock& clock,
                               DeliveryOptions options)
    : store_(store),
      box_(box),
      sender_(sender),
      dead_letters_(dead_letters),
      clock_(clock),
      options_(options) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

size_t DeliveryWorker::RunOnce() {
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  Result<std::vector<store::EventDeliveryRecord>> due =
      store_.DueDeliveries(now_ms, options_.batch);
  if (!due.ok()) {
    spdlog::error("events: cannot read the delivery queue: {}", due.status().message());
    return 0;
  }
  for (const store::EventDeliveryRecord& d : *due) {
    std::string error;
    Outcome outcome = Deliver(d, error, now_ms);
    Finish(d, outcome, error, ToUnixMillis(clock_.Now()));
  }
  return due->size();
}

DeliveryWorker::Outcome DeliveryWorker::Deliver(const store::EventDeliveryRecord& d,
                                                std::string& error, int64_t now_ms) {
  auto destination = store_.GetApiDestinationByArn(d.target_arn);
  if (!destination.ok()) {
    error = destination.status().message();
    return Outcome::kRetry;
  }
  if (!destination->has_value()) {
    error = "the API destination " + d.target_arn + " does not exist";
    return Outcome::kDead;
  }
  const store::ApiDestinationRecord& dest = **destination;
  auto connection = store_.GetConnectionByArn(dest.connection_arn);
  if (!connection.ok()) {
    error = connection.status().message();
    return Outcome::kRetry;
  }
  if (!connection->has_value()) {
    error = "the connection " + dest.connection_arn + " does not exist";
    return Outcome::kDead;
  }
  // Rate limit: at most InvocationRateLimitPerSecond invocations per second per destination.
  const int64_t rate =
      std::max<int64_t>(dest.document.value("InvocationRateLimitPerSecond", 300), 1);
  int64_t& next_allowed = next_allowed_ms_[dest.arn];
  if (next_allowed > now_ms) return Outcome::kDeferred;
  next_allowed = now_ms + std::max<int64_t>(1000 / rate, 1);

  const store::EventConnectionRecord& conn = **connection;
  Result<Bytes> secret = box_.Open(conn.sealed_secret, ConnectionSecretAad(conn.arn));
  if (!secret.ok()) {
    error = "the connection's secret cannot be unsealed";
    return Outcome::kDead;
  }
  InvocationParts parts;
  parts.destination = dest.document;
  parts.connection = conn.document;
  parts.authorization_type = conn.authorization_type;
  parts.secret = json::parse(secret->begin(), secret->end(), nullptr, false);
  if (!parts.secret.is_object()) parts.secret = json::object();
  parts.target = json::parse(d.target, nullptr, false);
  if (!parts.target.is_object()) parts.target = json::object();
  parts.envelope = json::parse(d.envelope, nullptr, false);
  Result<HttpCall> call = BuildInvocation(parts);
  if (!call.ok()) {
    error = call.status().message();
    return Outcome::kDead;
  }
  call->timeout = options_.http_timeout;
  Result<int> status = sender_.Send(*call);
  if (!status.ok()) {
    error = status.status().message();
    return Outcome::kRetry;
  }
  if (*status >= 200 && *status < 300) return Outcome::kDelivered;
  error = "HTTP " + std::to_string(*status);
  return Retryable(*status) ? Outcome::kRetry : Outcome::kDead;
}

void DeliveryWorker::Finish(const store::EventDeliveryRecord& d, Outcome outcome,
                            const std::string& error, int64_t now_ms) {
  Status st;
  std::string reason = error;
  switch (outcome) {
    case Outcome::kDelivered:
      st = store_.CompleteDelivery(d.id);
      break;
    case Outcome::kDeferred: {
      int64_t at = next_allowed_ms_[d.target_arn];
      st = store_.RescheduleDelivery(d.id, d.attempts, std::max(at, now_ms + 1), d.last_error);
      break;
    }
    case Outcome::kRetry: {
      const int64_t failures = d.attempts + 1;
      json target = json::parse(d.target, nullptr, false);
      std::optional<int64_t> next =
          NextAttemptMs(RetryPolicy::FromTarget(target.is_object() ? target : json::object()),
                        options_.backoff, failures, d.accepted_at_ms, now_ms);
      if (next.has_value()) {
        spdlog::info("events: delivery {} to {} failed ({}), attempt {}; next in {} ms", d.id,
                     d.target_arn, error, failures, *next - now_ms);
        st = store_.RescheduleDelivery(d.id, failures, *next, error);
        break;
      }
      reason = "retries exhausted; last error: " + error;
      [[fallthrough]];
    }
    case Outcome::kDead: {
      json record = {
          {"time", IsoTime(now_ms)},    {"delivery_id", d.id},
          {"rule_arn", d.rule_arn},     {"target_id", d.target_id},
          {"target_arn", d.target_arn}, {"attempts", d.attempts + 1},
          {"reason", reason},           {"event", json::parse(d.envelope, nullptr, false)}};
      st = dead_letters_.Append(record);
      if (st.ok()) {
        st = store_.CompleteDelivery(d.id);
      } else {
        // Keep it queued rather than lose it; try again later.
        (void)store_.RescheduleDelivery(d.id, d.attempts + 1,
                                        now_ms + options_.backoff.max_delay.count(), reason);
      }
      break;
    }
  }
  if (!st.ok()) spdlog::error("events: delivery {}: {}", d.id, st.message());
}

void DeliveryWorker::Loop() {
  NameThisThread("events-delivery");
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      woken_ = false;
    }
    const bool mine = MayRun(options_.leadership, "events-delivery");
    if (mine) RunOnce();
    std::chrono::milliseconds wait = options_.idle_poll;
    Result<std::optional<int64_t>> next = store_.NextDeliveryDueMs();
    if (mine && next.ok() && next->has_value()) {
      const int64_t delta = **next - ToUnixMillis(clock_.Now());
      wait = std::clamp(std::chrono::milliseconds(delta), std::chrono::milliseconds(0),
                        options_.idle_poll);
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (wait.count() > 0) cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
    if (stop_) return;
  }
}

}  // namespace openpca::events

// DeliveryWorker: sends queued deliveries (EventsStore) to their API destinations, one thread.
//
// For each due delivery: the target's API destination and its connection are read, the
// connection's secret unsealed, and the request built (invocation.h) and sent with a 5 s timeout
// (EventBridge's). A 2xx ends the delivery. 401, 407, 409, 429, 5xx and no response are retried
// as the target's RetryPolicy allows (retry.h), other statuses are not (as EventBridge); a
// delivery that cannot be retried, or whose destination or connection is gone, goes to the
// dead-letter log. A delivery is removed only after the target answered 2xx or it was
// dead-lettered: at-least-once. Each destination is invoked at most
// InvocationRateLimitPerSecond times per second (deliveries beyond wait).
//
// Thread-safe. Stop() (or the destructor) joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/leadership.h"
#include "events/dead_letter.h"
#include "events/http_client.h"
#include "events/retry.h"
#include "keys/secret_box.h"
#include "store/events_store.h"

namespace openpca::events {

struct DeliveryOptions {
  Backoff backoff;
  std::chrono::milliseconds http_timeout{5000};
  size_t batch = 32;
  // The longest the thread sleeps without looking at the queue (a due time may also come from
  // another process's clock after a restart).
  std::chrono::milliseconds idle_poll{std::chrono::seconds(5)};
  // Servers sharing a database: only the holder of job "events-delivery" delivers the queue
  // (the others' queued events wait for it), so a due event is sent by one server. Null: always.
  Leadership* leadership = nullptr;
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::EventsStore& store, const keys::SecretBox& box, HttpSender& sender,
                 DeadLetterLog& dead_letters, const Clock& clock, DeliveryOptions options);
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start();
  void Stop();
  // Something was queued: look at the queue now.
  void Wake();

  // Handles every delivery due now, once. Returns how many were attempted. For tests and the
  // thread.
  size_t RunOnce();

 private:
  enum class Outcome { kDelivered, kRetry, kDead, kDeferred };
  Outcome Deliver(const store::EventDeliveryRecord& d, std::string& error, int64_t now_ms);
  void Finish(const store::EventDeliveryRecord& d, Outcome outcome, const std::string& error,
              int64_t now_ms);
  void Loop();

  store::EventsStore& store_;
  const keys::SecretBox& box_;
  HttpSender& sender_;
  DeadLetterLog& dead_letters_;
  const Clock& clock_;
  DeliveryOptions options_;

  std::map<std::string, int64_t> next_allowed_ms_;  // destination ARN → rate limit; thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace openpca::events

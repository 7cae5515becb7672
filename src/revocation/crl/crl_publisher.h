// CrlPublisher: keeps every CRL-enabled CA's complete CRL current in its bucket. A background
// thread regenerates a CA's CRL a short delay after a change (revocation, new CA certificate,
// configuration update; AWS takes up to 30 minutes, openpca seconds) and again once half of the
// CRL's validity has passed, so a relying party never holds an expired CRL. CRL numbers come from
// Store::NextCrlNumber (epoch milliseconds, strictly increasing across restarts).
// Thread-safe; Stop() (or the destructor) joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "keys/key_store.h"
#include "objects/bucket_store.h"
#include "store/store.h"

namespace openpca::revocation {

struct CrlPublisherOptions {
  std::string account_id;
  std::chrono::milliseconds regenerate_delay{std::chrono::seconds(2)};
  std::chrono::milliseconds sweep_interval{std::chrono::seconds(60)};
};

class CrlPublisher {
 public:
  CrlPublisher(store::Store& store, keys::KeyStore& keys, objects::BucketStore& buckets,
               const Clock& clock, CrlPublisherOptions options);
  ~CrlPublisher();

  void Start();
  void Stop();
  // Schedules the CA's CRL for regeneration after the configured delay.
  void Notify(const std::string& ca_id);
  // Builds, signs and writes the CA's CRL now. Does nothing (OK) when the CA has no CRL to
  // publish (CRL disabled, no CA certificate, or a state that publishes none).
  // Errors: those of the store, key store, builder and bucket store.
  Status PublishNow(const std::string& ca_id);

 private:
  void Run();
  void Sweep();

  store::Store& store_;
  keys::KeyStore& keys_;
  objects::BucketStore& buckets_;
  const Clock& clock_;
  CrlPublisherOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::string, std::chrono::steady_clock::time_point> pending_;  // ca id → due
  std::map<std::string, TimePoint> refresh_at_;  // ca id → half-life of its current CRL
  std::thread thread_;
};

}  // namespace openpca::revocation

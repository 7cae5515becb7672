// AcmScheduler: the background work of AWS Certificate Manager: managed renewals that are due and
// the day's Approaching Expiration events. One thread; a pass at Start() and then every
// `interval`. Everything it decides is in the store (due times, claims, the day of the last
// event), so a restart resumes where the previous process stopped and a pass never repeats work
// another pass (or another server on the same database) did.
//
// Thread-safe: Start/Stop from one thread; RunOnce may be called from any (tests).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "certmanager/certificate_manager.h"
#include "common/leadership.h"

namespace openpca::certmanager {

class AcmScheduler {
 public:
  struct Options {
    std::chrono::milliseconds interval{std::chrono::hours(1)};
    int batch = 1000;  // certificates per query; a pass repeats queries until none are left
    // Servers sharing a database: passes run only on the holder of job "acm-renewal" (each
    // renewal is also claimed with a version check). Null: always.
    Leadership* leadership = nullptr;
  };

  AcmScheduler(CertificateManager& manager, Options options)
      : manager_(manager), options_(options) {}
  ~AcmScheduler() { Stop(); }
  AcmScheduler(const AcmScheduler&) = delete;
  AcmScheduler& operator=(const AcmScheduler&) = delete;

  void Start();
  void Stop();
  // One pass: renewals, then expiry events. Failures are logged; the next pass retries.
  void RunOnce();

 private:
  void Loop();

  CertificateManager& manager_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace openpca::certmanager

// WorkerPool: a fixed set of threads running request handlers, with a bound on jobs waiting to
// start so that overload is answered at once (ThrottlingException) instead of queueing without
// limit. The bound is a lock-free counter; the queue itself is Asio's thread_pool.
//
// Thread-safe. Join() (also run by the destructor) lets every queued job finish.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/thread_name.h"

namespace openpca::api {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued)
      : pool_(static_cast<size_t>(threads < 1 ? 1 : threads)), max_queued_(max_queued) {}
  ~WorkerPool() { Join(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Reserves a queue slot; false when max_queued jobs are already waiting. A successful
  // TryReserve() must be followed by exactly one PostReserved().
  bool TryReserve() {
    size_t n = queued_.fetch_add(1, std::memory_order_relaxed);
    if (n >= max_queued_) {
      queued_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }

  template <typename F>
  void PostReserved(F&& job) {
    boost::asio::post(pool_, [this, job = std::forward<F>(job)]() mutable {
      static thread_local bool named = false;  // Asio starts the threads: named on first use
      if (!named) {
        NameThisThread("handler");
        named = true;
      }
      queued_.fetch_sub(1, std::memory_order_relaxed);
      job();
    });
  }

  // Blocks until every posted job has run; no new jobs may be posted afterwards.
  void Join() { pool_.join(); }

  size_t queued() const { return queued_.load(std::memory_order_relaxed); }

 private:
  boost::asio::thread_pool pool_;
  std::atomic<size_t> queued_{0};
  size_t max_queued_;
};

}  // namespace openpca::api

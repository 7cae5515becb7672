// Counter and Gauge: the scalar instruments of the metrics library.
//
// Counter is the hot-path instrument: Inc() is one relaxed fetch_add on a cache line that belongs
// to the calling thread's shard (kShards lines per counter), so threads incrementing the same
// counter do not contend; Value() sums the shards (at scrape time). Gauge is a single atomic
// double: gauges are set rarely (or computed at scrape time by collectors).
//
// Both are thread-safe and neither copyable nor movable (families and the registry hand out
// references that stay valid for the registry's lifetime).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace openpca::metrics {

// Shards per instrument. A power of two; threads map to shards round-robin on first use.
inline constexpr size_t kShards = 16;

// The calling thread's shard, in [0, kShards). Fixed for the thread's lifetime.
size_t ThreadShard();

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc(uint64_t n = 1) { cells_[ThreadShard()].value.fetch_add(n, std::memory_order_relaxed); }
  // The sum over the shards: monotonic between calls, not a snapshot across threads.
  uint64_t Value() const;

 private:
  struct alignas(64) Cell {
    std::atomic<uint64_t> value{0};
  };
  std::array<Cell, kShards> cells_;
};

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace openpca::metrics

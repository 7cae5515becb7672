// Histogram: counts of observations in fixed buckets, with their sum (Prometheus histogram).
//
// Buckets are given as sorted, distinct, finite upper bounds; an implicit +Inf bucket follows. An
// observation v lands in the first bucket whose bound b has v <= b ("le", inclusive). Observe()
// is a bucket search over the bounds plus two relaxed atomic updates on the calling thread's shard
// (the count of the bucket, and the sum by compare-and-swap of its bits); Snapshot() adds the
// shards up. A snapshot taken while other threads observe may see a count without its sum, as
// with every lock-free client; each value is itself exact.
//
// Thread-safe; neither copyable nor movable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "metrics/instruments.h"

namespace openpca::metrics {

// What a histogram holds at one moment. counts[i] is the number of observations in bucket i alone
// (not cumulative); counts has bounds.size() + 1 entries, the last being the +Inf bucket.
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;
  double sum = 0;

  uint64_t Count() const;
  // Counts observations `v` (for collectors that build a histogram at scrape time).
  void Add(double v, uint64_t n = 1);
  static HistogramSnapshot Empty(std::span<const double> bounds);
};

// Bucket bounds: request latencies in seconds (0.5 ms .. 10 s).
std::vector<double> LatencyBuckets();
// `count` bounds start, start*factor, start*factor^2, ...
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// Aborts unless `bounds` is non-empty, sorted, distinct and finite (a wiring bug).
void CheckBounds(std::span<const double> bounds);

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double v);
  HistogramSnapshot Snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  size_t BucketOf(double v) const;

  const std::vector<double> bounds_;
  // Per shard: bounds_.size() + 1 bucket counts, then the sum's bits; each shard starts on its own
  // cache line.
  const size_t stride_;
  std::unique_ptr<std::atomic<uint64_t>[]> cells_;
};

// Observes in `h` (when not null) the seconds from its construction to its destruction, by the
// steady clock: a duration for a metric, never an input to logic.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram* h) : h_(h), started_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() {
    if (h_ != nullptr) {
      h_->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    }
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram* const h_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace openpca::metrics

#include "metrics/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace openpca::metrics {
namespace {

constexpr size_t kCellsPerLine = 64 / sizeof(std::atomic<uint64_t>);

}  // namespace

uint64_t HistogramSnapshot::Count() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

void HistogramSnapshot::Add(double v, uint64_t n) {
  size_t i = 0;
  while (i < bounds.size() && !(v <= bounds[i])) ++i;
  counts[i] += n;
  sum += v * static_cast<double>(n);
}

HistogramSnapshot HistogramSnapshot::Empty(std::span<const double> bounds) {
  HistogramSnapshot s;
  s.bounds.assign(bounds.begin(), bounds.end());
  s.counts.assign(bounds.size() + 1, 0);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double b = start;
  for (int i = 0; i < count; ++i, b *= factor) out.push_back(b);
  return out;
}

void CheckBounds(std::span<const double> bounds) {
  bool ok = !bounds.empty();
  for (size_t i = 0; ok && i < bounds.size(); ++i) {
    ok = std::isfinite(bounds[i]) && (i == 0 || bounds[i - 1] < bounds[i]);
  }
  if (!ok) {
    std::cerr << "openpca: histogram bounds must be non-empty, finite and increasing\n";
    std::abort();
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      stride_((bounds_.size() + 2 + kCellsPerLine - 1) / kCellsPerLine * kCellsPerLine) {
  CheckBounds(bounds_);
  // Over-allocate by one line so that shard 0 can start on a line boundary.
  const size_t n = stride_ * kShards + kCellsPerLine;
  cells_.reset(new std::atomic<uint64_t>[n]);
  for (size_t i = 0; i < n; ++i) cells_[i].store(0, std::memory_order_relaxed);
}

size_t Histogram::BucketOf(double v) const {
  // Few bounds: a linear scan beats a binary search and keeps NaN in the +Inf bucket.
  size_t i = 0;
  const size_t n = bounds_.size();
  while (i < n && !(v <= bounds_[i])) ++i;
  return i;
}

namespace {

std::atomic<uint64_t>* LineAligned(std::atomic<uint64_t>* p) {
  auto addr = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (addr + 63) & ~uintptr_t{63};
  return p + (aligned - addr) / sizeof(std::atomic<uint64_t>);
}

}  // namespace

void Histogram::Observe(double v) {
  std::atomic<uint64_t>* shard = LineAligned(cells_.get()) + ThreadShard() * stride_;
  shard[BucketOf(v)].fetch_add(1, std::memory_order_relaxed);
  std::atomic<uint64_t>& sum = shard[bounds_.size() + 1];
  uint64_t cur = sum.load(std::memory_order_relaxed);
  while (!sum.compare_exchange_weak(cur, std::bit_cast<uint64_t>(std::bit_cast<double>(cur) + v),
                                    std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s = HistogramSnapshot::Empty(bounds_);
  const std::atomic<uint64_t>* base = LineAligned(cells_.get());
  for (size_t shard = 0; shard < kShards; ++shard) {
    const std::atomic<uint64_t>* cells = base + shard * stride_;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      s.counts[i] += cells[i].load(std::memory_order_relaxed);
    }
    s.sum += std::bit_cast<double>(cells[bounds_.size() + 1].load(std::memory_order_relaxed));
  }
  return s;
}

}  // namespace openpca::metrics

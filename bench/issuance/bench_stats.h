// Latency summaries for the issuance benchmarks: exact percentiles over every sample (sorted),
// no histogram bucketing. Benchmark support only; not thread-safe (merge per-thread samples first).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace openpca::bench {

struct LatencySummary {
  size_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// Nearest-rank percentiles of `samples_ns` (sorted in place).
inline LatencySummary Summarize(std::vector<int64_t>& samples_ns) {
  LatencySummary s;
  s.count = samples_ns.size();
  if (samples_ns.empty()) return s;
  std::sort(samples_ns.begin(), samples_ns.end());
  auto rank = [&](double q) {
    size_t r = static_cast<size_t>(q * static_cast<double>(samples_ns.size()) + 0.999999);
    r = std::clamp<size_t>(r, 1, samples_ns.size());
    return static_cast<double>(samples_ns[r - 1]) / 1e6;
  };
  s.p50_ms = rank(0.50);
  s.p90_ms = rank(0.90);
  s.p99_ms = rank(0.99);
  s.max_ms = static_cast<double>(samples_ns.back()) / 1e6;
  long double total = 0;
  for (int64_t v : samples_ns) total += static_cast<long double>(v);
  s.mean_ms = static_cast<double>(total / static_cast<long double>(samples_ns.size()) / 1e6);
  return s;
}

}  // namespace openpca::bench

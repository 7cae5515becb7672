#include "metrics/expiry_collector.h"

#include <spdlog/spdlog.h>

namespace openpca::metrics {

std::vector<double> ExpiryBuckets() {
  std::vector<double> out;
  for (int days : {1, 7, 14, 30, 60, 90, 180, 365, 730, 1825}) out.push_back(days * 86400.0);
  return out;
}

ExpiryHistogramCollector::ExpiryHistogramCollector(std::string name, std::string help,
                                                   const Clock& clock, Source source,
                                                   std::chrono::seconds refresh)
    : name_(std::move(name)),
      help_(std::move(help)),
      clock_(clock),
      source_(std::move(source)),
      refresh_(refresh) {}

void ExpiryHistogramCollector::Collect(ExpositionWriter& out) {
  const TimePoint now = clock_.Now();
  if (!last_.has_value() || now - last_at_ >= refresh_ || now < last_at_) {
    Result<std::vector<int64_t>> not_after = source_();
    if (!not_after.ok()) {
      // Fail visibly: no stale numbers presented as current beyond one refresh period.
      spdlog::warn("metrics: {}: {}", name_, not_after.status().message());
      last_.reset();
      return;
    }
    HistogramSnapshot s = HistogramSnapshot::Empty(ExpiryBuckets());
    const int64_t now_s = ToUnixSeconds(now);
    for (int64_t t : *not_after) s.Add(static_cast<double>(t - now_s));
    last_ = std::move(s);
    last_at_ = now;
  }
  out.Begin(name_, help_, MetricType::kHistogram);
  out.Histogram(name_, {}, *last_);
}

}  // namespace openpca::metrics

// ExpiryHistogramCollector: a histogram, computed at scrape time, of how long certificates have
// left before they expire (seconds from now to notAfter), from a source that lists their notAfter
// times. One histogram series without labels; never one series per certificate.
//
// It is the registration point for certificate stores other than the CA store, e.g. ACM
// certificates: the source returns the notAfter of (at most) the N nearest-expiring certificates
// from a bounded query, and the collector is added to the Registry with AddCollector(). Results
// are reused for `refresh` so frequent scrapes do not repeat the query. Already expired
// certificates count in the first bucket (negative time left).
//
// Thread-safe (scrapes are serialised by the registry).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "metrics/registry.h"

namespace openpca::metrics {

// Bucket bounds for time to expiry, in seconds: 1, 7, 14, 30, 60, 90, 180, 365, 730, 1825 days.
std::vector<double> ExpiryBuckets();

class ExpiryHistogramCollector final : public Collector {
 public:
  // notAfter times (Unix seconds) of the certificates to count.
  using Source = std::function<Result<std::vector<int64_t>>()>;

  ExpiryHistogramCollector(std::string name, std::string help, const Clock& clock, Source source,
                           std::chrono::seconds refresh = std::chrono::seconds(60));

  void Collect(ExpositionWriter& out) override;

 private:
  const std::string name_;
  const std::string help_;
  const Clock& clock_;
  const Source source_;
  const std::chrono::seconds refresh_;
  std::optional<HistogramSnapshot> last_;
  TimePoint last_at_{};
};

}  // namespace openpca::metrics

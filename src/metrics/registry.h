// Registry: every metric of one process, and the Prometheus text exposition of them all
// (Expose(), text format 0.0.4, see exposition.h).
//
// Two kinds of metrics:
//   * instruments (Counter, Gauge, Histogram; family.h for labelled ones), registered once at
//     wiring time and updated by the code that measures: the registry owns them and the
//     references it returns stay valid for its lifetime;
//   * collectors, called at each scrape to write metrics computed then (queue depths, CA
//     certificate expiry from the store, ...). A collector is registered with AddCollector(); the
//     returned CollectorRegistration unregisters it when destroyed, waiting for a scrape that is
//     running it. This is also the registration point for modules wired later (e.g. ACM
//     certificate expiry, see docs/operations.md "Metrics").
//
// Names follow Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*, labels [a-zA-Z_][a-zA-Z0-9_]* not
// starting with "__", no "le" on histograms); a bad or duplicate name aborts (a wiring bug).
// Instruments are written first, in registration order, then collectors in registration order.
//
// Thread-safe: registration, updates and Expose() may run concurrently; scrapes are serialised.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/family.h"
#include "metrics/histogram.h"
#include "metrics/instruments.h"

namespace openpca::metrics {

// Writes metrics at scrape time. Called on the scraping thread, one scrape at a time; may block
// briefly (a bounded store read). Each family it writes must be written whole, once, with a name
// no instrument or other collector uses. A collector that cannot compute its values writes
// nothing (and logs why); it must not throw.
class Collector {
 public:
  virtual ~Collector() = default;
  virtual void Collect(ExpositionWriter& out) = 0;
};

// A Collector from a function.
std::unique_ptr<Collector> MakeCollector(std::function<void(ExpositionWriter& out)> fn);

class Registry;

// Keeps a collector registered; move-only. Destroying it (or Reset()) unregisters the collector
// after any scrape running it has finished.
class CollectorRegistration {
 public:
  CollectorRegistration() = default;
  CollectorRegistration(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  CollectorRegistration(CollectorRegistration&& other) noexcept { *this = std::move(other); }
  CollectorRegistration& operator=(CollectorRegistration&& other) noexcept;
  ~CollectorRegistration() { Reset(); }
  void Reset();

 private:
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& AddCounter(std::string name, std::string help);
  Gauge& AddGauge(std::string name, std::string help);
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> bounds);

  Family<Counter>& AddCounterFamily(std::string name, std::string help,
                                    std::vector<std::string> label_names,
                                    size_t max_series = kDefaultMaxSeries);
  Family<Gauge>& AddGaugeFamily(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                size_t max_series = kDefaultMaxSeries);
  Family<Histogram>& AddHistogramFamily(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds,
                                        size_t max_series = kDefaultMaxSeries);

  [[nodiscard]] CollectorRegistration AddCollector(std::unique_ptr<Collector> collector);

  // The text exposition of every metric, for Content-Type kContentType.
  std::string Expose();

 private:
  friend class CollectorRegistration;
  void RemoveCollector(uint64_t id);
  template <typename T>
  Family<T>& Add(std::string name, std::string help, MetricType type,
                 std::vector<std::string> label_names, size_t max_series,
                 typename Family<T>::Factory factory);

  std::mutex mu_;  // guards families_, collectors_, next_id_
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::pair<uint64_t, std::unique_ptr<Collector>>> collectors_;
  uint64_t next_id_ = 1;
  std::mutex scrape_mu_;  // one scrape at a time; held while collectors run
};

// Whether `name` is a valid metric name / label name (as above).
bool IsMetricName(std::string_view name);
bool IsLabelName(std::string_view name);

}  // namespace openpca::metrics

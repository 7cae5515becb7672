#include "metrics/registry.h"

#include <cstdlib>
#include <iostream>

namespace openpca::metrics {
namespace {

bool NameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "openpca: metrics: " << message << "\n";
  std::abort();
}

class FunctionCollector final : public Collector {
 public:
  explicit FunctionCollector(std::function<void(ExpositionWriter&)> fn) : fn_(std::move(fn)) {}
  void Collect(ExpositionWriter& out) override { fn_(out); }

 private:
  std::function<void(ExpositionWriter&)> fn_;
};

}  // namespace

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, true)) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, false)) return false;
  }
  return true;
}

std::unique_ptr<Collector> MakeCollector(std::function<void(ExpositionWriter& out)> fn) {
  return std::make_unique<FunctionCollector>(std::move(fn));
}

CollectorRegistration& CollectorRegistration::operator=(CollectorRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

void CollectorRegistration::Reset() {
  if (registry_ != nullptr) registry_->RemoveCollector(id_);
  registry_ = nullptr;
}

template <typename T>
Family<T>& Registry::Add(std::string name, std::string help, MetricType type,
                         std::vector<std::string> label_names, size_t max_series,
                         typename Family<T>::Factory factory) {
  if (!IsMetricName(name)) Die("bad metric name \"" + name + "\"");
  for (const std::string& l : label_names) {
    if (!IsLabelName(l) || (type == MetricType::kHistogram && l == "le")) {
      Die("bad label name \"" + l + "\" of " + name);
    }
  }
  if (max_series < 1) Die(name + ": max_series must be >= 1");
  std::lock_guard lock(mu_);
  for (const auto& f : families_) {
    if (f->name() == name) Die("metric " + name + " registered twice");
  }
  auto family = std::make_unique<Family<T>>(std::move(name), std::move(help), type,
                                            std::move(label_names), max_series, std::move(factory));
  Family<T>& out = *family;
  families_.push_back(std::move(family));
  return out;
}

Counter& Registry::AddCounter(std::string name, std::string help) {
  return AddCounterFamily(std::move(name), std::move(help), {}).With({});
}

Gauge& Registry::AddGauge(std::string name, std::string help) {
  return AddGaugeFamily(std::move(name), std::move(help), {}).With({});
}

Histogram& Registry::AddHistogram(std::string name, std::string help, std::vector<double> bounds) {
  return AddHistogramFamily(std::move(name), std::move(help), {}, std::move(bounds)).With({});
}

Family<Counter>& Registry::AddCounterFamily(std::string name, std::string help,
                                            std::vector<std::string> label_names,
                                            size_t max_series) {
  return Add<Counter>(std::move(name), std::move(help), MetricType::kCounter,
                      std::move(label_names), max_series,
                      [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGaugeFamily(std::string name, std::string help,
                                        std::vector<std::string> label_names, size_t max_series) {
  return Add<Gauge>(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names),
                    max_series, [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogramFamily(std::string name, std::string help,
                                                std::vector<std::string> label_names,
                                                std::vector<double> bounds, size_t max_series) {
  CheckBounds(bounds);
  return Add<Histogram>(
      std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names), max_series,
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
}

CollectorRegistration Registry::AddCollector(std::unique_ptr<Collector> collector) {
  if (collector == nullptr) Die("null collector");
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  collectors_.emplace_back(id, std::move(collector));
  return CollectorRegistration(this, id);
}

void Registry::RemoveCollector(uint64_t id) {
  std::lock_guard scrape(scrape_mu_);  // not while a scrape may be running it
  std::lock_guard lock(mu_);
  std::erase_if(collectors_, [id](const auto& c) { return c.first == id; });
}

std::string Registry::Expose() {
  std::lock_guard scrape(scrape_mu_);
  ExpositionWriter out;
  std::vector<const FamilyBase*> families;
  std::vector<Collector*> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : families_) families.push_back(f.get());
    // Collectors cannot be removed while scrape_mu_ is held, so the pointers stay valid.
    for (const auto& [id, c] : collectors_) collectors.push_back(c.get());
  }
  for (const FamilyBase* f : families) f->Write(out);
  for (Collector* c : collectors) c->Collect(out);
  bool any_overflow = false;
  for (const FamilyBase* f : families) {
    if (f->overflowed() == 0) continue;
    if (!any_overflow) {
      out.Begin("openpca_metrics_series_overflow_total",
                "Label sets of a metric that found its series bound reached and were counted "
                "in its _overflow series.",
                MetricType::kCounter);
      any_overflow = true;
    }
    const Label label{"metric", f->name()};
    out.Sample("openpca_metrics_series_overflow_total", std::span<const Label>(&label, 1),
               f->overflowed());
  }
  return out.Take();
}

}  // namespace openpca::metrics

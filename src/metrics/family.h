// Family<T>: one metric name with a fixed list of label names, and one instrument (Counter,
// Gauge or Histogram) per distinct list of label values: a series.
//
// Cardinality is bounded: at most `max_series` series are created; a label set seen after that
// is counted in the series whose every label value is kOverflowLabelValue, and overflowed()
// counts those lookups (the registry exposes it as openpca_metrics_series_overflow_total).
// Callers still must not use unbounded values (request ids, serials): the bound protects memory,
// not the meaning of the metric.
//
// With() is the hot path: the label values are joined into a thread-local key (no allocation once
// warm), hashed, and looked up in one of 16 shards, each with its own mutex held only for the map
// lookup; the instrument returned is then updated lock-free. Callers with constant label values
// should call With() once and keep the reference. References stay valid for the family's
// lifetime (the registry's). Thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/histogram.h"
#include "metrics/instruments.h"

namespace openpca::metrics {

inline constexpr std::string_view kOverflowLabelValue = "_overflow";
inline constexpr size_t kDefaultMaxSeries = 2000;

// What the registry needs of a family of any instrument type.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names, size_t max_series)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)),
        max_series_(max_series) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  size_t max_series() const { return max_series_; }
  // Lookups of new label sets that went to the overflow series.
  uint64_t overflowed() const { return overflowed_.load(std::memory_order_relaxed); }
  // Series created so far (the overflow series not included).
  size_t series() const { return series_.load(std::memory_order_relaxed); }

  // Writes the family (HELP, TYPE, every series in label-value order). Nothing when it has no
  // series yet.
  virtual void Write(ExpositionWriter& out) const = 0;

 protected:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const size_t max_series_;
  std::atomic<size_t> series_{0};
  std::atomic<uint64_t> overflowed_{0};
};

template <typename T>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         size_t max_series, Factory factory)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names), max_series),
        factory_(std::move(factory)) {}

  // The series of these label values, one per label name in order (aborts otherwise: a bug).
  T& With(std::span<const std::string_view> values) {
    if (values.size() != label_names_.size()) {
      std::cerr << "openpca: metric " << name_ << " takes " << label_names_.size()
                << " label values, got " << values.size() << "\n";
      std::abort();
    }
    thread_local std::string key;
    key.clear();
    for (std::string_view v : values) {
      key += v;
      key += '\xff';  // never in UTF-8, so keys of different value lists differ
    }
    const size_t hash = std::hash<std::string_view>{}(key);
    Shard& shard = shards_[(hash >> 7) & (kFamilyShards - 1)];
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(std::string_view(key));
    if (it != shard.map.end()) return *it->second->instrument;
    if (series_.fetch_add(1, std::memory_order_relaxed) >= max_series_) {
      series_.fetch_sub(1, std::memory_order_relaxed);
      overflowed_.fetch_add(1, std::memory_order_relaxed);
      return Overflow();
    }
    auto series = std::make_unique<Series>();
    series->values.assign(values.begin(), values.end());
    series->instrument = factory_();
    T& out = *series->instrument;
    shard.map.emplace(key, std::move(series));
    return out;
  }
  T& With(std::initializer_list<std::string_view> values) {
    return With(std::span<const std::string_view>(values.begin(), values.size()));
  }

  void Write(ExpositionWriter& out) const override {
    std::vector<std::pair<std::string, const Series*>> all;
    for (const Shard& shard : shards_) {
      std::lock_guard lock(shard.mu);
      for (const auto& [key, series] : shard.map) all.emplace_back(key, series.get());
    }
    {
      std::lock_guard lock(overflow_mu_);
      if (overflow_ != nullptr) all.emplace_back(std::string(1, '\xff'), overflow_.get());
    }
    if (all.empty()) return;
    std::sort(all.begin(), all.end());
    out.Begin(name_, help_, type_);
    std::vector<Label> labels(label_names_.size());
    for (const auto& [key, series] : all) {
      for (size_t i = 0; i < labels.size(); ++i) {
        labels[i] = Label{label_names_[i], series->values[i]};
      }
      WriteSeries(out, labels, *series->instrument);
    }
  }

 private:
  static constexpr size_t kFamilyShards = 16;
  struct Series {
    std::vector<std::string> values;
    std::unique_ptr<T> instrument;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::unique_ptr<Series>, Hash, std::equal_to<>> map;
  };

  T& Overflow() {
    std::lock_guard lock(overflow_mu_);
    if (overflow_ == nullptr) {
      overflow_ = std::make_unique<Series>();
      overflow_->values.assign(label_names_.size(), std::string(kOverflowLabelValue));
      overflow_->instrument = factory_();
    }
    return *overflow_->instrument;
  }

  void WriteSeries(ExpositionWriter& out, std::span<const Label> labels, const T& t) const {
    if constexpr (std::is_same_v<T, Histogram>) {
      out.Histogram(name_, labels, t.Snapshot());
    } else {
      out.Sample(name_, labels, t.Value());
    }
  }

  const Factory factory_;
  std::array<Shard, kFamilyShards> shards_;
  mutable std::mutex overflow_mu_;
  std::unique_ptr<Series> overflow_;  // guarded by overflow_mu_; set once
};

}  // namespace openpca::metrics

// ExpositionWriter: writes the Prometheus text exposition format, version 0.0.4
// (Content-Type kContentType). Each family is a "# HELP" line, a "# TYPE" line and its samples,
// contiguously; label values are escaped (backslash, double quote, newline), HELP text too
// (backslash, newline); values are written in the shortest form that reads back exactly, with
// +Inf, -Inf and NaN spelled as Prometheus expects. No timestamps.
//
// The writer trusts its caller for names (the Registry checks them at registration; collectors
// write constant names) and checks nothing at run time. Not thread-safe; one per scrape.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "metrics/histogram.h"

namespace openpca::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

struct Label {
  std::string_view name;
  std::string_view value;
};

class ExpositionWriter {
 public:
  // Starts a family: its HELP and TYPE lines. Every sample of the family must follow before the
  // next Begin().
  void Begin(std::string_view name, std::string_view help, MetricType type);
  // One sample line: `name{labels} value`. `name` is the family name, or for a histogram the
  // family name plus "_bucket", "_sum" or "_count".
  void Sample(std::string_view name, std::span<const Label> labels, double value);
  void Sample(std::string_view name, std::span<const Label> labels, uint64_t value);
  void Sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    Sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
  }
  // The _bucket (cumulative, le="..." last), _sum and _count lines of one histogram series.
  void Histogram(std::string_view name, std::span<const Label> labels,
                 const HistogramSnapshot& snapshot);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Labels(std::span<const Label> labels, const Label* extra);

  std::string out_;
};

// Label value escaping of the text format: \ → \\, " → \", newline → \n.
void AppendEscapedLabelValue(std::string& out, std::string_view value);
// HELP escaping: \ → \\, newline → \n.
void AppendEscapedHelp(std::string& out, std::string_view help);
// A sample value: integers without exponent, "+Inf", "-Inf", "NaN", else shortest round-trip.
void AppendValue(std::string& out, double value);

}  // namespace openpca::metrics

#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace openpca::metrics {
namespace {

TEST(ExpositionTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  std::string out;
  AppendEscapedLabelValue(out, "a\\b\"c\nd\te");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd\te");
}

TEST(ExpositionTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  std::string out;
  AppendEscapedHelp(out, "say \"x\" \\ then\nmore");
  EXPECT_EQ(out, "say \"x\" \\\\ then\\nmore");
}

TEST(ExpositionTest, ValuesUseTheFormatsSpelling) {
  auto v = [](double d) {
    std::string s;
    AppendValue(s, d);
    return s;
  };
  EXPECT_EQ(v(0), "0");
  EXPECT_EQ(v(42), "42");
  EXPECT_EQ(v(-3), "-3");
  EXPECT_EQ(v(0.25), "0.25");
  EXPECT_EQ(v(0.0005), "0.0005");
  EXPECT_EQ(v(1e300), "1e+300");
  EXPECT_EQ(v(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(v(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(v(std::nan("")), "NaN");
  // Shortest form that reads back exactly.
  EXPECT_EQ(std::stod(v(0.1 + 0.2)), 0.1 + 0.2);
}

TEST(ExpositionTest, FamilyHeaderAndSamples) {
  ExpositionWriter w;
  w.Begin("openpca_x_total", "Things.\nTwo lines.", MetricType::kCounter);
  w.Sample("openpca_x_total", {{"ca", "a\"b"}, {"op", "Issue"}}, 3.0);
  w.Sample("openpca_x_total", std::span<const Label>(), uint64_t{18446744073709551615u});
  EXPECT_EQ(w.text(),
            "# HELP openpca_x_total Things.\\nTwo lines.\n"
            "# TYPE openpca_x_total counter\n"
            "openpca_x_total{ca=\"a\\\"b\",op=\"Issue\"} 3\n"
            "openpca_x_total 18446744073709551615\n");
}

TEST(ExpositionTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  HistogramSnapshot s = HistogramSnapshot::Empty(std::vector<double>{0.5, 1});
  s.Add(0.1);
  s.Add(0.5);  // le is inclusive
  s.Add(0.75);
  s.Add(7);
  ExpositionWriter w;
  const Label label{"route", "GET /ocsp"};
  w.Histogram("h_seconds", std::span<const Label>(&label, 1), s);
  EXPECT_EQ(w.text(),
            "h_seconds_bucket{route=\"GET /ocsp\",le=\"0.5\"} 2\n"
            "h_seconds_bucket{route=\"GET /ocsp\",le=\"1\"} 3\n"
            "h_seconds_bucket{route=\"GET /ocsp\",le=\"+Inf\"} 4\n"
            "h_seconds_sum{route=\"GET /ocsp\"} 8.35\n"
            "h_seconds_count{route=\"GET /ocsp\"} 4\n");
}

}  // namespace
}  // namespace openpca::metrics

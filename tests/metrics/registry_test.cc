#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace openpca::metrics {
namespace {

TEST(RegistryTest, ExposesCountersGaugesAndHistogramsInRegistrationOrder) {
  Registry r;
  Counter& c = r.AddCounter("openpca_a_total", "A.");
  Gauge& g = r.AddGauge("openpca_b", "B.");
  Histogram& h = r.AddHistogram("openpca_c_seconds", "C.", {1});
  c.Inc(2);
  g.Set(-1.5);
  h.Observe(0.5);
  EXPECT_EQ(r.Expose(),
            "# HELP openpca_a_total A.\n# TYPE openpca_a_total counter\nopenpca_a_total 2\n"
            "# HELP openpca_b B.\n# TYPE openpca_b gauge\nopenpca_b -1.5\n"
            "# HELP openpca_c_seconds C.\n# TYPE openpca_c_seconds histogram\n"
            "openpca_c_seconds_bucket{le=\"1\"} 1\nopenpca_c_seconds_bucket{le=\"+Inf\"} 1\n"
            "openpca_c_seconds_sum 0.5\nopenpca_c_seconds_count 1\n");
}

TEST(RegistryTest, LabelledSeriesAreSortedAndReused) {
  Registry r;
  Family<Counter>& f = r.AddCounterFamily("openpca_req_total", "R.", {"op", "code"});
  f.With({"Issue", "200"}).Inc();
  f.With({"Describe", "400"}).Inc();
  f.With({"Issue", "200"}).Inc();
  EXPECT_EQ(&f.With({"Issue", "200"}), &f.With({"Issue", "200"}));
  EXPECT_EQ(r.Expose(),
            "# HELP openpca_req_total R.\n# TYPE openpca_req_total counter\n"
            "openpca_req_total{op=\"Describe\",code=\"400\"} 1\n"
            "openpca_req_total{op=\"Issue\",code=\"200\"} 2\n");
}

TEST(RegistryTest, LabelValuesThatJoinAlikeStayDistinct) {
  Registry r;
  Family<Counter>& f = r.AddCounterFamily("x_total", "X.", {"a", "b"});
  EXPECT_NE(&f.With({"ab", ""}), &f.With({"a", "b"}));
}

TEST(RegistryTest, AFamilyWithoutSeriesWritesNothing) {
  Registry r;
  r.AddCounterFamily("openpca_none_total", "N.", {"ca"});
  EXPECT_EQ(r.Expose(), "");
}

TEST(RegistryTest, CardinalityIsBoundedByAnOverflowSeries) {
  Registry r;
  Family<Counter>& f = r.AddCounterFamily("openpca_ca_total", "C.", {"ca"}, 3);
  for (int i = 0; i < 10; ++i) f.With({std::to_string(i)}).Inc();
  f.With({"0"}).Inc();  // an existing series still works after the bound is reached
  EXPECT_EQ(f.series(), 3u);
  EXPECT_EQ(f.overflowed(), 7u);
  const std::string text = r.Expose();
  EXPECT_NE(text.find("openpca_ca_total{ca=\"0\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("openpca_ca_total{ca=\"_overflow\"} 7\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("ca=\"3\""), std::string::npos) << text;
  EXPECT_NE(text.find("openpca_metrics_series_overflow_total{metric=\"openpca_ca_total\"} 7\n"),
            std::string::npos)
      << text;
}

TEST(RegistryTest, CollectorsWriteAtScrapeTimeAndUnregister) {
  Registry r;
  int calls = 0;
  {
    CollectorRegistration reg = r.AddCollector(MakeCollector([&calls](ExpositionWriter& out) {
      ++calls;
      out.Begin("openpca_depth", "D.", MetricType::kGauge);
      out.Sample("openpca_depth", {}, static_cast<double>(calls));
    }));
    EXPECT_EQ(r.Expose(), "# HELP openpca_depth D.\n# TYPE openpca_depth gauge\nopenpca_depth 1\n");
    EXPECT_NE(r.Expose().find("openpca_depth 2\n"), std::string::npos);
  }
  EXPECT_EQ(r.Expose(), "");
  EXPECT_EQ(calls, 2);
}

TEST(RegistryTest, ConcurrentIncrementsAndScrapesAreExact) {
  Registry r;
  Family<Counter>& f = r.AddCounterFamily("openpca_c_total", "C.", {"k"});
  Family<Histogram>& h = r.AddHistogramFamily("openpca_h_seconds", "H.", {"k"}, {1});
  constexpr int kThreads = 8;
  constexpr int kEach = 20000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) (void)r.Expose();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string k = std::to_string((t + i) % 4);
        f.With({k}).Inc();
        h.With({k}).Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  done.store(true);
  scraper.join();
  uint64_t total = 0;
  uint64_t observed = 0;
  for (const char* k : {"0", "1", "2", "3"}) {
    total += f.With({k}).Value();
    observed += h.With({k}).Snapshot().Count();
  }
  EXPECT_EQ(total, uint64_t{kThreads} * kEach);
  EXPECT_EQ(observed, uint64_t{kThreads} * kEach);
  EXPECT_EQ(f.series(), 4u);
}

TEST(RegistryTest, NameRules) {
  EXPECT_TRUE(IsMetricName("openpca_api:rate5m"));
  EXPECT_FALSE(IsMetricName("9lives"));
  EXPECT_FALSE(IsMetricName("a-b"));
  EXPECT_TRUE(IsLabelName("ca"));
  EXPECT_FALSE(IsLabelName("__name__"));
  EXPECT_FALSE(IsLabelName("a:b"));
}

TEST(RegistryDeathTest, DuplicateAndBadNamesAbort) {
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("x_total", "X.");
        r.AddGauge("x_total", "X.");
      },
      "registered twice");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddHistogramFamily("h", "H.", {"le"}, {1});
      },
      "bad label name");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounterFamily("c_total", "C.", {"a"}).With({"x", "y"});
      },
      "takes 1 label values");
}

}  // namespace
}  // namespace openpca::metrics

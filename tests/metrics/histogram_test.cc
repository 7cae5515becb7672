#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace openpca::metrics {
namespace {

TEST(HistogramTest, ObservationsLandInTheFirstBucketWhoseBoundIsNotBelow) {
  Histogram h({1, 2, 4});
  for (double v : {0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, -1.0}) h.Observe(v);
  HistogramSnapshot s = h.Snapshot();
  ASSERT_EQ(s.counts.size(), 4u);
  EXPECT_EQ(s.counts[0], 3u);  // 0, 1, -1
  EXPECT_EQ(s.counts[1], 2u);  // 1.5, 2
  EXPECT_EQ(s.counts[2], 2u);  // 3, 4
  EXPECT_EQ(s.counts[3], 1u);  // 5 in +Inf
  EXPECT_EQ(s.Count(), 8u);
  EXPECT_DOUBLE_EQ(s.sum, 15.5);
}

TEST(HistogramTest, NanGoesToTheInfBucket) {
  Histogram h({1});
  h.Observe(std::nan(""));
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.counts[1], 1u);
  EXPECT_TRUE(std::isnan(s.sum));
}

TEST(HistogramTest, ConcurrentObserversLoseNothing) {
  Histogram h(LatencyBuckets());
  constexpr int kThreads = 8;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < kEach; ++i) h.Observe(i % 2 == 0 ? 0.001 : 3.0);
    });
  }
  for (auto& t : threads) t.join();
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.Count(), uint64_t{kThreads} * kEach);
  EXPECT_EQ(s.counts[1], uint64_t{kThreads} * kEach / 2);  // le=0.001
  EXPECT_NEAR(s.sum, kThreads * (kEach / 2) * (0.001 + 3.0), 1e-6);
}

TEST(HistogramDeathTest, UnsortedBoundsAbort) {
  EXPECT_DEATH(Histogram({2, 1}), "increasing");
  EXPECT_DEATH(Histogram(std::vector<double>{}), "increasing");
}

TEST(HistogramTest, ExponentialBuckets) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
}

}  // namespace
}  // namespace openpca::metrics

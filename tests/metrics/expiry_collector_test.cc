#include "metrics/expiry_collector.h"

#include <gtest/gtest.h>

namespace openpca::metrics {
namespace {

constexpr int64_t kDay = 86400;

TEST(ExpiryHistogramCollectorTest, CountsTimeLeftAndReusesResultsWithinRefresh) {
  FakeClock clock(FromUnixSeconds(1'700'000'000));
  const int64_t now = 1'700'000'000;
  int queries = 0;
  std::vector<int64_t> not_after = {now - kDay, now + 3 * kDay, now + 100 * kDay,
                                    now + 4000 * kDay};
  Registry r;
  CollectorRegistration reg = r.AddCollector(std::make_unique<ExpiryHistogramCollector>(
      "openpca_acm_certificate_expiry_seconds", "ACM.", clock,
      [&]() -> Result<std::vector<int64_t>> {
        ++queries;
        return not_after;
      },
      std::chrono::seconds(60)));
  std::string text = r.Expose();
  EXPECT_NE(text.find("# TYPE openpca_acm_certificate_expiry_seconds histogram\n"),
            std::string::npos);
  EXPECT_NE(text.find("openpca_acm_certificate_expiry_seconds_bucket{le=\"86400\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("openpca_acm_certificate_expiry_seconds_bucket{le=\"604800\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("openpca_acm_certificate_expiry_seconds_bucket{le=\"15552000\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("openpca_acm_certificate_expiry_seconds_bucket{le=\"+Inf\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("openpca_acm_certificate_expiry_seconds_count 4\n"), std::string::npos);
  not_after.push_back(now);
  (void)r.Expose();
  EXPECT_EQ(queries, 1);
  clock.Advance(std::chrono::seconds(61));
  text = r.Expose();
  EXPECT_EQ(queries, 2);
  EXPECT_NE(text.find("openpca_acm_certificate_expiry_seconds_count 5\n"), std::string::npos);
}

TEST(ExpiryHistogramCollectorTest, AFailingSourceWritesNothing) {
  FakeClock clock(FromUnixSeconds(1'700'000'000));
  Registry r;
  CollectorRegistration reg = r.AddCollector(std::make_unique<ExpiryHistogramCollector>(
      "openpca_x_expiry_seconds", "X.", clock,
      []() -> Result<std::vector<int64_t>> { return InternalError("db down"); }));
  EXPECT_EQ(r.Expose(), "");
}

}  // namespace
}  // namespace openpca::metrics

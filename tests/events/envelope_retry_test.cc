// The EventBridge envelope and the retry schedule of deliveries.
#include <gtest/gtest.h>

#include "events/envelope.h"
#include "events/retry.h"

namespace openpca::events {
namespace {

using nlohmann::json;

TEST(EnvelopeTest, HasEventBridgeMembersInOrder) {
  Event e;
  e.source = "aws.acm-pca";
  e.detail_type = "ACM Private CA Certificate Revocation";
  e.account = "111122223333";
  e.region = "eu-west-1";
  e.time_ms = 1572983119123;  // 2019-11-05T19:45:19.123Z
  e.resources = {"arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/c"};
  e.detail = {{"result", "success"}};
  json env = Envelope(e, "id-1");
  EXPECT_EQ(env["version"], "0");
  EXPECT_EQ(env["id"], "id-1");
  EXPECT_EQ(env["time"], "2019-11-05T19:45:19Z");
  EXPECT_EQ(env["detail"]["result"], "success");
  EXPECT_EQ(env["resources"].size(), 1u);
  std::string text = EnvelopeText(env);
  EXPECT_EQ(text.find("{\"version\":\"0\",\"id\":\"id-1\",\"detail-type\":"), 0u) << text;
  EXPECT_LT(text.find("\"region\""), text.find("\"resources\""));
  EXPECT_EQ(json::parse(text), env);
}

TEST(EnvelopeTest, IsoTimeIsUtcSeconds) {
  EXPECT_EQ(IsoTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(IsoTime(1572897466999), "2019-11-04T19:57:46Z");
}

TEST(RetryTest, DefaultsAreAwsAndTargetOverrides) {
  RetryPolicy d = RetryPolicy::FromTarget(json::object());
  EXPECT_EQ(d.max_retry_attempts, 185);
  EXPECT_EQ(d.max_event_age_seconds, 86400);
  RetryPolicy p = RetryPolicy::FromTarget(
      {{"RetryPolicy", {{"MaximumRetryAttempts", 2}, {"MaximumEventAgeInSeconds", 60}}}});
  EXPECT_EQ(p.max_retry_attempts, 2);
  EXPECT_EQ(p.max_event_age_seconds, 60);
}

TEST(RetryTest, ExponentialBackoffCappedWithFakeClock) {
  RetryPolicy policy;
  Backoff backoff{std::chrono::milliseconds(1000), std::chrono::milliseconds(8000)};
  const int64_t accepted = 1'000'000;
  int64_t now = accepted;
  std::vector<int64_t> delays;
  for (int failures = 1; failures <= 6; ++failures) {
    std::optional<int64_t> next = NextAttemptMs(policy, backoff, failures, accepted, now);
    ASSERT_TRUE(next.has_value());
    delays.push_back(*next - now);
    now = *next;
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{1000, 2000, 4000, 8000, 8000, 8000}));
}

TEST(RetryTest, GivesUpAfterMaximumRetryAttempts) {
  RetryPolicy policy{2, 86400};
  Backoff backoff{std::chrono::milliseconds(10), std::chrono::milliseconds(10)};
  EXPECT_TRUE(NextAttemptMs(policy, backoff, 1, 0, 0).has_value());   // retry 1
  EXPECT_TRUE(NextAttemptMs(policy, backoff, 2, 0, 10).has_value());  // retry 2
  EXPECT_FALSE(NextAttemptMs(policy, backoff, 3, 0, 20).has_value());
  RetryPolicy none{0, 86400};
  EXPECT_FALSE(NextAttemptMs(none, backoff, 1, 0, 0).has_value());
}

TEST(RetryTest, GivesUpPastMaximumEventAge) {
  RetryPolicy policy{185, 60};
  Backoff backoff{std::chrono::milliseconds(20'000), std::chrono::milliseconds(20'000)};
  EXPECT_EQ(NextAttemptMs(policy, backoff, 1, 0, 30'000), 50'000);
  EXPECT_FALSE(NextAttemptMs(policy, backoff, 2, 0, 50'000).has_value());  // 70 s > 60 s
}

}  // namespace
}  // namespace openpca::events

#include "policy/condition.h"

#include <gtest/gtest.h>

namespace openpca::policy {
namespace {

TEST(ConditionParseTest, Dates) {
  int64_t ms = 0;
  ASSERT_TRUE(ParseDateMillis("1970-01-01T00:00:00Z", &ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(ParseDateMillis("2026-01-01T00:00:00Z", &ms));
  EXPECT_EQ(ms, 1767225600000);
  ASSERT_TRUE(ParseDateMillis("2026-01-01", &ms));
  EXPECT_EQ(ms, 1767225600000);
  ASSERT_TRUE(ParseDateMillis("1767225600", &ms));
  EXPECT_EQ(ms, 1767225600000);
  ASSERT_TRUE(ParseDateMillis("2026-01-01T02:30:00+02:30", &ms));
  EXPECT_EQ(ms, 1767225600000);
  ASSERT_TRUE(ParseDateMillis("2026-01-01T00:00:00.250Z", &ms));
  EXPECT_EQ(ms, 1767225600250);
  ASSERT_TRUE(ParseDateMillis("2024-02-29T12:00:00Z", &ms));
  EXPECT_EQ(ms, 1709208000000);
  EXPECT_FALSE(ParseDateMillis("2026-13-01", &ms));
  EXPECT_FALSE(ParseDateMillis("2026-01-01T25:00:00Z", &ms));
  EXPECT_FALSE(ParseDateMillis("2026-01-01T00:00:00Zjunk", &ms));
  EXPECT_FALSE(ParseDateMillis("", &ms));
}

TEST(ConditionParseTest, Cidrs) {
  Cidr net, addr;
  ASSERT_TRUE(ParseCidr("10.0.0.0/8", &net));
  ASSERT_TRUE(ParseCidr("10.255.0.1", &addr));
  EXPECT_TRUE(CidrContains(net, addr));
  ASSERT_TRUE(ParseCidr("11.0.0.1", &addr));
  EXPECT_FALSE(CidrContains(net, addr));
  ASSERT_TRUE(ParseCidr("0.0.0.0/0", &net));
  EXPECT_TRUE(CidrContains(net, addr));
  ASSERT_TRUE(ParseCidr("2001:db8::/127", &net));
  ASSERT_TRUE(ParseCidr("2001:db8::1", &addr));
  EXPECT_TRUE(CidrContains(net, addr));
  ASSERT_TRUE(ParseCidr("2001:db8::2", &addr));
  EXPECT_FALSE(CidrContains(net, addr));
  EXPECT_FALSE(ParseCidr("10.0.0.0/", &net));
  EXPECT_FALSE(ParseCidr("2001:db8::/129", &net));
  EXPECT_FALSE(ParseCidr("300.0.0.1", &net));
}

TEST(ConditionTest, UnknownOperatorIsMalformed) {
  Result<Condition> c =
      Condition::Compile("StringEqualsIfExistsIfExists", "aws:username", {"a"}, true);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMalformedPolicyDocument);
  EXPECT_FALSE(Condition::Compile("ForAllValues:Null", "aws:username", {"true"}, true).ok());
  EXPECT_FALSE(Condition::Compile("ForSomeValues:StringEquals", "aws:username", {"a"}, true).ok());
}

TEST(ConditionTest, EmptyValueListNeverMatchesPositive) {
  Result<Condition> c = Condition::Compile("StringEquals", "aws:username", {}, true);
  ASSERT_TRUE(c.ok());
  RequestContext ctx;
  ctx.Set("aws:username", "alice");
  EXPECT_FALSE(c->Evaluate(ctx));
}

}  // namespace
}  // namespace openpca::policy

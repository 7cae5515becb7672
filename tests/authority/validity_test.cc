#include "authority/validity.h"

#include <gtest/gtest.h>

namespace openpca::authority {
namespace {

const TimePoint kNow = FromUnixSeconds(1706745600);  // 2024-02-01T00:00:00Z

TEST(ValidityTest, RelativeTypesCountFromIssuance) {
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"DAYS", 2}, kNow)), 1706745600 + 2 * 86400);
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"MONTHS", 1}, kNow)), 1709251200);  // 2024-03-01
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"YEARS", 1}, kNow)), 1738368000);   // 2025-02-01
}

TEST(ValidityTest, MonthEndIsClampedToTheTargetMonth) {
  TimePoint jan31 = FromUnixSeconds(1706659200);  // 2024-01-31
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"MONTHS", 1}, jan31)), 1709164800);  // 2024-02-29
}

TEST(ValidityTest, AbsoluteAndEndDate) {
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"ABSOLUTE", 2524608000}, kNow)), 2524608000);
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"END_DATE", 491231235959}, kNow)), 2524607999);
  EXPECT_EQ(ToUnixSeconds(*ResolveNotAfter({"END_DATE", 20491231235959}, kNow)), 2524607999);
  EXPECT_EQ(ResolveNotAfter({"END_DATE", 491331235959}, kNow).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(ResolveNotAfter({"END_DATE", 123}, kNow).status().code(), ErrorCode::kInvalidArgs);
}

TEST(ValidityTest, BeyondYear9999IsRejected) {
  EXPECT_EQ(ResolveNotAfter({"YEARS", 9000}, kNow).status().code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(ResolveNotAfter({"DAYS", 99999999}, kNow).status().code(), ErrorCode::kInvalidArgs);
}

TEST(ValidityTest, NotBeforeMustBeAbsolute) {
  EXPECT_EQ(ToUnixSeconds(*ResolveNotBefore({"ABSOLUTE", 1700000000})), 1700000000);
  EXPECT_EQ(ResolveNotBefore({"DAYS", 1}).status().code(), ErrorCode::kInvalidArgs);
}

}  // namespace
}  // namespace openpca::authority

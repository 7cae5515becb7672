#include "policy/glob.h"

#include <gtest/gtest.h>

#include <string>

#include "policy/arn_pattern.h"

namespace openpca::policy {
namespace {

TEST(GlobTest, Wildcards) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("*", "anything"));
  EXPECT_TRUE(WildcardMatch("a*c", "abbbc"));
  EXPECT_TRUE(WildcardMatch("a*c", "ac"));
  EXPECT_FALSE(WildcardMatch("a*c", "acb"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_TRUE(WildcardMatch("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(WildcardMatch("*a*b*c*", "xxcxxbxxaxx"));
  EXPECT_TRUE(WildcardMatch("a**b", "ab"));
  EXPECT_FALSE(WildcardMatch("", "a"));
  EXPECT_TRUE(WildcardMatch("", ""));
  EXPECT_FALSE(WildcardMatch("abc", "ABC"));
}

TEST(GlobTest, FoldCase) {
  GlobPattern p = GlobPattern::FromWildcardText("ACM-PCA:Get*");
  p.LowerCase();
  EXPECT_TRUE(p.Matches("acm-pca:GetCertificate", /*fold_case=*/true));
  EXPECT_FALSE(p.Matches("acm-pca:GetCertificate", /*fold_case=*/false));
}

TEST(GlobTest, LiteralUnitsAreNotWildcards) {
  GlobPattern p;
  p.AppendWildcardText("home/");
  p.AppendLiteral("*");
  EXPECT_TRUE(p.Matches("home/*"));
  EXPECT_FALSE(p.Matches("home/alice"));
}

// The matcher must stay polynomial on patterns that make backtracking matchers explode.
TEST(GlobTest, PathologicalPatternIsFast) {
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "a*";
  pattern += "b";
  std::string text(5000, 'a');
  EXPECT_FALSE(WildcardMatch(pattern, text));
  EXPECT_TRUE(WildcardMatch(pattern, text + "b"));
}

TEST(ArnPatternTest, ComponentsAndShortPatterns) {
  RequestContext ctx;
  auto m = [&ctx](const char* pattern, const char* arn) {
    return ArnPattern::Parse(pattern, true).Matches(arn, ctx);
  };
  EXPECT_TRUE(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
  EXPECT_FALSE(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a"));
  EXPECT_TRUE(m("arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:role/x"));
  EXPECT_FALSE(m("arn:aws:iam:*:role/*", "arn:aws:iam::111111111111:role/x"));
  EXPECT_TRUE(m("arn:*", "arn:aws:iam::111111111111:role/x"));
  EXPECT_TRUE(m("*", "*"));
  EXPECT_FALSE(m("arn:aws:*", "*"));
  // Unresolved variable: matches nothing, not even its own text.
  EXPECT_FALSE(m("arn:aws:iam::1:user/${aws:username}", "arn:aws:iam::1:user/${aws:username}"));
  ctx.Set("aws:username", "alice");
  EXPECT_TRUE(m("arn:aws:iam::1:user/${aws:username}", "arn:aws:iam::1:user/alice"));
  // A variable's value may hold a colon; it stays inside its component.
  ctx.Set("aws:PrincipalTag/x", "a:b");
  EXPECT_TRUE(m("arn:aws:s3:::${aws:PrincipalTag/x}", "arn:aws:s3:::a:b"));
}

}  // namespace
}  // namespace openpca::policy

#include "api/pattern.h"

#include <string>

#include <gtest/gtest.h>

namespace openpca::api {
namespace {

Pattern Compile(std::string_view re) {
  Result<Pattern> p = Pattern::Compile(re);
  EXPECT_TRUE(p.ok()) << re << ": " << p.status().ToString();
  return std::move(p).value();
}

TEST(PatternTest, FullMatchOnly) {
  Pattern p = Compile("[a-z0-9]{8}-[a-z0-9]{4}");
  EXPECT_TRUE(p.FullMatch("abcdef12-abcd"));
  EXPECT_FALSE(p.FullMatch("abcdef12-abcd1"));
  EXPECT_FALSE(p.FullMatch("xabcdef12-abcd"));
  EXPECT_FALSE(p.FullMatch("ABCDEF12-abcd"));
  EXPECT_FALSE(p.FullMatch(""));
}

TEST(PatternTest, ArnPattern) {
  Pattern p = Compile(R"(arn:[\w+=/,.@-]+:acm-pca:[\w+=/,.@-]*:[0-9]*:[\w+=,.@-]+(/[\w+=,.@-]+)*)");
  EXPECT_TRUE(
      p.FullMatch("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/"
                  "11111111-2222-3333-4444-555555555555"));
  EXPECT_TRUE(p.FullMatch("arn:aws:acm-pca:::template/EndEntityCertificate/V1"));
  EXPECT_FALSE(p.FullMatch("arn:aws:acm:us-east-1:111122223333:certificate/x"));
  EXPECT_FALSE(p.FullMatch("arn:aws:acm-pca:us-east-1:1111x:certificate-authority/x"));
  EXPECT_FALSE(p.FullMatch("arn:aws:acm-pca:us-east-1:111122223333:ca/x y"));
}

TEST(PatternTest, AlternationOptionalAndCountedGroups) {
  Pattern oid = Compile(R"(([0-2])\.([0-9]|([0-3][0-9]))((\.([0-9]+)){0,126}))");
  EXPECT_TRUE(oid.FullMatch("1.3"));
  EXPECT_TRUE(oid.FullMatch("2.5.29.17"));
  EXPECT_TRUE(oid.FullMatch("1.39.6.1.4.1.311"));
  EXPECT_FALSE(oid.FullMatch("3.1"));
  EXPECT_FALSE(oid.FullMatch("1.40"));
  EXPECT_FALSE(oid.FullMatch("1.2."));
  std::string long_oid = "1.2";
  for (int i = 0; i < 126; ++i) long_oid += ".1";
  EXPECT_TRUE(oid.FullMatch(long_oid));
  EXPECT_FALSE(oid.FullMatch(long_oid + ".1"));

  Pattern b64 = Compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");
  EXPECT_TRUE(b64.FullMatch(""));
  EXPECT_TRUE(b64.FullMatch("AAAA"));
  EXPECT_TRUE(b64.FullMatch("AAAAAA=="));
  EXPECT_TRUE(b64.FullMatch("AAAAAAA="));
  EXPECT_FALSE(b64.FullMatch("AAAAA"));
  EXPECT_FALSE(b64.FullMatch("AA=A"));
}

TEST(PatternTest, JavaClassRangeAndLiteralDash) {
  // "+-." is the range U+002B..U+002E in Java, so ',' matches too.
  Pattern p = Compile("[a-zA-Z0-9'()+-.?:/= ]*");
  EXPECT_TRUE(p.FullMatch("Example (CA) 1.0, a+b-c"));
  EXPECT_FALSE(p.FullMatch("under_score"));
  Pattern dash = Compile("[-a-z]+");
  EXPECT_TRUE(dash.FullMatch("a-b"));
  Pattern trailing = Compile("[a-z-]+");
  EXPECT_TRUE(trailing.FullMatch("a-b"));
}

TEST(PatternTest, UnicodeEscapesAndNegation) {
  Pattern policy = Compile(R"([\u0009\u000A\u000D\u0020-\u00FF]+)");
  EXPECT_TRUE(policy.FullMatch("{\"Version\":\"2012-10-17\"}\n\t"));
  EXPECT_TRUE(policy.FullMatch("caf\xC3\xA9"));  // U+00E9
  EXPECT_FALSE(policy.FullMatch("\xC4\x80"));    // U+0100
  EXPECT_FALSE(policy.FullMatch(std::string("a\x01", 2)));
  EXPECT_FALSE(policy.FullMatch(""));

  Pattern principal = Compile("[^*]+");
  EXPECT_TRUE(principal.FullMatch("acm.amazonaws.com"));
  EXPECT_FALSE(principal.FullMatch("acm.*"));
}

TEST(PatternTest, UnicodeCategories) {
  Pattern tag = Compile(R"(([\p{L}\p{Z}\p{N}_.:/=+\-@]*))");
  EXPECT_TRUE(tag.FullMatch("env:prod/team=pki+ops@x-1"));
  EXPECT_TRUE(tag.FullMatch("\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87"));           // ключ
  EXPECT_TRUE(tag.FullMatch("\xE5\x90\x8D\xE5\x89\x8D \xD9\xA1\xD9\xA2"));  // 名前 ١٢
  EXPECT_TRUE(
      tag.FullMatch("a\xE3\x80\x80"
                    "b"));                          // U+3000 ideographic space (Zs)
  EXPECT_FALSE(tag.FullMatch("\xF0\x9F\x94\x91"));  // U+1F511 key emoji (So)
  EXPECT_FALSE(tag.FullMatch("a*b"));
  EXPECT_FALSE(tag.FullMatch("a\tb"));  // Cc, not Z

  Pattern not_letter = Compile(R"(\P{L}+)");
  EXPECT_TRUE(not_letter.FullMatch("123 "));
  EXPECT_FALSE(not_letter.FullMatch("1a"));
}

TEST(PatternTest, AnchorsAndDot) {
  Pattern p = Compile("^a.c$");
  EXPECT_TRUE(p.FullMatch("abc"));
  EXPECT_TRUE(
      p.FullMatch("a\xC3\xA9"
                  "c"));
  EXPECT_FALSE(p.FullMatch("a\nc"));
}

TEST(PatternTest, IllFormedUtf8NeverMatches) {
  Pattern p = Compile(".*");
  EXPECT_TRUE(p.FullMatch("ok"));
  EXPECT_FALSE(p.FullMatch("\xC3"));
  EXPECT_FALSE(p.FullMatch("\xED\xA0\x80"));  // a UTF-16 surrogate
  EXPECT_FALSE(p.FullMatch("\xC0\xAF"));      // overlong '/'
}

TEST(PatternTest, LongInputIsLinearAndDoesNotRecurse) {
  Pattern p = Compile(R"([\u0009\u000A\u000D\u0020-\u00FF]+)");
  std::string big(4 << 20, 'x');
  EXPECT_TRUE(p.FullMatch(big));
  big.back() = '\x01';
  EXPECT_FALSE(p.FullMatch(big));
}

TEST(PatternTest, UnsupportedSyntaxFailsAtCompile) {
  for (const char* re : {"a(?=b)", "[a-z&&[^q]]", "a++", "\\bword", "(a", "a)", "[abc", "x{2,1}",
                         "\\p{Greek}", "*a"}) {
    Result<Pattern> p = Pattern::Compile(re);
    EXPECT_FALSE(p.ok()) << re;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), ErrorCode::kInternal) << re;
    }
  }
}

TEST(PatternTest, MoreUnsupportedJavaSyntaxFailsAtCompile) {
  for (const char* re : {"a*+", "a?+", "a{2}+", "(?<name>a)", "(?!a)b", "(?<=a)b", "\\Qa.b\\E",
                         "(a)\\1", "[\\uD800]", "\\p{IsGreek}", "a{", "[[:alpha:]]"}) {
    Result<Pattern> p = Pattern::Compile(re);
    EXPECT_FALSE(p.ok()) << re;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), ErrorCode::kInternal) << re;
    }
  }
}

TEST(PatternTest, JavaEscapesTranslate) {
  EXPECT_EQ(*Pattern::TranslateToRe2(R"(\u0041\x42)"), R"(\x{41}\x{42})");
  // Java reads exactly four hex digits: \u10000 is U+1000 followed by '0'.
  Pattern five = Compile(R"(\u10000)");
  EXPECT_TRUE(five.FullMatch("\xE1\x80\x80"
                             "0"));
  EXPECT_FALSE(five.FullMatch("\xF0\x90\x80\x80"));  // U+10000
  // A surrogate pair of escapes is one supplementary code point, as in Java.
  Pattern supplementary = Compile(R"([\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*)");
  EXPECT_TRUE(supplementary.FullMatch("key \xF0\x9F\x94\x91\t"));  // U+1F511
  EXPECT_FALSE(supplementary.FullMatch("a\nb"));
}

TEST(PatternTest, JavaDotSpaceAndFlags) {
  Pattern dot = Compile("a.c");
  for (const char* term : {"a\rc", "a\xC2\x85" "c", "a\xE2\x80\xA8" "c", "a\xE2\x80\xA9" "c"}) {
    EXPECT_FALSE(dot.FullMatch(term)) << term;
  }
  EXPECT_TRUE(dot.FullMatch("a\tc"));
  Pattern dotall = Compile("(?s).*");
  EXPECT_TRUE(dotall.FullMatch("line\nline\r\n"));
  // Java's \s includes the vertical tab (RE2's does not); \S is its exact complement.
  Pattern space = Compile(R"(\s+)");
  EXPECT_TRUE(space.FullMatch(" \t\n\x0B\f\r"));
  EXPECT_FALSE(space.FullMatch("\xC2\xA0"));  // U+00A0 is not Java \s
  Pattern non_space = Compile(R"(\S+)");
  EXPECT_FALSE(non_space.FullMatch("\x0B"));
  EXPECT_TRUE(non_space.FullMatch("a\xC2\xA0\xF0\x9F\x94\x91"));
  Pattern anything = Compile(R"([\s\S]*)");
  EXPECT_TRUE(anything.FullMatch("any\x0B\nthing \xE5\x90\x8D"));
  Pattern insensitive = Compile("(?i)abc");
  EXPECT_TRUE(insensitive.FullMatch("AbC"));
}

TEST(PatternTest, JavaPropertyNames) {
  Pattern is_letter = Compile(R"(\p{IsL}+)");
  EXPECT_TRUE(is_letter.FullMatch("caf\xC3\xA9"));
  Pattern single = Compile(R"(\pL\pN)");
  EXPECT_TRUE(single.FullMatch("a1"));
  // POSIX names are US-ASCII in Java.
  Pattern alpha = Compile(R"(\p{Alpha}+)");
  EXPECT_TRUE(alpha.FullMatch("abcXYZ"));
  EXPECT_FALSE(alpha.FullMatch("\xC3\xA9"));
  Pattern in_class = Compile(R"([\p{Digit}\p{Upper}_]+)");
  EXPECT_TRUE(in_class.FullMatch("A_9"));
  EXPECT_FALSE(in_class.FullMatch("a"));
  Pattern alphabetic = Compile(R"(\p{IsAlphabetic}+)");
  EXPECT_TRUE(alphabetic.FullMatch("\xD0\xB6\xE2\x85\xA0"));  // ж, U+2160 ROMAN NUMERAL ONE (Nl)
  EXPECT_FALSE(alphabetic.FullMatch("1"));
}

// Model patterns with negative lookahead get hand-made equivalents; these check them against
// what Java's engine decides for the same strings.
TEST(PatternTest, LookaheadEquivalents) {
  Pattern alias = Compile(R"(^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$)");  // iam
  EXPECT_TRUE(alias.FullMatch("my-alias-1"));
  EXPECT_TRUE(alias.FullMatch("a-b"));
  EXPECT_FALSE(alias.FullMatch("my--alias"));
  EXPECT_FALSE(alias.FullMatch("-ab"));
  EXPECT_FALSE(alias.FullMatch("ab-"));
  EXPECT_FALSE(alias.FullMatch("ab"));
  EXPECT_TRUE(alias.FullMatch(std::string(63, 'a')));
  EXPECT_FALSE(alias.FullMatch(std::string(64, 'a')));

  Pattern domain = Compile(  // acm
      R"((\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9]))");
  EXPECT_TRUE(domain.FullMatch("*.example.com"));
  EXPECT_TRUE(domain.FullMatch("a.b-c.io"));
  EXPECT_TRUE(domain.FullMatch("x.bc"));
  EXPECT_FALSE(domain.FullMatch("x.b"));  // the last label has at least two characters
  EXPECT_FALSE(domain.FullMatch("-a.com"));
  EXPECT_FALSE(domain.FullMatch("a-.com"));
  EXPECT_FALSE(domain.FullMatch("a.-com"));
  EXPECT_FALSE(domain.FullMatch("example"));
  EXPECT_TRUE(domain.FullMatch(std::string(63, 'a') + ".com"));
  EXPECT_FALSE(domain.FullMatch(std::string(64, 'a') + ".com"));

  Pattern not_blank = Compile(R"(^(?!\s*$).+)");  // events
  EXPECT_TRUE(not_blank.FullMatch("x"));
  EXPECT_TRUE(not_blank.FullMatch(" a "));
  EXPECT_FALSE(not_blank.FullMatch("  \t"));
  EXPECT_FALSE(not_blank.FullMatch(""));
  EXPECT_FALSE(not_blank.FullMatch("a\nb"));
  EXPECT_EQ(not_blank.source(), R"(^(?!\s*$).+)");
}

}  // namespace
}  // namespace openpca::api

// Pattern: a regular expression in the Java syntax that botocore service models use, matched
// against whole UTF-8 strings (Java's Matcher.matches()), executed by RE2 (linear time, no
// recursion over the input, safe on an 80 KiB AWSPolicy).
//
// Compile() translates the Java syntax to RE2's and refuses what it cannot translate faithfully,
// so an unsupported model pattern fails when the model loads, never at request time:
//   - \uXXXX (exactly four hex digits, as Java reads them; a \uD8xx\uDCxx pair is one supplementary
//     code point) and \xHH become \x{...};
//   - '.' excludes Java's line terminators (\n \r U+0085 U+2028 U+2029); \s is Java's
//     [ \t\n\x0B\f\r]; \d \w stay ASCII as in Java;
//   - \p{..} / \P{..}: Unicode general categories, optionally prefixed "Is" (\p{IsL}), and the
//     POSIX classes Java defines over US-ASCII (\p{Alpha}, \p{Digit}, \p{Alnum}, \p{Upper},
//     \p{Lower}, \p{Punct}, \p{Space}, \p{XDigit}, \p{ASCII}); \p{IsAlphabetic} as L + Nl (Java's
//     Alphabetic also takes Other_Alphabetic marks, which RE2 does not know: those few hundred
//     combining marks are the difference);
//   - possessive quantifiers (a++, a*+, a?+, a{n}+), lookaround, back references, class
//     intersection/union ([a&&b], [a[b]]), \b, \Q..\E and inline flags are refused;
//   - a few model patterns need negative lookahead, which RE2 lacks; for those exact pattern
//     texts Compile() uses a hand-made equivalent (kLookaheadEquivalents in pattern.cc, each one
//     unit-tested against the Java meaning), possibly as a conjunction of RE2 expressions that must
//     and must not match.
//
// Copyable (the compiled expressions are shared); immutable after Compile(); FullMatch() is
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace openpca::api {

class Pattern {
 public:
  // Errors: kInternal when the pattern is not Java syntax or uses what Pattern cannot translate.
  static Result<Pattern> Compile(std::string_view java_regex);

  // The RE2 syntax a lookahead-free Java pattern translates to (exposed for tests).
  static Result<std::string> TranslateToRe2(std::string_view java_regex);

  // True if all of `utf8` matches. Ill-formed UTF-8 never matches.
  bool FullMatch(std::string_view utf8) const;

  const std::string& source() const { return source_; }

 private:
  struct Term {
    std::shared_ptr<const re2::RE2> re;
    bool must_match = true;  // false: the input must NOT fully match `re`
  };
  Pattern() = default;

  std::string source_;
  std::vector<Term> terms_;
};

}  // namespace openpca::api

// Pattern: a regular expression in the Java syntax subset that botocore service models use,
// matched against whole UTF-8 strings (Java's Matcher.matches()).
//
// Why not std::regex: libstdc++'s executor backtracks recursively per input character (an 80 KiB
// AWSPolicy would exhaust a worker's stack) and has no \p{L}/\p{N}/\p{Z}. This is a Thompson-NFA
// simulation over code points: linear in the input, no recursion over the input, no allocation
// after warm-up (per-thread scratch).
//
// Supported: literals, '.', escapes (\\ \. \- \t \n \r \f \uXXXX \xHH, any escaped punctuation),
// \d \D \w \W \s \S (ASCII, as in Java), \p{..} \P{..} for Unicode general categories (L, Lu, Ll,
// Lt, Lm, Lo, N, Nd, Nl, No, Z, Zs, Zl, Zp, optionally prefixed "Is"), classes [..] / [^..] with
// ranges, groups (..) and (?:..), alternation, quantifiers * + ? {n} {n,} {n,m} (lazy suffix
// accepted; possessive rejected), ^ and $. Anything else fails Compile() with kInternal, so an
// unsupported model pattern is caught when the model loads, never at request time.
//
// Immutable after Compile(); FullMatch() is thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/unicode_tables.h"
#include "common/status.h"

namespace openpca::api {

class Pattern {
 public:
  static Result<Pattern> Compile(std::string_view java_regex);

  // True if all of `utf8` matches. Ill-formed UTF-8 never matches.
  bool FullMatch(std::string_view utf8) const;

  const std::string& source() const { return source_; }

  // One member of a character class: a set of code point ranges, possibly negated.
  struct ClassItem {
    std::vector<CodePointRange> own;        // used when `table` is empty
    std::span<const CodePointRange> table;  // a Unicode category table
    bool negated = false;
  };
  struct CharClass {
    std::vector<ClassItem> items;
    bool negated = false;
    uint64_t ascii[2] = {0, 0};  // membership of U+0000..U+007F, precomputed
    bool Matches(char32_t c) const;
    bool SlowMatches(char32_t c) const;
  };
  struct Inst {
    enum Op : uint8_t { kClass, kSplit, kJmp, kBol, kEol, kMatch };
    Op op;
    int x = 0;
    int y = 0;
  };

 private:
  friend class PatternCompiler;
  Pattern() = default;
  void AddThread(std::vector<int>& list, int pc, bool at_begin, bool at_end,
                 std::vector<uint32_t>& mark, uint32_t gen, std::vector<int>& stack) const;

  std::string source_;
  std::vector<CharClass> classes_;
  std::vector<Inst> program_;
};

}  // namespace openpca::api

// Wildcard matching for IAM policies: '*' (any run, possibly empty) and '?' (exactly one byte).
//
// A pattern is compiled once into GlobPattern: a sequence of literal bytes and wildcards, so that
// a policy variable's value can be spliced in as literal text (a principal tag "*" must not become
// a wildcard) and "${*}" can stand for a literal '*'. Matching is the two-pointer algorithm with
// one backtrack point: O(pattern * text) in the worst case, no recursion, no allocation.
// Pure functions and value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace openpca::policy {

class GlobPattern {
 public:
  static constexpr uint16_t kStar = 256;
  static constexpr uint16_t kQuestion = 257;

  GlobPattern() = default;
  // '*' and '?' in `text` are wildcards.
  static GlobPattern FromWildcardText(std::string_view text);

  void AppendLiteral(std::string_view text);
  void AppendWildcardText(std::string_view text);
  void Clear() {
    units_.clear();
    prefix_.clear();
    exact_ = true;
  }
  // Lower-cases the literal bytes (ASCII), for case-insensitive matching.
  void LowerCase();

  bool empty() const { return units_.empty(); }
  bool HasWildcard() const { return !exact_; }
  // True when the pattern is exactly one '*' (matches everything).
  bool IsMatchAll() const { return units_.size() == 1 && units_[0] == kStar; }
  const std::vector<uint16_t>& units() const { return units_; }

  // Case-sensitive unless `fold_case`; with fold_case the pattern must already be LowerCase()d and
  // the text is folded byte by byte (ASCII).
  bool Matches(std::string_view text, bool fold_case = false) const;

 private:
  void Update();  // recomputes prefix_ and exact_ after a change

  std::vector<uint16_t> units_;
  // The literal bytes before the first wildcard, compared with memcmp before the glob runs: most
  // patterns differ from most texts within it ("acm-pca:get*" vs "acm-pca:issuecertificate").
  std::string prefix_;
  bool exact_ = true;  // no wildcard at all
};

// Plain wildcard match of `text` against `pattern` text ('*', '?' wildcards), case-sensitive.
bool WildcardMatch(std::string_view pattern, std::string_view text);

char AsciiLower(char c);
std::string AsciiLowerCopy(std::string_view s);
bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b);

// An ARN split at its first five colons: arn:partition:service:region:account:resource (the
// resource part keeps any further colons). nullopt-like `ok` false when fewer than six parts.
struct ArnParts {
  bool ok = false;
  std::string_view part[6];
};
ArnParts SplitArn(std::string_view arn);

}  // namespace openpca::policy

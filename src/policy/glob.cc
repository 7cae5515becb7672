#include "policy/glob.h"

#include <cstring>

namespace openpca::policy {

GlobPattern GlobPattern::FromWildcardText(std::string_view text) {
  GlobPattern p;
  p.AppendWildcardText(text);
  return p;
}

void GlobPattern::AppendLiteral(std::string_view text) {
  for (char c : text) units_.push_back(static_cast<uint8_t>(c));
  Update();
}

void GlobPattern::Update() {
  prefix_.clear();
  exact_ = true;
  for (uint16_t u : units_) {
    if (u == kStar || u == kQuestion) {
      exact_ = false;
      break;
    }
    prefix_.push_back(static_cast<char>(u));
  }
}

void GlobPattern::AppendWildcardText(std::string_view text) {
  for (char c : text) {
    if (c == '*') {
      // Collapse runs of '*': same language, less backtracking.
      if (units_.empty() || units_.back() != kStar) units_.push_back(kStar);
    } else if (c == '?') {
      units_.push_back(kQuestion);
    } else {
      units_.push_back(static_cast<uint8_t>(c));
    }
  }
  Update();
}

void GlobPattern::LowerCase() {
  for (uint16_t& u : units_) {
    if (u >= 'A' && u <= 'Z') u = static_cast<uint16_t>(u - 'A' + 'a');
  }
  Update();
}

bool GlobPattern::Matches(std::string_view text, bool fold_case) const {
  const size_t n = units_.size();
  const size_t m = text.size();
  const size_t k = prefix_.size();
  if (m < k || (exact_ && m != k)) return false;
  if (fold_case) {
    for (size_t i = 0; i < k; ++i) {
      if (AsciiLower(text[i]) != prefix_[i]) return false;
    }
  } else if (std::memcmp(text.data(), prefix_.data(), k) != 0) {
    return false;
  }
  if (exact_) return true;
  size_t p = k;
  size_t t = k;
  size_t star_p = SIZE_MAX;  // position after the last '*' seen
  size_t star_t = 0;         // text position that '*' currently extends to
  while (t < m) {
    if (p < n) {
      uint16_t u = units_[p];
      if (u == kStar) {
        star_p = ++p;
        star_t = t;
        continue;
      }
      unsigned char c = static_cast<unsigned char>(text[t]);
      if (fold_case && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
      if (u == kQuestion || u == c) {
        ++p;
        ++t;
        continue;
      }
    }
    if (star_p == SIZE_MAX) return false;
    // Let the last '*' swallow one more byte and retry; earlier stars never need revisiting.
    p = star_p;
    t = ++star_t;
  }
  while (p < n && units_[p] == kStar) ++p;
  return p == n;
}

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  return GlobPattern::FromWildcardText(pattern).Matches(text);
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

ArnParts SplitArn(std::string_view arn) {
  ArnParts out;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return out;
    out.part[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  out.part[5] = arn.substr(start);
  out.ok = out.part[0] == "arn";
  return out;
}

}  // namespace openpca::policy

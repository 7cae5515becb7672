#include "policy/arn_pattern.h"

namespace openpca::policy {
namespace {

// Splits at the first five colons outside "${...}".
std::vector<std::string_view> SplitPattern(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i < text.size() && out.size() < 5; ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && depth > 0) {
      --depth;
    } else if (text[i] == ':' && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

}  // namespace

ArnPattern ArnPattern::Parse(std::string_view text, bool variables) {
  ArnPattern p;
  p.text_ = std::string(text);
  std::vector<std::string_view> pieces;
  if (text.substr(0, 4) == "arn:") {
    pieces = SplitPattern(text);
  } else {
    p.whole_ = true;
    pieces.push_back(text);
  }
  for (std::string_view piece : pieces) {
    p.parts_.push_back(ValueTemplate::Parse(piece, variables));
    p.has_variables_ = p.has_variables_ || p.parts_.back().has_variables();
  }
  if (!p.has_variables_) {
    for (const ValueTemplate& t : p.parts_) p.compiled_.push_back(t.StaticGlob());
  }
  p.match_all_ = p.whole_ && !p.has_variables_ && p.compiled_[0].IsMatchAll();
  return p;
}

std::vector<std::string> ArnPattern::VariableKeys() const {
  std::vector<std::string> out;
  for (const ValueTemplate& t : parts_) {
    for (std::string& k : t.VariableKeys()) out.push_back(std::move(k));
  }
  return out;
}

bool ArnPattern::Matches(std::string_view arn, const RequestContext& request) const {
  if (match_all_) return true;
  thread_local GlobPattern scratch;
  auto part_glob = [&](size_t i) -> const GlobPattern* {
    if (!has_variables_) return &compiled_[i];
    scratch.Clear();
    return parts_[i].ExpandGlob(request, &scratch) ? &scratch : nullptr;
  };
  if (whole_) {
    const GlobPattern* g = part_glob(0);
    return g != nullptr && g->Matches(arn);
  }
  ArnParts a = SplitArn(arn);
  // An ARN with fewer parts can still match a short pattern ("arn:aws:s3:*" vs "arn:aws:s3:::b").
  const size_t n = parts_.size();
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string_view subject;
    if (i + 1 == n) {
      subject = start <= arn.size() ? arn.substr(start) : std::string_view();
      if (start > arn.size()) return false;
    } else {
      if (!a.ok) {
        // Fewer than six parts in the ARN: take the next colon-delimited piece.
        size_t colon = arn.find(':', start);
        if (colon == std::string_view::npos) return false;
        subject = arn.substr(start, colon - start);
      } else {
        subject = a.part[i];
      }
    }
    const GlobPattern* g = part_glob(i);
    if (g == nullptr || !g->Matches(subject)) return false;
    start += subject.size() + 1;
  }
  return true;
}

}  // namespace openpca::policy

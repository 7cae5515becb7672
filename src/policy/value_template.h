// Policy values that may contain policy variables (Version 2012-10-17): "${aws:username}",
// "${aws:PrincipalTag/team, 'default'}", and "${*}", "${?}", "${$}" for a literal '*', '?', '$'.
// Parsed once; expanded against a RequestContext at evaluation time. A variable whose key is
// absent (or multivalued) and has no default leaves the template unresolved: the comparison it
// takes part in does not match. Immutable after parsing; thread-safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/glob.h"
#include "policy/request_context.h"

namespace openpca::policy {

class ValueTemplate {
 public:
  // `variables`: false for Version 2008-10-17 (and missing Version), where "${...}" is text.
  static ValueTemplate Parse(std::string_view text, bool variables);

  bool has_variables() const { return has_variables_; }
  // The text as written in the policy.
  const std::string& text() const { return text_; }
  // Without variables: the value with "${*}"-style escapes resolved (compare with this).
  const std::string& static_text() const { return static_text_; }
  // Key names of the variables used, as written (not the ${*} escapes).
  std::vector<std::string> VariableKeys() const;

  // All parts as plain text; false if a variable is unresolved. Appends to `out`.
  bool ExpandString(const RequestContext& request, std::string* out) const;
  // Written text keeps '*'/'?' as wildcards; escapes and variable values are literal. Appends.
  bool ExpandGlob(const RequestContext& request, GlobPattern* out) const;
  // The pattern when there are no variables (precomputed by callers that need it).
  GlobPattern StaticGlob() const;

 private:
  struct Part {
    enum Kind { kText, kLiteral, kVariable } kind;
    std::string text;  // kText/kLiteral: the text; kVariable: the lower-cased key
    std::optional<std::string> default_value;
    std::string written_key;  // kVariable: the key as written
  };
  const std::string* Resolve(const Part& part, const RequestContext& request) const;

  std::string text_;
  std::string static_text_;
  std::vector<Part> parts_;
  bool has_variables_ = false;
};

}  // namespace openpca::policy

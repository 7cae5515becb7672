// An ARN pattern from a policy's Resource/NotResource or an Arn* condition value.
//
// Matching is case-sensitive and per component: the pattern and the ARN are split at their first
// five colons (arn:partition:service:region:account:resource) and each part is globbed on its own,
// so '*' never crosses a colon in the first five parts but may span '/' and ':' in the resource
// part. A pattern with fewer than six parts matches its last part against the rest of the ARN
// ("arn:aws:s3:*" covers every S3 ARN). A pattern that is not an ARN ("*") is globbed against the
// whole text. Policy variables are expanded per request. Immutable; thread-safe to share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/glob.h"
#include "policy/request_context.h"
#include "policy/value_template.h"

namespace openpca::policy {

class ArnPattern {
 public:
  static ArnPattern Parse(std::string_view text, bool variables);

  const std::string& text() const { return text_; }
  bool is_match_all() const { return match_all_; }
  bool has_variables() const { return has_variables_; }
  std::vector<std::string> VariableKeys() const;

  // False when a variable in the pattern is unresolved.
  bool Matches(std::string_view arn, const RequestContext& request) const;

 private:
  std::string text_;
  bool match_all_ = false;
  bool has_variables_ = false;
  bool whole_ = false;  // not an ARN pattern: glob the whole text
  std::vector<ValueTemplate> parts_;
  std::vector<GlobPattern> compiled_;  // when !has_variables_
};

}  // namespace openpca::policy

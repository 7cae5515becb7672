// One compiled condition: an operator applied to one condition key with its list of policy values
// ({"StringEquals": {"aws:ResourceTag/project": ["a", "b"]}} is one Condition). Numbers, dates,
// CIDRs and base64 values are parsed when the policy is parsed; string and ARN values may hold
// policy variables. Immutable; thread-safe to share.
//
// Semantics (IAM): values OR (a negated operator needs the request value to match none); an absent
// key makes a positive operator false and a negated one true, ...IfExists makes it true;
// ForAllValues: is true for an absent or empty key, ForAnyValue: false.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "policy/arn_pattern.h"
#include "policy/glob.h"
#include "policy/request_context.h"
#include "policy/value_template.h"

namespace openpca::policy {

enum class ConditionFamily {
  kString,
  kStringIgnoreCase,
  kStringLike,
  kNumeric,
  kDate,
  kBool,
  kBinary,
  kIp,
  kArn,
  kNull
};
enum class Comparison { kEquals, kLessThan, kLessThanEquals, kGreaterThan, kGreaterThanEquals };
enum class SetOperator { kNone, kForAllValues, kForAnyValue };

struct Cidr {
  int family = 0;  // 4 or 6
  uint8_t addr[16] = {};
  int prefix = 0;
};

// Parses "a.b.c.d", "a.b.c.d/n", IPv6 and IPv6/n. Host bits beyond the prefix are ignored.
bool ParseCidr(std::string_view text, Cidr* out);
bool CidrContains(const Cidr& net, const Cidr& addr);
// ISO 8601 ("2026-01-01", "2026-01-01T00:00:00Z", fractions, "+hh:mm" offsets) or epoch seconds
// (possibly fractional) → milliseconds since the epoch.
bool ParseDateMillis(std::string_view text, int64_t* out);
bool ParseNumber(std::string_view text, double* out);

struct ConditionValue {
  ValueTemplate text;  // every family: the value as written (variables only for String*/Arn*)
  GlobPattern like;    // kStringLike without variables
  ArnPattern arn;      // kArn
  double number = 0;
  int64_t date_ms = 0;
  bool boolean = false;
  std::string binary;  // decoded bytes
  Cidr cidr;
};

struct Condition {
  std::string op;   // as written, "ForAnyValue:StringLikeIfExists"
  std::string key;  // as written
  std::string key_lower;
  ConditionFamily family = ConditionFamily::kString;
  Comparison comparison = Comparison::kEquals;
  bool negated = false;
  bool if_exists = false;
  SetOperator set = SetOperator::kNone;
  bool null_expect_absent = false;  // Null: "true"
  std::vector<ConditionValue> values;

  // Errors: kMalformedPolicyDocument ("Invalid Condition type : X", bad values).
  static Result<Condition> Compile(std::string_view op, std::string_view key,
                                   const std::vector<std::string>& values, bool variables);

  bool Evaluate(const RequestContext& request) const;
};

}  // namespace openpca::policy

#include "policy/condition.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "common/bytes.h"

namespace openpca::policy {
namespace {

struct OperatorInfo {
  const char* name;
  ConditionFamily family;
  Comparison comparison;
  bool negated;
};

constexpr OperatorInfo kOperators[] = {
    {"StringEquals", ConditionFamily::kString, Comparison::kEquals, false},
    {"StringNotEquals", ConditionFamily::kString, Comparison::kEquals, true},
    {"StringEqualsIgnoreCase", ConditionFamily::kStringIgnoreCase, Comparison::kEquals, false},
    {"StringNotEqualsIgnoreCase", ConditionFamily::kStringIgnoreCase, Comparison::kEquals, true},
    {"StringLike", ConditionFamily::kStringLike, Comparison::kEquals, false},
    {"StringNotLike", ConditionFamily::kStringLike, Comparison::kEquals, true},
    {"NumericEquals", ConditionFamily::kNumeric, Comparison::kEquals, false},
    {"NumericNotEquals", ConditionFamily::kNumeric, Comparison::kEquals, true},
    {"NumericLessThan", ConditionFamily::kNumeric, Comparison::kLessThan, false},
    {"NumericLessThanEquals", ConditionFamily::kNumeric, Comparison::kLessThanEquals, false},
    {"NumericGreaterThan", ConditionFamily::kNumeric, Comparison::kGreaterThan, false},
    {"NumericGreaterThanEquals", ConditionFamily::kNumeric, Comparison::kGreaterThanEquals, false},
    {"DateEquals", ConditionFamily::kDate, Comparison::kEquals, false},
    {"DateNotEquals", ConditionFamily::kDate, Comparison::kEquals, true},
    {"DateLessThan", ConditionFamily::kDate, Comparison::kLessThan, false},
    {"DateLessThanEquals", ConditionFamily::kDate, Comparison::kLessThanEquals, false},
    {"DateGreaterThan", ConditionFamily::kDate, Comparison::kGreaterThan, false},
    {"DateGreaterThanEquals", ConditionFamily::kDate, Comparison::kGreaterThanEquals, false},
    {"Bool", ConditionFamily::kBool, Comparison::kEquals, false},
    {"BinaryEquals", ConditionFamily::kBinary, Comparison::kEquals, false},
    {"IpAddress", ConditionFamily::kIp, Comparison::kEquals, false},
    {"NotIpAddress", ConditionFamily::kIp, Comparison::kEquals, true},
    {"ArnEquals", ConditionFamily::kArn, Comparison::kEquals, false},
    {"ArnLike", ConditionFamily::kArn, Comparison::kEquals, false},
    {"ArnNotEquals", ConditionFamily::kArn, Comparison::kEquals, true},
    {"ArnNotLike", ConditionFamily::kArn, Comparison::kEquals, true},
    {"Null", ConditionFamily::kNull, Comparison::kEquals, false},
};

Status Malformed(std::string message) {
  return Status(ErrorCode::kMalformedPolicyDocument, std::move(message));
}

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

template <typename Cmp>
bool Compare(Comparison c, const Cmp& a, const Cmp& b) {
  switch (c) {
    case Comparison::kEquals:
      return a == b;
    case Comparison::kLessThan:
      return a < b;
    case Comparison::kLessThanEquals:
      return a <= b;
    case Comparison::kGreaterThan:
      return a > b;
    case Comparison::kGreaterThanEquals:
      return a >= b;
  }
  return false;
}

bool ParseBool(std::string_view s, bool* out) {
  if (AsciiEqualsIgnoreCase(s, "true")) {
    *out = true;
    return true;
  }
  if (AsciiEqualsIgnoreCase(s, "false")) {
    *out = false;
    return true;
  }
  return false;
}

}  // namespace

bool ParseNumber(std::string_view text, double* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool ParseDateMillis(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  // Epoch seconds: digits, optional sign and fraction, no '-' after the first character.
  if (s.find_first_not_of("0123456789.+-") == std::string_view::npos &&
      s.find('-', 1) == std::string_view::npos) {
    double secs;
    if (!ParseNumber(s, &secs)) return false;
    *out = static_cast<int64_t>(secs * 1000.0);
    return true;
  }
  int year, month, day;
  if (!ParseDigits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' ||
      !ParseDigits(s, 5, 2, &month) || s[7] != '-' || !ParseDigits(s, 8, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  int hour = 0, minute = 0, second = 0;
  int64_t millis = 0;
  size_t pos = 10;
  int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't') return false;
    ++pos;
    if (!ParseDigits(s, pos, 2, &hour) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !ParseDigits(s, pos + 3, 2, &minute)) {
      return false;
    }
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!ParseDigits(s, pos + 1, 2, &second)) return false;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int64_t scale = 100;
        size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          millis += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
          ++digits;
        }
        if (digits == 0) return false;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return false;
    if (pos < s.size()) {
      if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
        pos = s.size();
      } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        int oh, om = 0;
        if (!ParseDigits(s, pos + 1, 2, &oh)) return false;
        size_t p = pos + 3;
        if (p < s.size() && s[p] == ':') ++p;
        if (p < s.size() && !ParseDigits(s, p, 2, &om)) return false;
        if (p < s.size()) p += 2;
        if (p != s.size()) return false;
        offset_min = sign * (oh * 60 + om);
        pos = s.size();
      } else {
        return false;
      }
    }
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  *out = secs * 1000 + millis;
  return true;
}

bool ParseCidr(std::string_view text, Cidr* out) {
  std::string addr(text);
  int prefix = -1;
  size_t slash = addr.find('/');
  if (slash != std::string::npos) {
    std::string_view p = std::string_view(addr).substr(slash + 1);
    if (p.empty() || p.size() > 3) return false;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      prefix = prefix * 10 + (c - '0');
    }
    addr.resize(slash);
  }
  Cidr c;
  if (inet_pton(AF_INET, addr.c_str(), c.addr) == 1) {
    c.family = 4;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return false;
  } else if (inet_pton(AF_INET6, addr.c_str(), c.addr) == 1) {
    c.family = 6;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) return false;
  } else {
    return false;
  }
  c.prefix = prefix;
  *out = c;
  return true;
}

bool CidrContains(const Cidr& net, const Cidr& addr) {
  if (net.family != addr.family) return false;
  int full = net.prefix / 8;
  if (std::memcmp(net.addr, addr.addr, static_cast<size_t>(full)) != 0) return false;
  int rest = net.prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (net.addr[full] & mask) == (addr.addr[full] & mask);
}

Result<Condition> Condition::Compile(std::string_view op, std::string_view key,
                                     const std::vector<std::string>& values, bool variables) {
  Condition c;
  c.op = std::string(op);
  c.key = std::string(key);
  c.key_lower = AsciiLowerCopy(key);
  std::string_view base = op;
  if (base.substr(0, 13) == "ForAllValues:") {
    c.set = SetOperator::kForAllValues;
    base.remove_prefix(13);
  } else if (base.substr(0, 12) == "ForAnyValue:") {
    c.set = SetOperator::kForAnyValue;
    base.remove_prefix(12);
  }
  constexpr std::string_view kIfExists = "IfExists";
  if (base.size() > kIfExists.size() && base.substr(base.size() - kIfExists.size()) == kIfExists) {
    c.if_exists = true;
    base.remove_suffix(kIfExists.size());
  }
  const OperatorInfo* info = nullptr;
  for (const OperatorInfo& o : kOperators) {
    if (base == o.name) info = &o;
  }
  if (info == nullptr ||
      (info->family == ConditionFamily::kNull && (c.if_exists || c.set != SetOperator::kNone))) {
    return Malformed("Invalid Condition type : " + std::string(op));
  }
  c.family = info->family;
  c.comparison = info->comparison;
  c.negated = info->negated;
  // Only string and ARN operators take policy variables.
  const bool vars =
      variables &&
      (c.family == ConditionFamily::kString || c.family == ConditionFamily::kStringIgnoreCase ||
       c.family == ConditionFamily::kStringLike || c.family == ConditionFamily::kArn);
  for (const std::string& v : values) {
    ConditionValue cv;
    cv.text = ValueTemplate::Parse(v, vars);
    auto bad = [&](const char* what) {
      return Malformed(std::string("Invalid ") + what + " value for condition " + std::string(op) +
                       " on key " + std::string(key) + ": " + v);
    };
    switch (c.family) {
      case ConditionFamily::kString:
        break;
      case ConditionFamily::kStringIgnoreCase:
        break;
      case ConditionFamily::kStringLike:
        if (!cv.text.has_variables()) cv.like = cv.text.StaticGlob();
        break;
      case ConditionFamily::kArn:
        cv.arn = ArnPattern::Parse(v, vars);
        break;
      case ConditionFamily::kNumeric:
        if (!ParseNumber(v, &cv.number)) return bad("numeric");
        break;
      case ConditionFamily::kDate:
        if (!ParseDateMillis(v, &cv.date_ms)) return bad("date");
        break;
      case ConditionFamily::kBool:
        if (!ParseBool(v, &cv.boolean)) return bad("boolean");
        break;
      case ConditionFamily::kBinary: {
        std::optional<Bytes> b = Base64Decode(v);
        if (!b.has_value()) return bad("base64");
        cv.binary.assign(b->begin(), b->end());
        break;
      }
      case ConditionFamily::kIp:
        if (!ParseCidr(v, &cv.cidr)) return bad("IP address");
        break;
      case ConditionFamily::kNull:
        if (variables && v.find("${") != std::string::npos) {
          return Malformed("The Null condition operator cannot be used with policy variables: " +
                           std::string(key));
        }
        if (!ParseBool(v, &cv.boolean)) return bad("Null");
        c.null_expect_absent = cv.boolean;
        break;
    }
    c.values.push_back(std::move(cv));
  }
  if (c.family == ConditionFamily::kNull && c.values.size() != 1) {
    return Malformed("The Null condition operator takes one value, true or false: " +
                     std::string(key));
  }
  return c;
}

namespace {

// The operator without negation: does request value `v` match any of the policy values? The
// request value is parsed once (numbers, dates, addresses), then compared with each.
bool AnyValueMatches(const Condition& c, std::string_view v, const RequestContext& request) {
  thread_local std::string scratch;
  thread_local GlobPattern glob_scratch;
  const std::vector<ConditionValue>& values = c.values;
  switch (c.family) {
    case ConditionFamily::kString:
      for (const ConditionValue& pv : values) {
        if (!pv.text.has_variables()) {
          if (v == pv.text.static_text()) return true;
          continue;
        }
        scratch.clear();
        if (pv.text.ExpandString(request, &scratch) && v == scratch) return true;
      }
      return false;
    case ConditionFamily::kStringIgnoreCase:
      for (const ConditionValue& pv : values) {
        if (!pv.text.has_variables()) {
          if (AsciiEqualsIgnoreCase(v, pv.text.static_text())) return true;
          continue;
        }
        scratch.clear();
        if (pv.text.ExpandString(request, &scratch) && AsciiEqualsIgnoreCase(v, scratch)) {
          return true;
        }
      }
      return false;
    case ConditionFamily::kStringLike:
      for (const ConditionValue& pv : values) {
        if (!pv.text.has_variables()) {
          if (pv.like.Matches(v)) return true;
          continue;
        }
        glob_scratch.Clear();
        if (pv.text.ExpandGlob(request, &glob_scratch) && glob_scratch.Matches(v)) return true;
      }
      return false;
    case ConditionFamily::kArn:
      // A request value that is not an ARN never matches an ARN pattern.
      if (!SplitArn(v).ok) return false;
      for (const ConditionValue& pv : values) {
        if (pv.arn.Matches(v, request)) return true;
      }
      return false;
    case ConditionFamily::kNumeric: {
      double d;
      if (!ParseNumber(v, &d)) return false;
      for (const ConditionValue& pv : values) {
        if (Compare(c.comparison, d, pv.number)) return true;
      }
      return false;
    }
    case ConditionFamily::kDate: {
      int64_t ms;
      if (!ParseDateMillis(v, &ms)) return false;
      for (const ConditionValue& pv : values) {
        if (Compare(c.comparison, ms, pv.date_ms)) return true;
      }
      return false;
    }
    case ConditionFamily::kBool: {
      bool b;
      if (!ParseBool(v, &b)) return false;
      for (const ConditionValue& pv : values) {
        if (b == pv.boolean) return true;
      }
      return false;
    }
    case ConditionFamily::kBinary: {
      std::optional<Bytes> b = Base64Decode(v);
      if (!b.has_value()) return false;
      for (const ConditionValue& pv : values) {
        if (AsStringView(*b) == pv.binary) return true;
      }
      return false;
    }
    case ConditionFamily::kIp: {
      Cidr addr;
      if (!ParseCidr(v, &addr)) return false;
      for (const ConditionValue& pv : values) {
        if (CidrContains(pv.cidr, addr)) return true;
      }
      return false;
    }
    case ConditionFamily::kNull:
      return false;
  }
  return false;
}

}  // namespace

bool Condition::Evaluate(const RequestContext& request) const {
  const RequestContext::Entry* e = request.FindLower(key_lower);
  if (family == ConditionFamily::kNull) {
    const bool is_null = e == nullptr || e->values.empty();
    return is_null == null_expect_absent;
  }
  if (e == nullptr) {
    if (if_exists) return true;
    switch (set) {
      case SetOperator::kForAllValues:
        return true;
      case SetOperator::kForAnyValue:
        return false;
      case SetOperator::kNone:
        return negated;
    }
  }
  const std::vector<std::string>& vals = e->values;
  switch (set) {
    case SetOperator::kForAllValues:
      for (const std::string& v : vals) {
        if (AnyValueMatches(*this, v, request) == negated) return false;
      }
      return true;
    case SetOperator::kForAnyValue:
      for (const std::string& v : vals) {
        if (AnyValueMatches(*this, v, request) != negated) return true;
      }
      return false;
    case SetOperator::kNone:
      break;
  }
  bool any = false;
  for (const std::string& v : vals) {
    if (AnyValueMatches(*this, v, request)) {
      any = true;
      break;
    }
  }
  return any != negated;
}

}  // namespace openpca::policy

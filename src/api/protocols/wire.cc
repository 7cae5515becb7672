#include "api/protocols/wire.h"

#include <cstdlib>

#include <cerrno>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "api/canonical_request.h"

namespace openpca::api::protocols {
namespace {

constexpr int kMaxDepth = 32;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
  int weekday;  // 0 = Sunday
};

Civil CivilFromEpoch(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  Civil c{};
  c.hour = static_cast<unsigned>(rem / 3600);
  c.minute = static_cast<unsigned>(rem % 3600 / 60);
  c.second = static_cast<unsigned>(rem % 60);
  c.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2);
  return c;
}

bool ReadInt(std::string_view s, size_t& pos, size_t digits, int& out) {
  if (pos + digits > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < digits; ++i) {
    char ch = s[pos + i];
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + (ch - '0');
  }
  pos += digits;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

bool ValidCivil(int mo, int d, int h, int mi, int se) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 60;
}

std::optional<double> ParseIso8601(std::string_view s) {
  size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!ReadInt(s, pos, 4, y) || !Expect(s, pos, '-') || !ReadInt(s, pos, 2, mo) ||
      !Expect(s, pos, '-') || !ReadInt(s, pos, 2, d)) {
    return std::nullopt;
  }
  double frac = 0;
  int offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!ReadInt(s, pos, 2, h) || !Expect(s, pos, ':') || !ReadInt(s, pos, 2, mi)) {
      return std::nullopt;
    }
    if (Expect(s, pos, ':') && !ReadInt(s, pos, 2, se)) return std::nullopt;
    if (Expect(s, pos, '.')) {
      double scale = 0.1;
      size_t start = pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        frac += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '+' ? 1 : -1;
        ++pos;
        int oh, om = 0;
        if (!ReadInt(s, pos, 2, oh)) return std::nullopt;
        Expect(s, pos, ':');
        if (pos < s.size() && !ReadInt(s, pos, 2, om)) return std::nullopt;
        offset = sign * (oh * 3600 + om * 60);
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  if (!ValidCivil(mo, d, h, mi, se)) return std::nullopt;
  int64_t secs = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                 h * 3600 + mi * 60 + se - offset;
  return static_cast<double>(secs) + frac;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

// "Tue, 02 Jan 2024 03:04:05 GMT" (the day name is optional).
std::optional<double> ParseHttpDate(std::string_view s) {
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) s.remove_prefix(comma + 1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t pos = 0;
  int d, y, h, mi, se;
  if (!ReadInt(s, pos, 2, d) && !(pos = 0, ReadInt(s, pos, 1, d))) return std::nullopt;
  if (!Expect(s, pos, ' ') || pos + 3 > s.size()) return std::nullopt;
  int mo = 0;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(pos, 3) == kMonths[i]) mo = i + 1;
  }
  if (mo == 0) return std::nullopt;
  pos += 3;
  if (!Expect(s, pos, ' ') || !ReadInt(s, pos, 4, y) || !Expect(s, pos, ' ') ||
      !ReadInt(s, pos, 2, h) || !Expect(s, pos, ':') || !ReadInt(s, pos, 2, mi) ||
      !Expect(s, pos, ':') || !ReadInt(s, pos, 2, se)) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(pos);
  if (rest != " GMT" && rest != " UTC" && rest != " Z" && !rest.empty()) return std::nullopt;
  if (!ValidCivil(mo, d, h, mi, se)) return std::nullopt;
  return static_cast<double>(
      DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
      mi * 60 + se);
}

std::optional<double> ParseEpochText(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<double> ParseTimestamp(std::string_view text) {
  if (std::optional<double> v = ParseIso8601(text)) return v;
  if (std::optional<double> v = ParseEpochText(text)) return v;
  return ParseHttpDate(text);
}

std::optional<double> TimestampSeconds(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return ParseTimestamp(v.get_ref<const std::string&>());
  return std::nullopt;
}

std::string FormatIso8601(double epoch_seconds) {
  double whole = std::floor(epoch_seconds);
  int millis = static_cast<int>(std::lround((epoch_seconds - whole) * 1000));
  if (millis == 1000) {
    whole += 1;
    millis = 0;
  }
  Civil c = CivilFromEpoch(static_cast<int64_t>(whole));
  char buf[64];
  if (millis == 0) {
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02u:%02u:%02uZ",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02u:%02u:%02u.%03dZ",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second,
                  millis);
  }
  return buf;
}

std::string FormatHttpDate(double epoch_seconds) {
  Civil c = CivilFromEpoch(static_cast<int64_t>(std::floor(epoch_seconds)));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04lld %02u:%02u:%02u GMT", kDays[c.weekday], c.day,
                kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute, c.second);
  return buf;
}

nlohmann::json EpochJson(double epoch_seconds) {
  double whole = std::floor(epoch_seconds);
  if (whole == epoch_seconds && std::fabs(whole) < 9e15) {
    return static_cast<int64_t>(whole);
  }
  return std::round(epoch_seconds * 1000) / 1000;
}

std::vector<FormParam> ParseForm(std::string_view text) {
  std::vector<FormParam> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    std::string pair(text.substr(start, amp - start));
    start = amp + 1;
    if (pair.empty()) continue;
    for (char& ch : pair) {
      if (ch == '+') ch = ' ';
    }
    size_t eq = pair.find('=');
    std::string_view p(pair);
    out.push_back({sigv4::PercentDecode(p.substr(0, eq)),
                   eq == std::string::npos ? std::string() : sigv4::PercentDecode(p.substr(eq + 1))});
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  sigv4::AppendUriEncoded(text, /*encode_slash=*/true, &out);
  return out;
}

namespace {

bool ContainsTimestampAt(const Shape& shape, int depth) {
  if (depth > kMaxDepth) return false;
  switch (shape.type) {
    case ShapeType::kTimestamp:
      return true;
    case ShapeType::kStructure:
      for (const ShapeMember& m : shape.members) {
        if (ContainsTimestampAt(*m.shape, depth + 1)) return true;
      }
      return false;
    case ShapeType::kList:
      return ContainsTimestampAt(*shape.member, depth + 1);
    case ShapeType::kMap:
      return ContainsTimestampAt(*shape.value, depth + 1);
    default:
      return false;
  }
}

void Normalize(const Shape& shape, std::string_view format, nlohmann::json& v, int depth) {
  if (depth > kMaxDepth) return;
  switch (shape.type) {
    case ShapeType::kTimestamp: {
      std::optional<double> secs = TimestampSeconds(v);
      if (!secs.has_value()) return;
      if (format == "iso8601") {
        v = FormatIso8601(*secs);
      } else if (format == "rfc822") {
        v = FormatHttpDate(*secs);
      } else {
        v = EpochJson(*secs);
      }
      return;
    }
    case ShapeType::kStructure:
      if (!v.is_object()) return;
      for (const ShapeMember& m : shape.members) {
        auto it = v.find(m.name);
        if (it == v.end()) continue;
        if (m.shape->type == ShapeType::kTimestamp && !m.timestamp_format.empty()) {
          Normalize(*m.shape, m.timestamp_format, *it, depth + 1);
        } else {
          Normalize(*m.shape, format, *it, depth + 1);
        }
      }
      return;
    case ShapeType::kList:
      if (!v.is_array()) return;
      for (nlohmann::json& e : v) Normalize(*shape.member, format, e, depth + 1);
      return;
    case ShapeType::kMap:
      if (!v.is_object()) return;
      for (auto& [k, e] : v.items()) Normalize(*shape.value, format, e, depth + 1);
      return;
    default:
      return;
  }
}

}  // namespace

bool ContainsTimestamp(const Shape& shape) { return ContainsTimestampAt(shape, 0); }

void NormalizeTimestamps(const Shape& shape, std::string_view format, nlohmann::json& value) {
  Normalize(shape, format, value, 0);
}

TextScalar ParseTextScalar(const Shape& shape, const std::string& text, nlohmann::json* out,
                           std::string_view* expected) {
  switch (shape.type) {
    case ShapeType::kBoolean:
      if (text != "true" && text != "false") {
        *expected = "a boolean";
        return TextScalar::kMalformed;
      }
      *out = text == "true";
      return TextScalar::kParsed;
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      errno = 0;
      char* end = nullptr;
      long long n = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
        *expected = "an integer";
        return TextScalar::kMalformed;
      }
      *out = static_cast<int64_t>(n);
      return TextScalar::kParsed;
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(d)) {
        *expected = "a number";
        return TextScalar::kMalformed;
      }
      *out = d;
      return TextScalar::kParsed;
    }
    case ShapeType::kTimestamp: {
      std::optional<double> secs = ParseTimestamp(text);
      if (!secs.has_value()) {
        *expected = "a timestamp";
        return TextScalar::kMalformed;
      }
      *out = EpochJson(*secs);
      return TextScalar::kParsed;
    }
    default:
      return TextScalar::kNotThisType;
  }
}

}  // namespace openpca::api::protocols

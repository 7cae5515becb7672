#include "authority/validity.h"

#include <ctime>

namespace openpca::authority {
namespace {

// 9999-12-31T23:59:59Z, the last instant GeneralizedTime can carry.
constexpr int64_t kMaxUnixSeconds = 253402300799;

Status TooFar() {
  return Status(ErrorCode::kInvalidArgs, "The validity period is too long; it must end before the year 10000.");
}

Result<TimePoint> AddCalendar(TimePoint now, int64_t months) {
  int64_t s = ToUnixSeconds(now);
  time_t t = static_cast<time_t>(s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  int64_t total = static_cast<int64_t>(tm.tm_year) * 12 + tm.tm_mon + months;
  if (total / 12 + 1900 > 9999) return TooFar();
  tm.tm_year = static_cast<int>(total / 12);
  tm.tm_mon = static_cast<int>(total % 12);
  // Clamp the day to the target month's length (Jan 31 + 1 month = Feb 28/29).
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = tm.tm_year + 1900;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = kDays[tm.tm_mon] + (tm.tm_mon == 1 && leap ? 1 : 0);
  if (tm.tm_mday > max_day) tm.tm_mday = max_day;
  int64_t out = timegm(&tm);
  if (out > kMaxUnixSeconds) return TooFar();
  return FromUnixSeconds(out);
}

Result<TimePoint> ParseEndDate(int64_t value) {
  std::string digits = std::to_string(value);
  int year;
  size_t pos;
  if (digits.size() == 12) {  // UTCTime YYMMDDHHMMSS
    int yy = std::stoi(digits.substr(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    pos = 2;
  } else if (digits.size() == 14) {  // GeneralizedTime YYYYMMDDHHMMSS
    year = std::stoi(digits.substr(0, 4));
    pos = 4;
  } else if (digits.size() == 11) {  // UTCTime with a leading zero year digit lost in the number
    digits = "0" + digits;
    year = 2000 + std::stoi(digits.substr(0, 2));
    pos = 2;
  } else {
    return Status(ErrorCode::kInvalidArgs,
                  "END_DATE validity must be YYMMDDHHMMSS or YYYYMMDDHHMMSS");
  }
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = std::stoi(digits.substr(pos, 2)) - 1;
  tm.tm_mday = std::stoi(digits.substr(pos + 2, 2));
  tm.tm_hour = std::stoi(digits.substr(pos + 4, 2));
  tm.tm_min = std::stoi(digits.substr(pos + 6, 2));
  tm.tm_sec = std::stoi(digits.substr(pos + 8, 2));
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 59) {
    return Status(ErrorCode::kInvalidArgs, "END_DATE validity is not a valid date");
  }
  struct tm check = tm;
  int64_t s = timegm(&check);
  if (check.tm_mday != tm.tm_mday) {
    return Status(ErrorCode::kInvalidArgs, "END_DATE validity is not a valid date");
  }
  return FromUnixSeconds(s);
}

}  // namespace

Result<TimePoint> ResolveNotAfter(const ValiditySpec& spec, TimePoint now) {
  if (spec.value < 1) return Status(ErrorCode::kInvalidArgs, "Validity value must be positive");
  const int64_t now_s = ToUnixSeconds(now);
  if (spec.type == "DAYS") {
    if (spec.value > (kMaxUnixSeconds - now_s) / 86400) return TooFar();
    return FromUnixSeconds(now_s + spec.value * 86400);
  }
  if (spec.type == "MONTHS") {
    if (spec.value > 12 * 10000) return TooFar();
    return AddCalendar(now, spec.value);
  }
  if (spec.type == "YEARS") {
    if (spec.value > 10000) return TooFar();
    return AddCalendar(now, spec.value * 12);
  }
  if (spec.type == "ABSOLUTE") {
    if (spec.value > kMaxUnixSeconds) return TooFar();
    return FromUnixSeconds(spec.value);
  }
  if (spec.type == "END_DATE") return ParseEndDate(spec.value);
  return Status(ErrorCode::kInvalidArgs, "unknown validity type " + spec.type);
}

Result<TimePoint> ResolveNotBefore(const ValiditySpec& spec) {
  if (spec.type != "ABSOLUTE") {
    return Status(ErrorCode::kInvalidArgs, "ValidityNotBefore must have Type ABSOLUTE");
  }
  if (spec.value > kMaxUnixSeconds) return TooFar();
  return FromUnixSeconds(spec.value);
}

}  // namespace openpca::authority

#include "revocation/ocsp/ocsp_http.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <chrono>
#include <cstdio>

namespace openpca::revocation {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Standard base64 values, with the variants clients send: ' ' and '-' for '+' (a '+' that went
// through form decoding, base64url), '_' for '/'. -1 otherwise.
constexpr int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == ' ' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Base64Value() of every byte, with '%' and '=' marked: one load per character on the hot path.
constexpr int8_t kPercent = -2;
constexpr int8_t kPad = -3;
constexpr std::array<int8_t, 256> kDecodeTable = [] {
  std::array<int8_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = static_cast<int8_t>(Base64Value(static_cast<char>(i)));
  t['%'] = kPercent;
  t['='] = kPad;
  return t;
}();

// DecodeOcspGetPathInto() without emptying `out` on failure.
bool DecodeInto(std::string_view path_suffix, Bytes& out) {
  size_t start = path_suffix.find_first_not_of('/');
  if (start == std::string_view::npos) return false;
  path_suffix.remove_prefix(start);

  // One pass: percent-decoding, the base64 alphabet variants, then 6-bit groups into bytes.
  // Padding: '=' may only end the text (at most two); a missing one is tolerated.
  uint32_t acc = 0;
  size_t sextets = 0;  // base64 characters before any '='
  size_t pads = 0;
  out.resize(path_suffix.size() * 3 / 4 + 3);
  uint8_t* dst = out.data();
  for (size_t i = 0; i < path_suffix.size(); ++i) {
    int v = kDecodeTable[static_cast<uint8_t>(path_suffix[i])];
    if (v == kPercent) {
      if (i + 2 >= path_suffix.size()) return false;
      int hi = HexDigit(path_suffix[i + 1]);
      int lo = HexDigit(path_suffix[i + 2]);
      if (hi < 0 || lo < 0) return false;
      // A decoded '%' is not base64, so no second round of decoding.
      v = kDecodeTable[static_cast<uint8_t>(hi << 4 | lo)];
      if (v == kPercent) return false;
      i += 2;
    }
    if (v == kPad) {
      ++pads;
      continue;
    }
    if (pads > 0) return false;  // data after padding
    if (v < 0) return false;
    acc = acc << 6 | static_cast<uint32_t>(v);
    if (++sextets % 4 == 0) {
      *dst++ = static_cast<uint8_t>(acc >> 16);
      *dst++ = static_cast<uint8_t>(acc >> 8);
      *dst++ = static_cast<uint8_t>(acc);
      acc = 0;
    }
  }
  // A remainder of 1 character never encodes a byte; padding must complete the final quantum.
  const size_t rest = sextets % 4;
  if (rest == 1) return false;
  if (pads > 0 && (rest == 0 || rest + pads != 4)) return false;
  if (rest == 2) {
    *dst++ = static_cast<uint8_t>(acc >> 4);
  } else if (rest == 3) {
    *dst++ = static_cast<uint8_t>(acc >> 10);
    *dst++ = static_cast<uint8_t>(acc >> 2);
  }
  out.resize(static_cast<size_t>(dst - out.data()));
  return !out.empty();
}

}  // namespace

std::optional<Bytes> DecodeOcspGetPath(std::string_view path_suffix) {
  Bytes der;
  if (!DecodeOcspGetPathInto(path_suffix, der)) return std::nullopt;
  return der;
}

bool DecodeOcspGetPathInto(std::string_view path_suffix, Bytes& out) {
  if (DecodeInto(path_suffix, out)) return true;
  out.clear();
  return false;
}

std::string HttpDate(TimePoint t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds s = floor<seconds>(t);
  const sys_days day = floor<days>(s);
  const year_month_day ymd(day);
  const hh_mm_ss<seconds> hms(s - day);
  const weekday wd(day);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::vector<std::pair<std::string, std::string>> OcspResponseHeaders(
    const OcspResponseBody& response, TimePoint now,
    std::optional<std::chrono::seconds> max_age_cap) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(5);
  headers.emplace_back("Content-Type", std::string(kOcspResponseContentType));
  if (!response.cacheable) {
    headers.emplace_back("Cache-Control", "no-store");
    return headers;
  }
  int64_t max_age = std::max<int64_t>(
      0, std::chrono::floor<std::chrono::seconds>(response.next_update - now).count());
  if (max_age_cap.has_value()) max_age = std::min<int64_t>(max_age, max_age_cap->count());
  max_age = std::max<int64_t>(max_age, 0);
  headers.emplace_back("Cache-Control", "max-age=" + std::to_string(max_age) +
                                            ", public, no-transform, must-revalidate");
  headers.emplace_back("Last-Modified", response.last_modified);
  headers.emplace_back("Expires", response.expires);
  headers.emplace_back("ETag", response.etag);
  return headers;
}

std::shared_ptr<const std::string> OcspResponseHeaderLines(
    const OcspResponseBody& response, TimePoint now,
    std::optional<std::chrono::seconds> max_age_cap) {
  const int64_t second =
      std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t cap = max_age_cap.has_value() ? max_age_cap->count() : -1;
  std::shared_ptr<const OcspHeaderLines> memo =
      response.header_lines.load(std::memory_order_acquire);
  if (memo == nullptr || memo->unix_second != second || memo->max_age_cap != cap) {
    auto fresh = std::make_shared<OcspHeaderLines>();
    fresh->unix_second = second;
    fresh->max_age_cap = cap;
    for (const auto& [name, value] : OcspResponseHeaders(response, now, max_age_cap)) {
      fresh->lines.append(name).append(": ").append(value).append("\r\n");
    }
    fresh->lines.append("Date: ").append(HttpDate(now)).append("\r\n");
    // Racing threads of the same second format the same text; the last store wins.
    memo = std::move(fresh);
    response.header_lines.store(memo, std::memory_order_release);
  }
  return std::shared_ptr<const std::string>(memo, &memo->lines);
}

}  // namespace openpca::revocation

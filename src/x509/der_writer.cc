#include "x509/der_writer.h"

#include <array>
#include <cstring>

namespace openpca::x509 {
namespace {

// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days).
void CivilFromDays(int64_t z, int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

// Writes `value` (< 10^digits) as `digits` ASCII decimal digits.
uint8_t* PutDigits(uint8_t* out, unsigned value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<uint8_t>('0' + value % 10);
    value /= 10;
  }
  return out + digits;
}

// Hex digit values, -1 for anything else: a table rather than branches, because serials are
// random and branches on random digits mispredict (this was the CRL builder's hottest function).
constexpr std::array<int8_t, 256> MakeHexTable() {
  std::array<int8_t, 256> table{};
  for (int i = 0; i < 256; ++i) table[i] = -1;
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    table['a' + i] = static_cast<int8_t>(10 + i);
    table['A' + i] = static_cast<int8_t>(10 + i);
  }
  return table;
}
constexpr std::array<int8_t, 256> kHexTable = MakeHexTable();

inline int HexValue(char c) { return kHexTable[static_cast<uint8_t>(c)]; }

}  // namespace

size_t DerHeaderSize(size_t content_len) {
  if (content_len < 0x80) return 2;
  size_t n = 0;
  for (size_t v = content_len; v != 0; v >>= 8) ++n;
  return 2 + n;
}

size_t WriteDerHeader(uint8_t tag, size_t content_len, uint8_t* out) {
  out[0] = tag;
  if (content_len < 0x80) {
    out[1] = static_cast<uint8_t>(content_len);
    return 2;
  }
  size_t n = DerHeaderSize(content_len) - 2;
  out[1] = static_cast<uint8_t>(0x80 | n);
  for (size_t i = 0; i < n; ++i) {
    out[1 + n - i] = static_cast<uint8_t>(content_len >> (8 * i));
  }
  return 2 + n;
}

size_t WriteDerUnsignedInteger(std::span<const uint8_t> magnitude, uint8_t* out) {
  size_t skip = 0;
  while (skip < magnitude.size() && magnitude[skip] == 0) ++skip;
  std::span<const uint8_t> digits = magnitude.subspan(skip);
  // Zero is one 0x00 octet; a top bit set needs a 0x00 in front to stay positive.
  bool pad = digits.empty() || (digits[0] & 0x80) != 0;
  size_t content_len = digits.size() + (pad ? 1 : 0);
  size_t n = WriteDerHeader(kDerInteger, content_len, out);
  if (pad) out[n++] = 0x00;
  if (!digits.empty()) std::memcpy(out + n, digits.data(), digits.size());
  return n + digits.size();
}

std::optional<size_t> WriteDerTime(int64_t unix_seconds, uint8_t* out) {
  // Floor division, so that times before 1970 land on the right day.
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // Keeps CivilFromDays well inside int64 for absurd inputs; the year check below decides.
  if (days < -1'000'000'000 || days > 1'000'000'000) return std::nullopt;
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  if (year < 0 || year > 9999) return std::nullopt;

  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 (and before 1950, which
  // UTCTime cannot express).
  bool utc = year >= 1950 && year <= 2049;
  uint8_t* p = out;
  *p++ = utc ? kDerUtcTime : kDerGeneralizedTime;
  *p++ = utc ? 13 : 15;
  p = utc ? PutDigits(p, static_cast<unsigned>(year % 100), 2)
          : PutDigits(p, static_cast<unsigned>(year), 4);
  p = PutDigits(p, month, 2);
  p = PutDigits(p, day, 2);
  p = PutDigits(p, static_cast<unsigned>(secs / 3600), 2);
  p = PutDigits(p, static_cast<unsigned>(secs / 60 % 60), 2);
  p = PutDigits(p, static_cast<unsigned>(secs % 60), 2);
  *p++ = 'Z';
  return static_cast<size_t>(p - out);
}

std::optional<size_t> DerTimeWriter::Write(int64_t unix_seconds, uint8_t* out) {
  int64_t day = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --day;
  }
  if (day < -1'000'000'000 || day > 1'000'000'000) return std::nullopt;  // far outside 0000..9999
  if (!has_day_ || day != day_) {
    std::optional<size_t> len = WriteDerTime(day * 86400, cached_);
    if (!len.has_value()) return std::nullopt;
    has_day_ = true;
    day_ = day;
    len_ = *len;
  }
  std::memcpy(out, cached_, len_);
  // Both forms end in "HHMMSSZ".
  uint8_t* p = out + len_ - 7;
  p = PutDigits(p, static_cast<unsigned>(secs / 3600), 2);
  p = PutDigits(p, static_cast<unsigned>(secs / 60 % 60), 2);
  PutDigits(p, static_cast<unsigned>(secs % 60), 2);
  return len_;
}

std::optional<size_t> DecodeHex(std::string_view hex, uint8_t* out) {
  if (hex.empty()) return std::nullopt;
  size_t n = 0;
  size_t i = 0;
  if (hex.size() % 2 == 1) {
    int v = HexValue(hex[0]);
    if (v < 0) return std::nullopt;
    out[n++] = static_cast<uint8_t>(v);
    i = 1;
  }
  // Check once at the end: OR-ing the values keeps the sign bit of any -1.
  int bad = 0;
  for (; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    bad |= hi | lo;
    out[n++] = static_cast<uint8_t>(hi << 4 | lo);
  }
  if (bad < 0) return std::nullopt;
  return n;
}

void AppendDerHeader(Bytes& out, uint8_t tag, size_t content_len) {
  uint8_t header[kMaxDerHeaderSize];
  size_t n = WriteDerHeader(tag, content_len, header);
  out.insert(out.end(), header, header + n);
}

void AppendDer(Bytes& out, uint8_t tag, std::span<const uint8_t> content) {
  AppendDerHeader(out, tag, content.size());
  out.insert(out.end(), content.begin(), content.end());
}

void AppendDerUnsignedInteger(Bytes& out, std::span<const uint8_t> magnitude) {
  size_t old = out.size();
  out.resize(old + magnitude.size() + 1 + kMaxDerHeaderSize);
  size_t n = WriteDerUnsignedInteger(magnitude, out.data() + old);
  out.resize(old + n);
}

void AppendDerInteger(Bytes& out, int64_t value) {
  uint8_t be[8];
  for (int i = 0; i < 8; ++i)
    be[i] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (56 - 8 * i));
  // Drop leading octets that only repeat the sign: 0x00 before a clear top bit, 0xff before a
  // set one.
  size_t start = 0;
  while (start < 7 && ((be[start] == 0x00 && (be[start + 1] & 0x80) == 0) ||
                       (be[start] == 0xff && (be[start + 1] & 0x80) != 0))) {
    ++start;
  }
  AppendDer(out, kDerInteger, std::span<const uint8_t>(be + start, 8 - start));
}

Status AppendDerTime(Bytes& out, int64_t unix_seconds) {
  uint8_t buf[kMaxDerTimeSize];
  std::optional<size_t> n = WriteDerTime(unix_seconds, buf);
  if (!n.has_value()) {
    return Status(ErrorCode::kInvalidArgs,
                  "time " + std::to_string(unix_seconds) + " is outside the years 0000..9999");
  }
  out.insert(out.end(), buf, buf + *n);
  return Status::Ok();
}

}  // namespace openpca::x509

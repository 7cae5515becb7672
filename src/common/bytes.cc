#include "common/bytes.h"

#include <openssl/crypto.h>

#include <array>

namespace openpca {
namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of each base64 character; kNotB64 (top bits set) for every other byte.
constexpr uint8_t kNotB64 = 0xFF;
constexpr std::array<uint8_t, 256> kB64Values = [] {
  std::array<uint8_t, 256> values{};
  values.fill(kNotB64);
  for (uint8_t i = 0; i < 64; ++i) values[static_cast<uint8_t>(kB64[i])] = i;
  return values;
}();

struct Base64Shape {
  size_t decoded_size;
  size_t padding;  // '=' characters at the end: 0, 1 or 2
};

// The strict rules of Base64Decode: a length multiple of 4, padding only at the end (at most
// two '='), every other character of the alphabet.
std::optional<Base64Shape> ShapeOf(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const auto* in = reinterpret_cast<const uint8_t*>(text.data());
  uint8_t seen = 0;  // any character outside the alphabet sets the top bits
  for (size_t i = 0; i < text.size() - pad; ++i) seen |= kB64Values[in[i]];
  if ((seen & 0xC0) != 0) return std::nullopt;
  return Base64Shape{text.size() / 4 * 3 - pad, pad};
}

// Four characters of valid base64 into bytes at `o` (three, or fewer for `pad` '=' that count as
// zero bits); returns the position after them.
inline uint8_t* DecodeQuantum(const uint8_t* in, size_t pad, uint8_t* o) {
  const uint32_t n = (uint32_t{kB64Values[in[0]]} << 18) | (uint32_t{kB64Values[in[1]]} << 12) |
                     (uint32_t{pad < 2 ? kB64Values[in[2]] : uint8_t{0}} << 6) |
                     (pad < 1 ? kB64Values[in[3]] : 0u);
  *o++ = static_cast<uint8_t>(n >> 16);
  if (pad < 2) *o++ = static_cast<uint8_t>(n >> 8);
  if (pad < 1) *o++ = static_cast<uint8_t>(n);
  return o;
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> data) {
  // Written through a pointer into a string sized once: no capacity check per character.
  std::string out((data.size() + 2) / 3 * 4, '=');
  char* p = out.data();
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3, p += 4) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    p[0] = kB64[(v >> 18) & 63];
    p[1] = kB64[(v >> 12) & 63];
    p[2] = kB64[(v >> 6) & 63];
    p[3] = kB64[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
    p[0] = kB64[(v >> 18) & 63];
    p[1] = kB64[(v >> 12) & 63];
    if (rest == 2) p[2] = kB64[(v >> 6) & 63];  // else p[2] stays '='; p[3] is '=' either way
  }
  return out;
}

std::optional<size_t> Base64DecodedSize(std::string_view text) {
  std::optional<Base64Shape> shape = ShapeOf(text);
  if (!shape.has_value()) return std::nullopt;
  return shape->decoded_size;
}

std::optional<Bytes> Base64Decode(std::string_view text) {
  std::optional<Base64Shape> shape = ShapeOf(text);  // validates every character
  if (!shape.has_value()) return std::nullopt;
  Bytes out(shape->decoded_size);
  const auto* in = reinterpret_cast<const uint8_t*>(text.data());
  uint8_t* o = out.data();
  // Each quantum of four characters is three bytes; the padded last one gives fewer.
  const size_t padded = shape->padding > 0 ? 4 : 0;
  for (size_t i = 0; i + padded < text.size(); i += 4) o = DecodeQuantum(in + i, 0, o);
  if (padded > 0) DecodeQuantum(in + text.size() - 4, shape->padding, o);
  return out;
}

std::string HexEncode(std::span<const uint8_t> data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  char* p = out.data();
  for (uint8_t b : data) {
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 15];
  }
  return out;
}

std::optional<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]);
    int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace openpca

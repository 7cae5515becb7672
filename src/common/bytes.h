// Byte buffers and text encodings (base64, hex) used across modules. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace openpca {

using Bytes = std::vector<uint8_t>;

inline std::span<const uint8_t> AsSpan(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsStringView(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string Base64Encode(std::span<const uint8_t> data);
// Strict RFC 4648 decoding with padding; returns nullopt on any invalid character or length.
std::optional<Bytes> Base64Decode(std::string_view text);
// The size Base64Decode(text) would return, by the same rules, without decoding.
std::optional<size_t> Base64DecodedSize(std::string_view text);
std::string HexEncode(std::span<const uint8_t> data);  // lower case
std::optional<Bytes> HexDecode(std::string_view text);

// Constant-time equality for secrets (signatures, MACs).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace openpca

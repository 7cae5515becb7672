// UTF-8 decoding for the model validator: well-formedness and code point counts. Pure inline
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace openpca::api {

// Decodes one code point starting at text[*pos] and advances *pos. Returns nullopt (and leaves
// *pos unspecified) on ill-formed UTF-8: overlong forms, surrogates, values above U+10FFFF,
// truncated sequences.
inline std::optional<char32_t> DecodeUtf8(std::string_view text, size_t* pos) {
  size_t i = *pos;
  auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + len > text.size()) return std::nullopt;
  for (int k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  *pos = i + len;
  return cp;
}

// Number of code points in `text`, or nullopt if it is not well-formed UTF-8.
inline std::optional<size_t> CountUtf8CodePoints(std::string_view text) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
    } else if (!DecodeUtf8(text, &pos).has_value()) {
      return std::nullopt;
    }
    ++n;
  }
  return n;
}

}  // namespace openpca::api

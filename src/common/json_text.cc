#include "common/json_text.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace openpca {
namespace {

// The length of the well-formed UTF-8 sequence starting at s[i] (Unicode Table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF, the set dump() accepts), or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const size_t left = s.size() - i;
  const unsigned char b0 = byte(i);
  const auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return byte(k) >= lo && byte(k) <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return 0;
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return 0;
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// The characters written as they are: printable ASCII but '"' and '\\', and DEL (dump() escapes
// only below 0x20 unless asked for ASCII output).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

// Whether any of the 8 bytes of `w` needs more than a copy: a control character, '"', '\\', or a
// byte of a multi-byte UTF-8 sequence (checked apart).
bool WordNeedsCare(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return ((w | ((w - 0x20 * kOnes) & ~w)) & kHigh) != 0 || has_zero(w ^ ('"' * kOnes)) != 0 ||
         has_zero(w ^ ('\\' * kOnes)) != 0;
}

// Appends the text of `value`; false (with `out` partly written) on text that is not UTF-8.
bool Append(const nlohmann::json& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: out += "null"; return true;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return true;
    case nlohmann::json::value_t::string:
      return AppendJsonString(value.get_ref<const std::string&>(), out);
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.get<nlohmann::json::number_integer_t>());
      return true;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.get<nlohmann::json::number_unsigned_t>());
      return true;
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out += ',';
        first = false;
        if (!AppendJsonString(it.key(), out)) return false;
        out += ':';
        if (!Append(it.value(), out)) return false;
      }
      out += '}';
      return true;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const nlohmann::json& v : value) {
        if (!first) out += ',';
        first = false;
        if (!Append(v, out)) return false;
      }
      out += ']';
      return true;
    }
    case nlohmann::json::value_t::number_float:  // dump()'s own shortest round-trip form
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      out += value.dump();
      return true;
  }
  out += value.dump();
  return true;
}

}  // namespace

bool AppendJsonString(std::string_view text, std::string& out) {
  const size_t start = out.size();
  out += '"';
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    size_t run = i;
    for (uint64_t w; run + 8 <= n; run += 8) {  // 8 plain bytes at a time
      std::memcpy(&w, text.data() + run, 8);
      if (WordNeedsCare(w)) break;
    }
    while (run < n && kPlain[static_cast<unsigned char>(text[run])]) ++run;
    out.append(text.data() + i, run - i);
    i = run;
    if (i >= n) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        out.resize(start);
        return false;
      }
      out.append(text.data() + i, len);
      i += len;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
    ++i;
  }
  out += '"';
  return true;
}

void AppendJsonText(const nlohmann::json& value, std::string& out) {
  const size_t start = out.size();
  if (!Append(value, out)) {
    out.resize(start);
    out += value.dump();  // not UTF-8: dump() decides (it throws, as it always did)
  }
}

std::string JsonText(const nlohmann::json& value) {
  std::string out;
  out.reserve(4096);  // a whole record at once: no regrowth, no copies
  AppendJsonText(value, out);
  return out;
}

std::string JsonTextReplacingInvalidUtf8(const nlohmann::json& value) {
  std::string out;
  out.reserve(4096);
  if (!Append(value, out)) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out;
}

void JsonObjectText::String(std::string_view name, std::string_view value) {
  Member(name);
  ok_ = AppendJsonString(value, out_) && ok_;
}

std::string& JsonObjectText::Member(std::string_view name) {
  out_ += separator_;
  separator_ = ',';
  out_ += '"';
  out_ += name;
  out_ += "\":";
  return out_;
}

bool JsonObjectText::Close() {
  if (separator_ == '{') out_ += '{';
  out_ += '}';
  return ok_;
}

}  // namespace openpca

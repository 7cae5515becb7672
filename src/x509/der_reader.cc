#include "x509/der_reader.h"

namespace openpca::x509 {

std::optional<DerElement> ReadDerElement(std::span<const uint8_t> in) {
  if (in.size() < 2) return std::nullopt;
  // High tag numbers (low five bits all set) never occur in X.509; refuse rather than parse them.
  if ((in[0] & 0x1f) == 0x1f) return std::nullopt;
  size_t header = 2;
  size_t len = in[1];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    // n == 0 is the indefinite form (BER only); more than 4 octets is beyond any CSR.
    if (n == 0 || n > 4 || in.size() < 2 + n) return std::nullopt;
    if (in[2] == 0) return std::nullopt;  // leading zero: not minimal
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    if (len < 0x80) return std::nullopt;  // long form for a short length: not minimal
    header += n;
  }
  if (in.size() - header < len) return std::nullopt;
  return DerElement{in[0], in.first(header + len), in.subspan(header, len)};
}

std::optional<DerElement> DerReader::Next() {
  std::optional<DerElement> e = ReadDerElement(rest_);
  if (!e.has_value()) {
    rest_ = {};
    return std::nullopt;
  }
  rest_ = rest_.subspan(e->whole.size());
  return e;
}

std::optional<DerElement> DerReader::Expect(uint8_t tag) {
  if (rest_.empty() || rest_[0] != tag) return std::nullopt;
  return Next();
}

bool IsValidOidContent(std::span<const uint8_t> content) {
  if (content.empty() || (content.back() & 0x80) != 0) return false;
  for (size_t i = 0; i < content.size(); ++i) {
    if (content[i] == 0x80 && (i == 0 || (content[i - 1] & 0x80) == 0)) return false;
  }
  return true;
}

std::optional<std::span<const uint8_t>> NonNegativeIntegerMagnitude(
    std::span<const uint8_t> content) {
  if (content.empty() || (content[0] & 0x80) != 0) return std::nullopt;
  if (content[0] == 0 && content.size() > 1) {
    if ((content[1] & 0x80) == 0) return std::nullopt;  // needless leading zero
    return content.subspan(1);
  }
  return content;
}

}  // namespace openpca::x509

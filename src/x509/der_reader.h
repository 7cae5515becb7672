// A strict DER reader (X.690 DER subset used by X.509) for input from clients.
//
// WARNING: the input is untrusted. Every read checks bounds; anything that is not definite-length,
// minimally encoded DER with a low tag number is refused (nullopt), never guessed at: indefinite
// lengths, lengths over 4 octets or past the end of the input, non-minimal lengths, high tag
// numbers. Nothing here allocates.
//
// Ownership: a DerReader borrows its input, which must outlive it and the elements it returns.
// Thread-safety: a reader is a plain value; one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace openpca::x509 {

// One DER element inside a buffer.
struct DerElement {
  uint8_t tag = 0;
  std::span<const uint8_t> whole;    // tag, length and content
  std::span<const uint8_t> content;  // content only
};

// Reads the element at the start of `in`. nullopt when it is not a strict DER element.
std::optional<DerElement> ReadDerElement(std::span<const uint8_t> in);

// Reads consecutive elements from a buffer (the content of a constructed element).
class DerReader {
 public:
  explicit DerReader(std::span<const uint8_t> in) : rest_(in) {}

  bool empty() const { return rest_.empty(); }
  // The tag of the next element, or nullopt at the end.
  std::optional<uint8_t> PeekTag() const {
    if (rest_.empty()) return std::nullopt;
    return rest_[0];
  }
  // The next element, whatever its tag. nullopt at the end or on bad DER (the reader then stops).
  std::optional<DerElement> Next();
  // The next element when it has `tag`; nullopt otherwise (the reader does not advance).
  std::optional<DerElement> Expect(uint8_t tag);

 private:
  std::span<const uint8_t> rest_;
};

// Whether `content` is a well-formed OBJECT IDENTIFIER content (non-empty, no subidentifier that
// starts with 0x80, last octet ends a subidentifier): what OpenSSL's c2i_ASN1_OBJECT accepts.
bool IsValidOidContent(std::span<const uint8_t> content);

// The magnitude of a non-negative DER INTEGER content (leading zero octet dropped). nullopt when
// the content is empty, negative or not minimal.
std::optional<std::span<const uint8_t>> NonNegativeIntegerMagnitude(
    std::span<const uint8_t> content);

}  // namespace openpca::x509

// DER encoding primitives (X.690 DER, definite lengths only), shared by the CRL and OCSP builders
// (revocation/) and the direct certificate encoder (x509/tbs_certificate.h).
//
// The CRL builder writes a million entries into one contiguous buffer, so these are small
// allocation-free functions: Write* encode into caller-provided memory and return the number of
// octets written; Append* append to a Bytes buffer. Nothing here parses DER.
//
// Ownership: no state; callers own every buffer. Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::x509 {

inline constexpr uint8_t kDerBoolean = 0x01;
inline constexpr uint8_t kDerInteger = 0x02;
inline constexpr uint8_t kDerBitString = 0x03;
inline constexpr uint8_t kDerOctetString = 0x04;
inline constexpr uint8_t kDerEnumerated = 0x0a;
inline constexpr uint8_t kDerUtcTime = 0x17;
inline constexpr uint8_t kDerGeneralizedTime = 0x18;
inline constexpr uint8_t kDerSequence = 0x30;
// Context-specific tag [n]: constructed (EXPLICIT, or IMPLICIT over a constructed type) and
// primitive (IMPLICIT over a primitive type).
constexpr uint8_t DerContextConstructed(int n) { return static_cast<uint8_t>(0xa0 | n); }
constexpr uint8_t DerContextPrimitive(int n) { return static_cast<uint8_t>(0x80 | n); }

// Largest tag-and-length header: 1 tag octet, 0x88, 8 length octets.
inline constexpr size_t kMaxDerHeaderSize = 10;
// Largest Time element: GeneralizedTime "YYYYMMDDHHMMSSZ" with its header.
inline constexpr size_t kMaxDerTimeSize = 17;

// Octets taken by the tag and length of an element whose content is `content_len` octets.
size_t DerHeaderSize(size_t content_len);

// Writes the tag and the shortest definite length; returns DerHeaderSize(content_len).
size_t WriteDerHeader(uint8_t tag, size_t content_len, uint8_t* out);

// Writes a whole INTEGER for a non-negative number given as an unsigned big-endian magnitude:
// leading zero octets are dropped, and a 0x00 octet is prepended when the top bit of the first
// remaining octet is set, so that the value stays positive. An empty or all-zero magnitude
// encodes 0. `out` must have room for magnitude.size() + 1 + kMaxDerHeaderSize octets.
size_t WriteDerUnsignedInteger(std::span<const uint8_t> magnitude, uint8_t* out);

// Writes a whole RFC 5280 4.1.2.5 Time for `unix_seconds`: UTCTime "YYMMDDHHMMSSZ" for the years
// 1950 through 2049, GeneralizedTime "YYYYMMDDHHMMSSZ" otherwise (no fractional seconds).
// Returns nullopt, writing nothing, outside the years 0000..9999. `out` must have room for
// kMaxDerTimeSize octets.
std::optional<size_t> WriteDerTime(int64_t unix_seconds, uint8_t* out);

// WriteDerTime for many times in a row, re-encoding the date only when the day changes (a CRL's
// entries). Ownership: plain value. Thread-compatible: one instance per thread.
class DerTimeWriter {
 public:
  // Same output and failures as WriteDerTime.
  std::optional<size_t> Write(int64_t unix_seconds, uint8_t* out);

 private:
  bool has_day_ = false;
  int64_t day_ = 0;                  // days since the epoch of cached_
  uint8_t cached_[kMaxDerTimeSize];  // the encoding of day_ at 00:00:00
  size_t len_ = 0;
};

// Decodes hexadecimal digits (either case, odd count allowed: "abc" is 0x0a 0xbc) into `out`,
// which must hold (hex.size() + 1) / 2 octets; returns the octets written. nullopt on an empty
// string or a non-hex character (`out` may have been written to).
std::optional<size_t> DecodeHex(std::string_view hex, uint8_t* out);

void AppendDerHeader(Bytes& out, uint8_t tag, size_t content_len);
// Appends tag, length and `content`.
void AppendDer(Bytes& out, uint8_t tag, std::span<const uint8_t> content);
void AppendDerUnsignedInteger(Bytes& out, std::span<const uint8_t> magnitude);
// Minimal two's-complement INTEGER.
void AppendDerInteger(Bytes& out, int64_t value);
// Errors: kInvalidArgs outside the years 0000..9999.
Status AppendDerTime(Bytes& out, int64_t unix_seconds);

}  // namespace openpca::x509

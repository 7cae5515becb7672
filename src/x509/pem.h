// PEM <-> DER conversions for certificates, certificate bundles and CSRs.
//
// Parsing is strict (RFC 7468 "strict" textual encoding), tolerating only whitespace: CRLF line
// ends, spaces around lines and blank lines between blocks. Text outside BEGIN/END blocks,
// encapsulated headers, bad base64 or a label mismatch is rejected. Each decoded certificate or
// CSR is checked to be exactly one DER structure of that type.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::x509 {

inline constexpr std::string_view kPemCertificate = "CERTIFICATE";
inline constexpr std::string_view kPemCsr = "CERTIFICATE REQUEST";
inline constexpr std::string_view kPemNewCsr = "NEW CERTIFICATE REQUEST";  // accepted on input
inline constexpr std::string_view kPemCrl = "X509 CRL";

struct PemBlock {
  std::string label;  // e.g. "CERTIFICATE"
  Bytes der;
};

// Encodes `der` as one PEM block with 64-column lines and a trailing newline.
std::string DerToPem(std::string_view label, std::span<const uint8_t> der);

// Splits `text` into PEM blocks. Errors: `error_code` when the text is not a sequence of
// well-formed blocks (or has none).
Result<std::vector<PemBlock>> ParsePemBlocks(std::string_view text,
                                             ErrorCode error_code = ErrorCode::kValidation);

std::string CertificateDerToPem(std::span<const uint8_t> der);
// Exactly one CERTIFICATE block. Errors: kMalformedCertificate.
Result<Bytes> CertificatePemToDer(std::string_view pem);
// One or more CERTIFICATE blocks, in order. Errors: kMalformedCertificate.
Result<std::vector<Bytes>> CertificateBundlePemToDer(std::string_view pem);
// Concatenated PEM of `ders`, in order.
std::string CertificateBundleDerToPem(const std::vector<Bytes>& ders);

std::string CsrDerToPem(std::span<const uint8_t> der);
// Exactly one CERTIFICATE REQUEST (or NEW CERTIFICATE REQUEST) block. Errors: kMalformedCsr.
Result<Bytes> CsrPemToDer(std::string_view pem);

// CsrPemToDer without the check that the block holds a DER request: for a caller that parses
// the DER itself right after (ParseCsr), so the request is decoded once. Errors: kMalformedCsr.
Result<Bytes> CsrPemBlockToDer(std::string_view pem);

std::string CrlDerToPem(std::span<const uint8_t> der);

}  // namespace openpca::x509

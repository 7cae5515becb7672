// Reading facts out of parsed certificates: key identifiers, basic constraints, validity,
// serial, public key. Pure functions over borrowed objects; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// Errors: kMalformedCertificate.
Result<X509Ptr> ParseCertificateDer(std::span<const uint8_t> der);
Result<Bytes> CertificateDer(const X509& cert);

Result<Bytes> PublicKeyDer(const X509& cert);  // SubjectPublicKeyInfo DER
Result<Bytes> PublicKeyDer(const EVP_PKEY& key);
// DER of an already parsed SubjectPublicKeyInfo (no key encoder involved: fast path).
Result<Bytes> PublicKeyDer(const X509_PUBKEY& pubkey);
// SKI extension value when present; otherwise the RFC 5280 method-1 hash of the key.
Result<Bytes> SubjectKeyId(const X509& cert);

struct BasicConstraintsInfo {
  bool present = false;
  bool critical = false;
  bool ca = false;
  std::optional<int> path_len;
};
BasicConstraintsInfo GetBasicConstraints(const X509& cert);

TimePoint NotBefore(const X509& cert);
TimePoint NotAfter(const X509& cert);
std::string SerialHex(const X509& cert);  // lower case, minimal
bool IsSelfSigned(const X509& cert);      // issuer == subject and the signature verifies

}  // namespace openpca::x509

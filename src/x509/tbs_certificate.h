// Direct DER encoding of X.509 v3 certificates (RFC 5280 4.1) from pieces that are already DER:
// no OpenSSL X509 object is built. The pieces that never change for a CA, a template or a
// signing algorithm (AlgorithmIdentifier + issuer Name, template extensions, AKI) are encoded
// once by the caller and passed as bytes; per certificate only the serial, the validity, the
// subject, the SubjectPublicKeyInfo and the per-request extensions are written.
//
// The bytes are those i2d_X509 writes for the same content (x509/certificate.h builds the same
// certificate through OpenSSL; tests/authority/differential_test.cc compares the two).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "x509/ossl.h"

namespace openpca::x509 {

struct TbsCertificateParts {
  std::span<const uint8_t> serial;  // big-endian magnitude, non-negative
  // The TBS `signature` AlgorithmIdentifier followed by the issuer Name: adjacent in the
  // TBSCertificate, so a CA prepares them as one buffer per signing algorithm.
  std::span<const uint8_t> signature_and_issuer;
  int64_t not_before_s = 0;  // Unix seconds
  int64_t not_after_s = 0;
  std::span<const uint8_t> subject;  // Name DER
  std::span<const uint8_t> spki;     // SubjectPublicKeyInfo DER
  // Whole Extension DERs in the order they are to appear. The [3] field is left out when empty.
  std::vector<std::span<const uint8_t>> extensions;
};

// The DER TBSCertificate (version v3). Errors: kInvalidArgs for a time outside 0000..9999.
Result<Bytes> EncodeTbsCertificate(const TbsCertificateParts& parts);

// The AlgorithmIdentifier DER of `alg` (SignatureAlgorithmFor, encoded once per process).
std::span<const uint8_t> SignatureAlgorithmDer(SigningAlgorithm alg);

// Signs `tbs` through `signer` and returns the certificate DER:
// SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING signature }.
// Errors: those of Signer::Sign (kInvalidArgs when `alg` does not fit the key); kInternal.
Result<Bytes> SignTbsCertificate(std::span<const uint8_t> tbs, const keys::Signer& signer,
                                 SigningAlgorithm alg);

// The DER of one extension, as it appears in a certificate. Errors: kInternal.
Result<Bytes> ExtensionDer(const X509_EXTENSION& ext);
// The DER of a Name. Errors: kInternal.
Result<Bytes> NameDer(const X509_NAME& name);

// A non-critical subjectKeyIdentifier extension holding `key_id` (at most 127 octets), written
// without OpenSSL: what SubjectKeyIdentifierExt + ExtensionDer give.
Bytes SubjectKeyIdentifierExtensionDer(std::span<const uint8_t> key_id);

}  // namespace openpca::x509

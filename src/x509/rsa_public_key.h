// The PKCS#1 RSAPublicKey form of an RSA public key (RFC 8017 A.1.1), as CloudTrail's
// ListPublicKeys returns digest signing keys. Pure functions; thread-safe.
#pragma once

#include <span>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::x509 {

// DER SubjectPublicKeyInfo of an RSA key -> DER RSAPublicKey (SEQUENCE { n, e }).
// Errors: kInvalidArgs (not an SPKI, or not RSA).
Result<Bytes> RsaPublicKeyPkcs1FromSpki(std::span<const uint8_t> spki_der);

}  // namespace openpca::x509

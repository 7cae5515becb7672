// PKCS#10 certificate signing requests: parsing and checking CSRs received from clients, and
// building the CSR of a CA key (GetCertificateAuthorityCsr).
//
// WARNING: ParseCsr/VerifyCsr are a trust boundary: their input comes straight from API requests.
// Every rejection is ErrorCode::kMalformedCsr (AWS MalformedCSRException) with a message that is
// safe to return to the client.
// Pure functions; thread-safe for distinct objects.
#pragma once

#include <span>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// Largest RSA modulus accepted in a CSR (also OpenSSL's own verification limit).
inline constexpr int kMaxCsrRsaBits = 16384;
inline constexpr int kMinCsrRsaBits = 2048;

// Parses a CSR given as PEM text (as the API sends it) or as DER. Only syntax is checked.
// Errors: kMalformedCsr.
Result<X509ReqPtr> ParseCsr(std::span<const uint8_t> pem_or_der);

// Checks that the CSR's public key is acceptable (RSA 2048..16384 bits; EC on P-256, P-384,
// P-521 or the SM2 curve; nothing else) and that the CSR's signature verifies with that key. An SM2
// signature may use the default distinguishing ID (keys::kSm2DefaultId) or the empty one.
// Errors: kMalformedCsr.
Status VerifyCsr(const X509_REQ& req);

// The CSR's public key (a new reference). Errors: kMalformedCsr.
Result<EvpPkeyPtr> CsrPublicKey(const X509_REQ& req);
// The CSR's SubjectPublicKeyInfo DER. Errors: kMalformedCsr.
Result<Bytes> CsrPublicKeyDer(const X509_REQ& req);

// Builds and signs (through `signer`, with `alg`) a CSR for the signer's key with `subject` and,
// when `extensions` is non-null and non-empty, an extensionRequest attribute holding them.
// Returns the DER. `extensions` is only read.
// Errors: those of Signer::Sign (kInvalidArgs when `alg` does not fit the key); kInternal.
Result<Bytes> BuildCaCsr(const X509_NAME& subject, const keys::Signer& signer, SigningAlgorithm alg,
                         STACK_OF(X509_EXTENSION) * extensions);

}  // namespace openpca::x509

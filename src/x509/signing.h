// Signing of X.509 structures (certificates, CSRs, CRLs) through a keys::Signer, which never
// exposes its private key: the to-be-signed bytes are encoded here, signed by the Signer, and the
// signature is placed into the structure.
//
// Ownership: the Sign* functions modify the structure passed in (signature algorithm fields and
// signature) and return its final DER; they never take ownership.
// Thread-safety: functions are thread-safe for distinct structures; a structure must not be used
// by another thread while it is being signed.
#pragma once

#include <span>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// The AlgorithmIdentifier for `alg`: ecdsa-with-SHA256/384/512 with absent parameters,
// sha256/384/512WithRSAEncryption with NULL parameters, SM2-with-SM3 (1.2.156.10197.1.501) with
// absent parameters. Errors: kInternal.
Result<X509AlgorPtr> SignatureAlgorithmFor(SigningAlgorithm alg);

// Sets the TBS `signature` and the outer signatureAlgorithm of `cert` to `alg` (and the version to
// v3 when the certificate has extensions, as X509_sign does), signs the TBS through `signer` and
// stores the signature. Returns the certificate DER.
// Errors: those of Signer::Sign (kInvalidArgs when `alg` does not fit the key); kInternal.
Result<Bytes> SignCertificate(X509& cert, const keys::Signer& signer, SigningAlgorithm alg);

// Same for a PKCS#10 request (which has only the outer signatureAlgorithm). Returns the CSR DER.
Result<Bytes> SignCsr(X509_REQ& req, const keys::Signer& signer, SigningAlgorithm alg);

// Signs a CRL built with the X509_CRL API and returns its DER. OpenSSL 3.0 has no setter for the
// TBSCertList `signature` field, so the TBSCertList is re-encoded here from the CRL's public
// accessors (version, issuer, thisUpdate, nextUpdate, revoked entries in their current order,
// extensions) with `alg` in that field. `crl` itself gets the outer algorithm and signature but
// its TBS algorithm field is left as it was: parse the returned DER to get a consistent object.
// Errors: those of Signer::Sign; kInvalidArgs when the CRL lacks an issuer or thisUpdate;
// kInternal.
Result<Bytes> SignCrl(X509_CRL& crl, const keys::Signer& signer, SigningAlgorithm alg);

// SM2 distinguishing identifier: openpca signs SM2 with keys::kSm2DefaultId (GM/T 0009), but
// OpenSSL 3.0 verifies with an empty ID unless the object carries one. Call these on an SM2-signed
// certificate or CSR before X509_verify, X509_verify_cert or X509_REQ_verify; they do nothing for
// other signature algorithms. OpenSSL 3.0 cannot attach an ID to an X509_CRL: check SM2 CRLs with
// VerifySignedDer(). Errors: kInternal.
Status UseSm2DefaultIdForVerification(X509& cert);
Status UseSm2DefaultIdForVerification(X509_REQ& req);

// Verifies a structure of the WrapSigned() shape (certificate, CRL, CSR) with `public_key`: splits
// the DER, requires the AlgorithmIdentifier to be exactly SignatureAlgorithmFor(alg), and verifies
// the signature over the TBS bytes as received (SM2 with keys::kSm2DefaultId). Returns whether the
// signature verifies. Errors: kInvalidArgs when the DER is not of that shape, the algorithm differs
// or does not fit the key.
Result<bool> VerifySignedDer(std::span<const uint8_t> der, const EVP_PKEY& public_key,
                             SigningAlgorithm alg);

// DER of SEQUENCE { tbs_der, alg, BIT STRING (0 unused bits) signature }: the common shape of a
// certificate, CRL, CSR or OCSP BasicOCSPResponse. `tbs_der` must be one complete DER element.
// Aborts if `alg` cannot be encoded (a bug: use SignatureAlgorithmFor()).
Bytes WrapSigned(std::span<const uint8_t> tbs_der, const X509_ALGOR& alg,
                 std::span<const uint8_t> signature);

}  // namespace openpca::x509

// Building an X.509 v3 certificate from checked content and signing it through a Signer.
// Pure function of its inputs; thread-safe.
#pragma once

#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "x509/ossl.h"

namespace openpca::x509 {

struct CertificateContent {
  Bytes serial;               // big-endian, positive (top bit clear)
  const X509_NAME* issuer = nullptr;   // borrowed
  const X509_NAME* subject = nullptr;  // borrowed
  const X509_PUBKEY* subject_key = nullptr;  // borrowed SubjectPublicKeyInfo (copied as is)
  TimePoint not_before;
  TimePoint not_after;
  std::vector<X509ExtensionPtr> extensions;  // in the order they are to appear
};

// Builds and signs the certificate; returns its DER.
// Errors: kInvalidArgs (content OpenSSL rejects, signer/algorithm mismatch); kInternal.
Result<Bytes> BuildSignedCertificate(const CertificateContent& content,
                                     const keys::Signer& signer, SigningAlgorithm alg);

}  // namespace openpca::x509

// Verifying a CA certificate against the chain of its issuers, as ImportCertificateAuthority-
// Certificate requires: `chain` is ordered issuer first, the self-signed root last. Signatures,
// validity periods, CA basic constraints and path lengths are checked by OpenSSL's verifier with
// the root as the only trust anchor. Thread-safe.
#pragma once

#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// Errors: kCertificateMismatch when the chain is out of order, the last element is not a
// self-signed root, or verification fails (the message carries OpenSSL's reason);
// kValidation when `cert` (itself a CA certificate, so it counts) sits deeper below a chain
// certificate than that certificate's pathLenConstraint allows.
Status VerifyChain(const X509& cert, const std::vector<X509Ptr>& chain, TimePoint at);

}  // namespace openpca::x509

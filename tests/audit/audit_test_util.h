// Helpers for the audit report tests: real certificates with chosen subjects and serials.
#pragma once

#include <string>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "testing/test_pki.h"

namespace openpca::audit::testing {

// DER of a self-signed EC P-256 certificate whose subject is CN=`cn`, O=`o` (O first in the DER)
// and whose serial is `serial_hex`.
inline Bytes MakeCertificateDer(const std::string& cn, const std::string& o,
                                const std::string& serial_hex) {
  test_pki::CertSpec spec;
  spec.subject = {{"O", o}, {"CN", cn}};
  spec.serial_hex = serial_hex;
  spec.not_before_offset = 0;
  x509::EvpPkeyPtr key = test_pki::NewKey(KeyAlgorithm::kEcP256);
  return test_pki::CertDer(*test_pki::SelfSignedCertificate(*key, spec));
}

}  // namespace openpca::audit::testing

// The facts AWS Certificate Manager shows about a certificate (DescribeCertificate,
// ListCertificates): subject and issuer, serial in ACM's colon form, DNS names, key usages,
// extended key usages and signature algorithm. Pure functions over a borrowed certificate;
// thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::x509 {

struct CertificateFacts {
  std::string subject;  // RFC 2253 order: "CN=example.com"
  std::string issuer;
  std::string common_name;  // first CN of the subject, "" when none
  std::string serial;       // "07:71:71:f4:..."  (lower-case hex pairs)
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries, in order
  std::vector<std::string> key_usages;  // ACM's KeyUsageName: DIGITAL_SIGNATURE, ...
  // ACM's ExtendedKeyUsageName with the OID: {"TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"}
  std::vector<std::pair<std::string, std::string>> extended_key_usages;
  std::string signature_algorithm;  // "SHA256WITHRSA", "SHA256WITHECDSA", ...
  Bytes public_key_der;
  int64_t not_before_s = 0;
  int64_t not_after_s = 0;
  bool has_issuer = false;  // issuer name is not empty
};

// Errors: kMalformedCertificate for a certificate whose key cannot be encoded; kInternal.
Result<CertificateFacts> FactsOf(const X509& cert);

}  // namespace openpca::x509

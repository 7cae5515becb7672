// Building the certificate of one IssueCertificate call, in two steps around the authority's own
// checks (docs/issuance-cycle.md):
//   PrepareCertificate (step 1): parse and verify the CSR, resolve the subject and plan the
//     extensions by the template precedence; returns a move-only PreparedCertificate.
//   PreparedCertificate::Issue (step 4): add the CA's CDP/AIA, encode the TBSCertificate with the
//     reserved serial and the checked validity, sign it through the CA's Signer, return the DER.
//
// Two builders give the same bytes for the same inputs:
//   kDirect  — the issuing path: the CSR read straight from DER (x509/csr_reader.h), the key
//              decoded once, the TBSCertificate written directly (x509/tbs_certificate.h) from
//              pieces cached per template and per CA.
//   kOpenSsl — the reference: X509_REQ, ExtensionPlan and X509 objects through OpenSSL
//              (x509/certificate.h). Kept for the differential test
//              (tests/authority/differential_test.cc) and the in-process benchmark.
//
// Thread-safety: PrepareCertificate is thread-safe; a PreparedCertificate belongs to one request.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "authority/issuer_context.h"
#include "authority/templates.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/pki_types.h"
#include "common/status.h"

namespace openpca::authority {

enum class CertificateBuilder { kDirect, kOpenSsl };

struct CertificateInput {
  const TemplateDefinition* tmpl = nullptr;  // borrowed, not null
  const IssuerContext* issuer = nullptr;     // borrowed, not null
  std::span<const uint8_t> csr;              // PEM or DER, as received
  const nlohmann::json* api_passthrough = nullptr;  // null unless the template takes it
};

// What the authority decides between the two steps.
struct CertificateFinish {
  Bytes serial;  // big-endian, positive
  TimePoint not_before;
  TimePoint not_after;
  std::string crl_url;         // "" : no CRL distribution point
  std::string ocsp_url;        // "" : no AIA
  std::string ca_issuers_url;  // with ocsp_url
  SigningAlgorithm alg = SigningAlgorithm::kSha256WithEcdsa;
};

// Proves that PrepareCertificate checked this request. Move-only; Issue() consumes it.
class PreparedCertificate {
 public:
  virtual ~PreparedCertificate() = default;
  PreparedCertificate(const PreparedCertificate&) = delete;
  PreparedCertificate& operator=(const PreparedCertificate&) = delete;

  // Step 4: the signed certificate's DER. Call once: Issue(std::move(p))-style, the token is
  // spent afterwards. Errors: kInvalidArgs (an extension value or time that cannot be encoded, an
  // algorithm that does not fit the key); kInternal.
  virtual Result<Bytes> Issue(const CertificateFinish& finish, const keys::Signer& signer) && = 0;

 protected:
  PreparedCertificate() = default;
};

// Step 1. Errors (in this order, as the AWS model names them): kMalformedCsr (bad PEM/DER, bad
// signature, unacceptable key, no subject and no SAN); kInvalidArgs (a root template on a CSR
// that is not the CA's own; ApiPassthrough values that cannot be encoded); kInternal.
Result<std::unique_ptr<PreparedCertificate>> PrepareCertificate(CertificateBuilder builder,
                                                                const CertificateInput& input);

}  // namespace openpca::authority

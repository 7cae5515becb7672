// Helpers for the x509 tests: the shapes of test PKI they use (built by testing/test_pki.h),
// temporary files and running the openssl command line tool.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>

#include "common/pki_types.h"
#include "testing/test_files.h"
#include "testing/test_pki.h"
#include "x509/ossl.h"
#include "x509/pem.h"
#include "x509/signing.h"

namespace openpca::x509::testing {

using test_pki::PublicKeyOf;

inline std::shared_ptr<const keys::Signer> MakeSigner(KeyAlgorithm alg) {
  return test_pki::NewSigner(alg);
}

// O=openpca tests, CN=`cn`.
inline X509NamePtr MakeName(const std::string& cn) {
  return test_pki::BuildName({{"O", "openpca tests"}, {"CN", cn}});
}

// An unsigned certificate for `subject_key`, issued by `issuer` (self-issued when null).
inline X509Ptr MakeUnsignedCert(const keys::Signer& subject_key, const std::string& cn, bool ca,
                                X509* issuer, long serial) {
  test_pki::CertSpec spec;
  spec.subject = {{"O", "openpca tests"}, {"CN", cn}};
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%lx", serial);
  spec.serial_hex = hex;
  spec.extensions = {
      {NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"},
      {NID_subject_key_identifier, "hash"}};
  if (issuer != nullptr) spec.extensions.push_back({NID_authority_key_identifier, "keyid:always"});
  return test_pki::BuildUnsignedCertificate(*PublicKeyOf(subject_key), spec, issuer);
}

inline X509Ptr ParseCert(const Bytes& der) { return test_pki::ParseCertDer(der); }

using test_files::CommandResult;
using test_files::RunCommand;
using test_files::TempDir;

}  // namespace openpca::x509::testing

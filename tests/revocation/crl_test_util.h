// Helpers for the revocation tests: a temporary directory, a test CA whose key lives in a
// keys::SoftwareKeyStore (so CRLs are signed through the real Signer), leaf certificates (built
// by testing/test_pki.h), PEM output, and running command-line tools (openssl, python3).
// Test-thread only; not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/random.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "testing/test_files.h"
#include "testing/test_pki.h"
#include "x509/ossl.h"
#include "x509/signing.h"

namespace openpca::revocation::testing {

using test_files::CommandResult;
using test_files::RunCommand;
using test_files::TempDir;
using test_pki::CertDer;
using test_pki::CertPem;
using test_pki::PublicKeyOf;

inline std::string CrlPem(std::span<const uint8_t> der) {
  return "-----BEGIN X509 CRL-----\n" + [&] {
    std::string b64 = Base64Encode(der);
    std::string out;
    for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
    return out;
  }() + "-----END X509 CRL-----\n";
}

// A self-signed root CA whose key is generated in a SoftwareKeyStore. Its subject mixes string
// types (PrintableString C, UTF8String O and CN) so that "issuer exactly as encoded" is tested.
class TestCa {
 public:
  explicit TestCa(KeyAlgorithm key_alg, SigningAlgorithm sign_alg) : sign_alg_(sign_alg) {
    Result<std::unique_ptr<keys::SecretBox>> box =
        keys::SecretBox::Create(Bytes(keys::SecretBox::kKeySize, 0x5a));
    OPENPCA_CHECK(box.ok());
    Result<std::unique_ptr<keys::SoftwareKeyStore>> key_store = keys::SoftwareKeyStore::Open(
        dir_.File("keys"), std::shared_ptr<const keys::SecretBox>(std::move(box).value()), random_);
    OPENPCA_CHECK(key_store.ok());
    key_store_ = std::move(key_store).value();
    Result<keys::GeneratedKey> key = key_store_->Generate(key_alg);
    OPENPCA_CHECK(key.ok());
    key_id_ = key->key_id;
    Result<std::shared_ptr<const keys::Signer>> signer = key_store_->Load(key->key_id);
    OPENPCA_CHECK(signer.ok());
    signer_ = std::move(signer).value();

    test_pki::CertSpec spec;
    spec.subject = {{"C", "US", V_ASN1_PRINTABLESTRING},
                    {"O", "openpca tests", V_ASN1_UTF8STRING},
                    {"CN", "CRL Test Root", V_ASN1_UTF8STRING}};
    spec.not_before_offset = -86400;
    spec.not_after_offset = 10 * 365 * 86400L;
    // Parsed back from its DER: its names carry the encoding exactly as signed.
    cert_ = test_pki::MakeRootCa(signer_, sign_alg_, std::move(spec)).cert;
  }

  // A leaf with serial `serial_hex`, optionally with a CRL distribution point URI.
  x509::X509Ptr IssueLeaf(const std::string& serial_hex,
                          const std::optional<std::string>& cdp_uri = std::nullopt) const {
    x509::EvpPkeyPtr key = test_pki::NewKey(KeyAlgorithm::kEcP256);
    test_pki::CertSpec spec;
    spec.subject = {{"CN", "leaf " + serial_hex}};
    spec.serial_hex = serial_hex;
    spec.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                       {NID_authority_key_identifier, "keyid:always"}};
    if (cdp_uri.has_value()) {
      spec.extensions.push_back({NID_crl_distribution_points, "URI:" + *cdp_uri});
    }
    x509::X509Ptr leaf = test_pki::BuildUnsignedCertificate(*key, spec, cert_.get());
    return test_pki::SignWithSigner(*leaf, *signer_, sign_alg_);
  }

  const keys::Signer& signer() const { return *signer_; }
  // The key store holding the CA key, and the key's id in it (for code that loads it by id).
  keys::KeyStore& key_store() const { return *key_store_; }
  const std::string& key_id() const { return key_id_; }
  SigningAlgorithm alg() const { return sign_alg_; }
  const X509& cert() const { return *cert_; }
  x509::EvpPkeyPtr public_key() const { return PublicKeyOf(*signer_); }

 private:
  TempDir dir_;
  OpenSslRandom random_;
  std::unique_ptr<keys::SoftwareKeyStore> key_store_;
  std::shared_ptr<const keys::Signer> signer_;
  std::string key_id_;
  SigningAlgorithm sign_alg_;
  x509::X509Ptr cert_;
};

}  // namespace openpca::revocation::testing

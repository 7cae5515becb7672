// Helpers for the revocation tests: a temporary directory, a test CA whose key lives in a
// keys::SoftwareKeyStore (so CRLs are signed through the real Signer), leaf certificates, PEM
// output, and running command-line tools (openssl, python3).
// Test-thread only; not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/random.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "x509/ossl.h"
#include "x509/signing.h"

namespace openpca::revocation::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "openpca-rev-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  std::string Write(std::string_view name, std::span<const uint8_t> content) const {
    std::string p = File(name);
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(content.data()),
               static_cast<std::streamsize>(content.size()));
    return p;
  }
  std::string Write(std::string_view name, std::string_view content) const {
    return Write(name, AsSpan(content));
  }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline x509::EvpPkeyPtr PublicKeyOf(const keys::Signer& signer) {
  const unsigned char* in = signer.public_key_der().data();
  return x509::EvpPkeyPtr(
      d2i_PUBKEY(nullptr, &in, static_cast<long>(signer.public_key_der().size())));
}

inline std::string CertPem(const X509& cert) {
  x509::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), &cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

inline std::string CrlPem(std::span<const uint8_t> der) {
  return "-----BEGIN X509 CRL-----\n" + [&] {
    std::string b64 = Base64Encode(der);
    std::string out;
    for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
    return out;
  }() + "-----END X509 CRL-----\n";
}

inline Bytes CertDer(const X509& cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(&cert, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

inline void AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  x509::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  ASSERT_NE(ext, nullptr) << value;
  ASSERT_EQ(X509_add_ext(cert, ext.get(), -1), 1);
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

    cert_.reset(X509_new());
    X509_set_version(cert_.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_.get()), 1);
    x509::X509NamePtr name(X509_NAME_new());
    X509_NAME_add_entry_by_txt(name.get(), "C", V_ASN1_PRINTABLESTRING,
                               reinterpret_cast<const unsigned char*>("US"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name.get(), "O", V_ASN1_UTF8STRING,
                               reinterpret_cast<const unsigned char*>("openpca tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name.get(), "CN", V_ASN1_UTF8STRING,
                               reinterpret_cast<const unsigned char*>("CRL Test Root"), -1, -1, 0);
    X509_set_subject_name(cert_.get(), name.get());
    X509_set_issuer_name(cert_.get(), name.get());
    X509_gmtime_adj(X509_getm_notBefore(cert_.get()), -86400);
    X509_gmtime_adj(X509_getm_notAfter(cert_.get()), 10 * 365 * 86400L);
    x509::EvpPkeyPtr pub = PublicKeyOf(*signer_);
    X509_set_pubkey(cert_.get(), pub.get());
    AddExt(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
    AddExt(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExt(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
    Result<Bytes> der = x509::SignCertificate(*cert_, *signer_, sign_alg_);
    OPENPCA_CHECK(der.ok());
    // Keep the parsed form: its names carry the encoding exactly as in the DER.
    const unsigned char* in = der->data();
    cert_.reset(d2i_X509(nullptr, &in, static_cast<long>(der->size())));
    OPENPCA_CHECK(cert_ != nullptr);
  }

  // A leaf with serial `serial_hex`, optionally with a CRL distribution point URI.
  x509::X509Ptr IssueLeaf(const std::string& serial_hex,
                          const std::optional<std::string>& cdp_uri = std::nullopt) const {
    x509::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    x509::X509Ptr leaf(X509_new());
    X509_set_version(leaf.get(), X509_VERSION_3);
    BIGNUM* bn = nullptr;
    OPENPCA_CHECK(BN_hex2bn(&bn, serial_hex.c_str()) > 0);
    x509::BignumPtr serial(bn);
    OPENPCA_CHECK(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(leaf.get())) != nullptr);
    x509::X509NamePtr name(X509_NAME_new());
    std::string cn = "leaf " + serial_hex;
    X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_subject_name(leaf.get(), name.get());
    X509_set_issuer_name(leaf.get(), X509_get_subject_name(cert_.get()));
    X509_gmtime_adj(X509_getm_notBefore(leaf.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(leaf.get()), 86400);
    X509_set_pubkey(leaf.get(), key.get());
    AddExt(leaf.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    AddExt(leaf.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
    if (cdp_uri.has_value()) {
      AddExt(leaf.get(), cert_.get(), NID_crl_distribution_points, "URI:" + *cdp_uri);
    }
    Result<Bytes> der = x509::SignCertificate(*leaf, *signer_, sign_alg_);
    OPENPCA_CHECK(der.ok());
    return leaf;
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

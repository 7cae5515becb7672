// Helpers for the x509 tests: run-time generated signers, a minimal self-signed CA certificate
// built with the X509 API, temporary files and running the openssl command line tool.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/pki_types.h"
#include "keys/software_signer.h"
#include "x509/ossl.h"
#include "x509/pem.h"
#include "x509/signing.h"

namespace openpca::x509::testing {

inline std::shared_ptr<const keys::Signer> MakeSigner(KeyAlgorithm alg) {
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case KeyAlgorithm::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case KeyAlgorithm::kRsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
      break;
    case KeyAlgorithm::kRsa4096:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
      break;
    case KeyAlgorithm::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyAlgorithm::kEcP384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyAlgorithm::kEcP521:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
      break;
    case KeyAlgorithm::kSm2:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
      break;
  }
  auto signer = keys::SoftwareSigner::Create(EvpPkeyPtr(key));
  if (!signer.ok()) std::abort();
  return std::move(signer).value();
}

inline EvpPkeyPtr PublicKeyOf(const keys::Signer& signer) {
  const unsigned char* in = signer.public_key_der().data();
  return EvpPkeyPtr(d2i_PUBKEY(nullptr, &in, static_cast<long>(signer.public_key_der().size())));
}

inline X509NamePtr MakeName(const std::string& cn) {
  X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("openpca tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return name;
}

inline void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) std::abort();
}

// An unsigned certificate for `subject_key`, issued by `issuer` (self-issued when null).
inline X509Ptr MakeUnsignedCert(const keys::Signer& subject_key, const std::string& cn, bool ca,
                                X509* issuer, long serial) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509NamePtr name = MakeName(cn);
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  EvpPkeyPtr pub = PublicKeyOf(subject_key);
  X509_set_pubkey(cert.get(), pub.get());
  X509* iss = issuer != nullptr ? issuer : cert.get();
  AddExt(cert.get(), iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExt(cert.get(), iss, NID_key_usage,
         ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  AddExt(cert.get(), iss, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) AddExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  return cert;
}

inline X509Ptr ParseCert(const Bytes& der) {
  const unsigned char* in = der.data();
  X509Ptr cert(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  if (cert != nullptr && in != der.data() + der.size()) return nullptr;
  return cert;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "openpca-x509-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, std::string_view content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
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
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace openpca::x509::testing

#include "testing/test_pki.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "keys/ephemeral_signer.h"
#include "keys/software_signer.h"
#include "x509/signing.h"

namespace openpca::test_pki {
namespace {

// A broken test setup: say what failed, with OpenSSL's error queue, and stop.
[[noreturn]] void Fail(const std::string& what, const Status& st = Status::Ok()) {
  Status detail = st.ok() ? x509::OsslError(what.c_str()) : st;
  std::fprintf(stderr, "test_pki: %s failed: %s\n", what.c_str(), detail.ToString().c_str());
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Fail(what, r.status());
  return std::move(r).value();
}

void AddNameEntries(X509_NAME& name, const std::vector<NameEntry>& entries) {
  for (const NameEntry& e : entries) {
    Check(X509_NAME_add_entry_by_txt(&name, e.field.c_str(), e.type,
                                     reinterpret_cast<const unsigned char*>(e.value.c_str()), -1,
                                     -1, 0) == 1,
          "X509_NAME_add_entry_by_txt");
  }
}

x509::X509ExtensionPtr MakeExtension(X509V3_CTX* ctx, const Extension& ext) {
  x509::X509ExtensionPtr out(X509V3_EXT_conf_nid(nullptr, ctx, ext.nid, ext.value.c_str()));
  if (out == nullptr) Fail("X509V3_EXT_conf_nid(" + ext.value + ")");
  return out;
}

const EVP_MD* DigestOr(std::optional<const EVP_MD*> digest, const EVP_PKEY& key) {
  return digest.has_value() ? *digest : DefaultDigest(key);
}

template <typename T, auto kWrite>
std::string WritePem(const T& object) {
  x509::BioPtr bio(BIO_new(BIO_s_mem()));
  Check(bio != nullptr && kWrite(bio.get(), const_cast<T*>(&object)) == 1, "PEM_write_bio");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

template <typename T, auto kI2d>
Bytes WriteDer(const T& object) {
  unsigned char* buf = nullptr;
  int len = kI2d(const_cast<T*>(&object), &buf);
  Check(len > 0, "i2d");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

int WritePkcs8(BIO* bio, EVP_PKEY* key) {
  return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
}

}  // namespace

// ---- Keys ----

x509::EvpPkeyPtr NewKey(KeyAlgorithm alg) {
  return Must(keys::GenerateKeyPair(alg), "GenerateKeyPair");
}

x509::EvpPkeyPtr NewKeyOfType(const std::string& type, const std::string& curve) {
  EVP_PKEY* key = curve.empty()
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, type.c_str())
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type.c_str(), curve.c_str());
  if (key == nullptr) Fail("EVP_PKEY_Q_keygen(" + type + " " + curve + ")");
  return x509::EvpPkeyPtr(key);
}

x509::EvpPkeyPtr NewRsaKey(size_t bits) {
  x509::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  Check(key != nullptr, "EVP_PKEY_Q_keygen(RSA)");
  return key;
}

std::shared_ptr<const keys::Signer> NewSigner(KeyAlgorithm alg) { return SignerFor(NewKey(alg)); }

std::shared_ptr<const keys::Signer> SignerFor(x509::EvpPkeyPtr key) {
  return Must(keys::SoftwareSigner::Create(std::move(key)), "SoftwareSigner::Create");
}

x509::EvpPkeyPtr PublicKeyOf(const keys::Signer& signer) {
  const unsigned char* in = signer.public_key_der().data();
  x509::EvpPkeyPtr key(
      d2i_PUBKEY(nullptr, &in, static_cast<long>(signer.public_key_der().size())));
  Check(key != nullptr, "d2i_PUBKEY");
  return key;
}

const EVP_MD* DefaultDigest(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "SM2")) return EVP_sm3();
  if (EVP_PKEY_is_a(&key, "ED25519") || EVP_PKEY_is_a(&key, "ED448")) return nullptr;
  return EVP_sha256();
}

// ---- Names ----

x509::X509NamePtr BuildName(const std::vector<NameEntry>& entries) {
  x509::X509NamePtr name(X509_NAME_new());
  Check(name != nullptr, "X509_NAME_new");
  AddNameEntries(*name, entries);
  return name;
}

// ---- Certificate signing requests ----

x509::X509ReqPtr BuildUnsignedCsr(const EVP_PKEY& public_key, const CsrSpec& spec) {
  x509::X509ReqPtr req(X509_REQ_new());
  Check(req != nullptr, "X509_REQ_new");
  Check(X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) == 1, "X509_REQ_set_version");
  AddNameEntries(*X509_REQ_get_subject_name(req.get()), spec.subject);
  Check(X509_REQ_set_pubkey(req.get(), const_cast<EVP_PKEY*>(&public_key)) == 1,
        "X509_REQ_set_pubkey");
  std::vector<Extension> wanted;
  if (!spec.sans.empty()) {
    std::string value;
    for (const std::string& san : spec.sans) value += (value.empty() ? "" : ",") + san;
    wanted.push_back({NID_subject_alt_name, value});
  }
  wanted.insert(wanted.end(), spec.extensions.begin(), spec.extensions.end());
  if (!wanted.empty()) {
    x509::X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
    Check(exts != nullptr, "sk_X509_EXTENSION_new_null");
    for (const Extension& e : wanted) {
      x509::X509ExtensionPtr ext = MakeExtension(nullptr, e);
      Check(sk_X509_EXTENSION_push(exts.get(), ext.get()) > 0, "sk_X509_EXTENSION_push");
      ext.release();  // owned by the stack now
    }
    Check(X509_REQ_add_extensions(req.get(), exts.get()) == 1, "X509_REQ_add_extensions");
  }
  return req;
}

x509::X509ReqPtr BuildCsr(EVP_PKEY& key, const CsrSpec& spec) {
  x509::X509ReqPtr req = BuildUnsignedCsr(key, spec);
  Check(X509_REQ_sign(req.get(), &key, DigestOr(spec.digest, key)) > 0, "X509_REQ_sign");
  return req;
}

KeyAndCsr MakeCsr(x509::EvpPkeyPtr key, const CsrSpec& spec) {
  x509::X509ReqPtr req = BuildCsr(*key, spec);
  KeyAndCsr out;
  out.key = std::move(key);
  out.der = CsrDer(*req);
  out.pem = CsrPem(*req);
  return out;
}

KeyAndCsr MakeCsr(KeyAlgorithm alg, const CsrSpec& spec) { return MakeCsr(NewKey(alg), spec); }

CsrSpec EndEntityCsrSpec(const std::string& common_name, const std::string& san_dns) {
  CsrSpec spec;
  if (!common_name.empty()) spec.subject.push_back({"CN", common_name});
  if (!san_dns.empty()) spec.sans.push_back("DNS:" + san_dns);
  return spec;
}

// ---- Certificates ----

std::vector<Extension> RootCaExtensions() {
  return {{NID_basic_constraints, "critical,CA:TRUE"},
          {NID_key_usage, "critical,keyCertSign,cRLSign"},
          {NID_subject_key_identifier, "hash"}};
}

x509::X509Ptr BuildUnsignedCertificate(const EVP_PKEY& subject_public_key, const CertSpec& spec,
                                       const X509* issuer) {
  x509::X509Ptr cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  BIGNUM* bn = nullptr;
  Check(BN_hex2bn(&bn, spec.serial_hex.c_str()) > 0, "BN_hex2bn");
  x509::BignumPtr serial(bn);
  Check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr,
        "BN_to_ASN1_INTEGER");
  x509::X509NamePtr name = BuildName(spec.subject);
  Check(X509_set_subject_name(cert.get(), name.get()) == 1, "X509_set_subject_name");
  Check(X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer)
                                                           : name.get()) == 1,
        "X509_set_issuer_name");
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_offset) != nullptr,
        "X509_gmtime_adj");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_offset) != nullptr,
        "X509_gmtime_adj");
  Check(X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(&subject_public_key)) == 1,
        "X509_set_pubkey");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer != nullptr ? issuer : cert.get()), cert.get(),
                 nullptr, nullptr, 0);
  for (const Extension& e : spec.extensions) {
    x509::X509ExtensionPtr ext = MakeExtension(&ctx, e);
    Check(X509_add_ext(cert.get(), ext.get(), -1) == 1, "X509_add_ext");
  }
  return cert;
}

void SignCertificateWithKey(X509& cert, EVP_PKEY& key, std::optional<const EVP_MD*> digest) {
  Check(X509_sign(&cert, &key, DigestOr(digest, key)) > 0, "X509_sign");
}

x509::X509Ptr SelfSignedCertificate(EVP_PKEY& key, const CertSpec& spec) {
  x509::X509Ptr cert = BuildUnsignedCertificate(key, spec);
  SignCertificateWithKey(*cert, key);
  return cert;
}

x509::X509Ptr SignWithSigner(X509& cert, const keys::Signer& signer, SigningAlgorithm alg) {
  Bytes der = Must(x509::SignCertificate(cert, signer, alg), "SignCertificate");
  x509::X509Ptr parsed = ParseCertDer(der);
  Check(parsed != nullptr, "d2i_X509");
  return parsed;
}

TestCa MakeRootCa(std::shared_ptr<const keys::Signer> signer, SigningAlgorithm alg,
                  CertSpec spec) {
  std::vector<Extension> exts = RootCaExtensions();
  exts.insert(exts.end(), spec.extensions.begin(), spec.extensions.end());
  spec.extensions = std::move(exts);
  x509::EvpPkeyPtr pub = PublicKeyOf(*signer);
  x509::X509Ptr unsigned_cert = BuildUnsignedCertificate(*pub, spec);
  TestCa ca{std::move(signer), alg, nullptr, {}};
  ca.cert = SignWithSigner(*unsigned_cert, *ca.signer, alg);
  ca.der = CertDer(*ca.cert);
  return ca;
}

SigningAlgorithm DefaultSigningAlgorithm(KeyAlgorithm key_alg) {
  switch (FamilyOf(key_alg)) {
    case KeyFamily::kRsa:
      return SigningAlgorithm::kSha256WithRsa;
    case KeyFamily::kEc:
      return SigningAlgorithm::kSha256WithEcdsa;
    case KeyFamily::kSm2:
      return SigningAlgorithm::kSm3WithSm2;
  }
  Fail("DefaultSigningAlgorithm", Status(ErrorCode::kInternal, "unknown key family"));
}

TestCa MakeRootCa(KeyAlgorithm key_alg, CertSpec spec) {
  return MakeRootCa(NewSigner(key_alg), DefaultSigningAlgorithm(key_alg), std::move(spec));
}

TestCa MakeRootCa(KeyAlgorithm key_alg, const std::string& organization,
                  const std::string& common_name, long days) {
  CertSpec spec;
  spec.subject = {{"O", organization}, {"CN", common_name}};
  spec.not_before_offset = -86400;
  spec.not_after_offset = days * 86400;
  return MakeRootCa(key_alg, std::move(spec));
}

TestCa MakeSubordinateCa(const TestCa& parent, std::shared_ptr<const keys::Signer> signer,
                         SigningAlgorithm alg, CertSpec spec, std::optional<int> path_len) {
  std::vector<Extension> exts = {
      {NID_basic_constraints,
       "critical,CA:TRUE" +
           (path_len.has_value() ? ",pathlen:" + std::to_string(*path_len) : std::string())},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  exts.insert(exts.end(), spec.extensions.begin(), spec.extensions.end());
  spec.extensions = std::move(exts);
  x509::EvpPkeyPtr pub = PublicKeyOf(*signer);
  x509::X509Ptr unsigned_cert = BuildUnsignedCertificate(*pub, spec, parent.cert.get());
  TestCa ca{std::move(signer), alg, nullptr, {}};
  ca.cert = SignWithSigner(*unsigned_cert, *parent.signer, parent.alg);
  ca.der = CertDer(*ca.cert);
  return ca;
}

// ---- Encodings ----

Bytes CertDer(const X509& cert) { return WriteDer<X509, &i2d_X509>(cert); }
std::string CertPem(const X509& cert) { return WritePem<X509, &PEM_write_bio_X509>(cert); }
Bytes CsrDer(const X509_REQ& req) { return WriteDer<X509_REQ, &i2d_X509_REQ>(req); }
std::string CsrPem(const X509_REQ& req) {
  return WritePem<X509_REQ, &PEM_write_bio_X509_REQ>(req);
}
std::string PrivateKeyPem(const EVP_PKEY& key) { return WritePem<EVP_PKEY, &WritePkcs8>(key); }

x509::X509Ptr ParseCertDer(const Bytes& der) {
  const unsigned char* in = der.data();
  x509::X509Ptr cert(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  if (cert != nullptr && in != der.data() + der.size()) return nullptr;
  return cert;
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Fail("open " + path.string(), Status(ErrorCode::kInternal, "open"));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      Fail("write " + path.string(), Status(ErrorCode::kInternal, "write"));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace openpca::test_pki

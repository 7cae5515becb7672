// Differential test of the two certificate builders (authority/certificate_builder.h): for every
// template and every CA key type, and for CSRs of every supported key type and shape, the direct
// encoder must produce exactly the bytes of the OpenSSL reference path, or fail with the same
// error code. Serial, validity and URLs are fixed; signatures are made once per TBS (MemoSigner)
// so that ECDSA's random nonces do not hide a difference: whole DERs are compared.
//
// With OPENPCA_DIFFERENTIAL_DUMP=<dir>, every compared pair is written there as
// <case>.reference.der / <case>.direct.der with the issuing CA as <case>.issuer.der, for
// tests/integration/test_certificate_builders.py (openssl x509 -text and Python cryptography).
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "authority/certificate_builder.h"
#include "authority/templates.h"
#include "keys/ephemeral_signer.h"
#include "testing/test_pki.h"
#include "x509/csr.h"
#include "x509/der_writer.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/name.h"
#include "x509/pem.h"

namespace openpca::authority {
namespace {

using x509::AppendDer;
using x509::AppendDerHeader;
using x509::kDerSequence;

constexpr KeyAlgorithm kAllKeys[] = {KeyAlgorithm::kEcP256,  KeyAlgorithm::kEcP384,
                                     KeyAlgorithm::kEcP521,  KeyAlgorithm::kRsa2048,
                                     KeyAlgorithm::kRsa3072, KeyAlgorithm::kRsa4096,
                                     KeyAlgorithm::kSm2};

std::vector<SigningAlgorithm> AlgorithmsFor(KeyAlgorithm key) {
  switch (FamilyOf(key)) {
    case KeyFamily::kEc:
      return {SigningAlgorithm::kSha256WithEcdsa, SigningAlgorithm::kSha384WithEcdsa,
              SigningAlgorithm::kSha512WithEcdsa};
    case KeyFamily::kRsa:
      return {SigningAlgorithm::kSha256WithRsa, SigningAlgorithm::kSha384WithRsa,
              SigningAlgorithm::kSha512WithRsa};
    case KeyFamily::kSm2:
      return {SigningAlgorithm::kSm3WithSm2};
  }
  return {};
}

// Signs each distinct message once and answers repeats with the same signature, so that two
// builders signing the same TBS get the same (valid) bytes.
class MemoSigner final : public keys::Signer {
 public:
  explicit MemoSigner(std::shared_ptr<const keys::Signer> inner) : inner_(std::move(inner)) {}
  KeyAlgorithm algorithm() const override { return inner_->algorithm(); }
  const Bytes& public_key_der() const override { return inner_->public_key_der(); }
  Result<Bytes> Sign(SigningAlgorithm alg, std::span<const uint8_t> data) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = std::make_pair(static_cast<int>(alg), Bytes(data.begin(), data.end()));
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    ASSIGN_OR_RETURN(Bytes sig, inner_->Sign(alg, data));
    memo_[key] = sig;
    return sig;
  }

 private:
  std::shared_ptr<const keys::Signer> inner_;
  mutable std::mutex mu_;
  mutable std::map<std::pair<int, Bytes>, Bytes> memo_;
};

std::shared_ptr<const keys::Signer> NewSigner(KeyAlgorithm alg) {
  static std::mutex mu;
  static std::map<KeyAlgorithm, std::shared_ptr<const keys::Signer>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[alg];
  if (slot == nullptr) {
    auto signer = keys::NewEphemeralSigner(alg);
    OPENPCA_CHECK(signer.ok());
    slot = std::make_shared<MemoSigner>(*signer);
  }
  return slot;
}

struct Outcome {
  Status status;
  Bytes der;
};

Outcome Build(CertificateBuilder builder, const CertificateInput& input,
              const CertificateFinish& finish, const keys::Signer& signer) {
  Result<std::unique_ptr<PreparedCertificate>> prepared = PrepareCertificate(builder, input);
  if (!prepared.ok()) return {prepared.status(), {}};
  Result<Bytes> der = std::move(**prepared).Issue(finish, signer);
  if (!der.ok()) return {der.status(), {}};
  return {Status::Ok(), std::move(*der)};
}

// A CA: its signer, certificate and IssuerContext, made with the reference builder.
struct TestCa {
  std::shared_ptr<const keys::Signer> signer;
  std::shared_ptr<IssuerContext> ctx;
  Bytes der;
};

const TestCa& CaFor(KeyAlgorithm alg) {
  static std::map<KeyAlgorithm, TestCa> cas;
  auto it = cas.find(alg);
  if (it != cas.end()) return it->second;
  TestCa ca;
  ca.signer = NewSigner(alg);
  ca.ctx = std::make_shared<IssuerContext>();
  ca.ctx->signer = ca.signer;
  // A name with a PrintableString country, UTF-8 with non-ASCII text and several RDNs.
  auto name = x509::BuildName({{"2.5.4.6", "DE"},
                               {"2.5.4.10", "openpca Prüfstelle"},
                               {"2.5.4.11", "Differential"},
                               {"2.5.4.3", "Root " + std::string(KeyAlgorithmName(alg))}});
  OPENPCA_CHECK(name.ok());
  SigningAlgorithm sig = AlgorithmsFor(alg)[0];
  auto csr = x509::BuildCaCsr(**name, *ca.signer, sig, nullptr);
  OPENPCA_CHECK(csr.ok());
  CertificateFinish finish;
  finish.serial = Bytes(16, 0x42);
  finish.not_before = FromUnixSeconds(1'700'000'000);
  finish.not_after = FromUnixSeconds(2'700'000'000);  // 2055: GeneralizedTime
  finish.alg = sig;
  CertificateInput input{FindTemplate("RootCACertificate/V1"), ca.ctx.get(), *csr, nullptr};
  Outcome root = Build(CertificateBuilder::kOpenSsl, input, finish, *ca.signer);
  OPENPCA_CHECK(root.status.ok());
  ca.der = root.der;
  auto parsed = x509::ParseCertificateDer(root.der);
  OPENPCA_CHECK(parsed.ok());
  ca.ctx->certificate = std::move(*parsed);
  auto ski = x509::SubjectKeyId(*ca.ctx->certificate);
  OPENPCA_CHECK(ski.ok());
  ca.ctx->subject_key_id = *ski;
  OPENPCA_CHECK(ca.ctx->PrepareEncodings().ok());
  return cas.emplace(alg, std::move(ca)).first->second;
}

// ---- CSRs ----

x509::EvpPkeyPtr NewKey(const std::string& kind) {
  static const std::map<std::string, KeyAlgorithm> kKinds = {
      {"p256", KeyAlgorithm::kEcP256},     {"p256c", KeyAlgorithm::kEcP256},
      {"p384", KeyAlgorithm::kEcP384},     {"p521", KeyAlgorithm::kEcP521},
      {"rsa2048", KeyAlgorithm::kRsa2048}, {"rsa3072", KeyAlgorithm::kRsa3072},
      {"rsa4096", KeyAlgorithm::kRsa4096}, {"sm2", KeyAlgorithm::kSm2}};
  x509::EvpPkeyPtr key = test_pki::NewKey(kKinds.at(kind));
  if (kind == "p256c") {
    OPENPCA_CHECK(EVP_PKEY_set_utf8_string_param(
                      key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed") == 1);
  }
  return key;
}

const EVP_PKEY& KeyFor(const std::string& kind) {
  static std::mutex mu;
  static std::map<std::string, x509::EvpPkeyPtr> keys;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = keys[kind];
  if (slot == nullptr) slot = NewKey(kind);
  return *slot;
}

Bytes Spki(const EVP_PKEY& key) {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(&key, &buf);
  OPENPCA_CHECK(len > 0);
  Bytes out(buf, buf + len);
  OPENPCA_CHECK(out.size() == static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

Bytes Der(uint8_t tag, std::span<const uint8_t> content) {
  Bytes out;
  AppendDer(out, tag, content);
  return out;
}
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes Oid(const char* dotted) {
  x509::Asn1ObjectPtr obj(OBJ_txt2obj(dotted, 1));
  OPENPCA_CHECK(obj != nullptr);
  return Der(0x06, {OBJ_get0_data(obj.get()), OBJ_length(obj.get())});
}
Bytes Utf8(const std::string& s) { return Der(0x0c, ToBytes(s)); }
Bytes Printable(const std::string& s) { return Der(0x13, ToBytes(s)); }
Bytes Rdn(const char* oid, Bytes value) { return Der(0x31, Der(kDerSequence, Cat({Oid(oid), value}))); }
// Extension with criticality absent (-1), explicit FALSE (0), TRUE as 0xff (1) or as 0x01 (2).
Bytes Ext(const char* oid, int critical, Bytes value) {
  Bytes crit;
  if (critical == 0) crit = {0x01, 0x01, 0x00};
  if (critical == 1) crit = {0x01, 0x01, 0xff};
  if (critical == 2) crit = {0x01, 0x01, 0x01};
  return Der(kDerSequence, Cat({Oid(oid), crit, Der(0x04, value)}));
}
Bytes Attribute(const char* oid, Bytes value) {
  return Der(kDerSequence, Cat({Oid(oid), Der(0x31, value)}));
}

struct CsrShape {
  std::string name;
  std::string key;     // NewKey kind
  std::string digest;  // "SHA256", ...; "PSS" for RSASSA-PSS
  Bytes subject;       // Name DER
  Bytes attributes;    // whole [0] element, or empty for none
};

Bytes SignatureAlgorithmOf(const EVP_PKEY& key, const std::string& digest) {
  if (EVP_PKEY_is_a(&key, "SM2")) return Der(kDerSequence, Oid("1.2.156.10197.1.501"));
  bool rsa = EVP_PKEY_is_a(&key, "RSA");
  std::map<std::string, std::string> rsa_oids = {{"SHA1", "1.2.840.113549.1.1.5"},
                                                 {"SHA256", "1.2.840.113549.1.1.11"},
                                                 {"SHA384", "1.2.840.113549.1.1.12"},
                                                 {"SHA512", "1.2.840.113549.1.1.13"},
                                                 {"SHA224", "1.2.840.113549.1.1.14"}};
  std::map<std::string, std::string> ec_oids = {{"SHA1", "1.2.840.10045.4.1"},
                                                {"SHA224", "1.2.840.10045.4.3.1"},
                                                {"SHA256", "1.2.840.10045.4.3.2"},
                                                {"SHA384", "1.2.840.10045.4.3.3"},
                                                {"SHA512", "1.2.840.10045.4.3.4"}};
  if (rsa) return Der(kDerSequence, Cat({Oid(rsa_oids.at(digest).c_str()), Bytes{0x05, 0x00}}));
  return Der(kDerSequence, Oid(ec_oids.at(digest).c_str()));
}

// A CSR written by hand and signed with EVP, so that encodings OpenSSL's X509_REQ API would not
// produce (explicit FALSE, TRUE as 0x01, Microsoft's extension request, no attributes) are
// covered too. RSA-PSS goes through X509_REQ_sign_ctx.
Bytes MakeCsr(const CsrShape& shape) {
  const EVP_PKEY& key = KeyFor(shape.key);
  if (shape.digest == "PSS") {
    // OpenSSL's own writer for the PSS parameters; the subject and SAN are enough here.
    const unsigned char* in = shape.subject.data();
    x509::X509NamePtr name(d2i_X509_NAME(nullptr, &in, static_cast<long>(shape.subject.size())));
    OPENPCA_CHECK(name != nullptr);
    x509::X509ReqPtr req = test_pki::BuildUnsignedCsr(key, test_pki::CsrSpec{});
    X509_REQ_set_subject_name(req.get(), name.get());
    x509::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    OPENPCA_CHECK(EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr,
                                     const_cast<EVP_PKEY*>(&key)) == 1);
    OPENPCA_CHECK(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    OPENPCA_CHECK(X509_REQ_sign_ctx(req.get(), ctx.get()) > 0);
    return test_pki::CsrDer(*req);
  }
  Bytes info = Der(kDerSequence, Cat({Bytes{0x02, 0x01, 0x00}, shape.subject, Spki(key),
                                      shape.attributes}));
  x509::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  OPENPCA_CHECK(EVP_DigestSignInit_ex(ctx.get(), nullptr,
                                      EVP_PKEY_is_a(&key, "SM2") ? "SM3" : shape.digest.c_str(),
                                      nullptr, nullptr, const_cast<EVP_PKEY*>(&key),
                                      nullptr) == 1);
  size_t sig_len = 0;
  OPENPCA_CHECK(EVP_DigestSign(ctx.get(), nullptr, &sig_len, info.data(), info.size()) == 1);
  Bytes sig(sig_len + 1);
  OPENPCA_CHECK(EVP_DigestSign(ctx.get(), sig.data() + 1, &sig_len, info.data(), info.size()) ==
                1);
  sig.resize(sig_len + 1);
  sig[0] = 0x00;
  return Der(kDerSequence,
             Cat({info, SignatureAlgorithmOf(key, shape.digest), Der(0x03, sig)}));
}

Bytes StandardSubject(const std::string& cn) {
  return Der(kDerSequence, Cat({Rdn("2.5.4.6", Printable("US")), Rdn("2.5.4.10", Utf8("Example")),
                                Rdn("2.5.4.3", Utf8(cn))}));
}

Bytes SanValue() {
  // dNSName, iPAddress, rfc822Name, URI
  return Der(kDerSequence, Cat({Der(0x82, ToBytes(std::string("a.example.com"))),
                                Der(0x87, Bytes{10, 0, 0, 1}),
                                Der(0x81, ToBytes(std::string("ops@example.com"))),
                                Der(0x86, ToBytes(std::string("https://example.com/x")))}));
}

Bytes ExtensionRequest(const char* attr_oid, std::initializer_list<Bytes> exts) {
  return Attribute(attr_oid, Der(kDerSequence, Cat(exts)));
}

constexpr char kExtReq[] = "1.2.840.113549.1.9.14";
constexpr char kMsExtReq[] = "1.3.6.1.4.1.311.2.1.14";

// Every CSR shape of the test.
std::vector<CsrShape> Shapes() {
  std::vector<CsrShape> out;
  Bytes san_only = Der(0xa0, ExtensionRequest(kExtReq, {Ext("2.5.29.17", -1, SanValue())}));
  Bytes rich = Der(
      0xa0,
      Cat({Attribute("1.2.840.113549.1.9.7", Utf8("challenge")),  // challengePassword first
           ExtensionRequest(
               kExtReq,
               {Ext("2.5.29.17", -1, SanValue()),
                Ext("2.5.29.15", 1, Bytes{0x03, 0x02, 0x05, 0xa0}),              // KU
                Ext("2.5.29.37", 0, Der(kDerSequence, Oid("1.3.6.1.5.5.7.3.4"))),  // EKU, FALSE
                Ext("2.5.29.19", 2, Der(kDerSequence, Bytes{})),                   // BC, TRUE=01
                Ext("2.5.29.14", -1, Der(0x04, Bytes(20, 0x11))),                  // SKI: dropped
                Ext("2.5.29.35", -1, Der(kDerSequence, Der(0x80, Bytes(20, 0x22)))),  // AKI
                Ext("1.3.6.1.4.1.99999.1", 0, Utf8("custom")),
                Ext("2.5.29.17", -1, Der(kDerSequence, Der(0x82, ToBytes(std::string("dup"))))),
                Ext("1.3.6.1.5.5.7.1.1", -1,  // AIA: the CA's OCSP overrides it
                    Der(kDerSequence,
                        Der(kDerSequence,
                            Cat({Oid("1.3.6.1.5.5.7.48.1"),
                                 Der(0x86, ToBytes(std::string("http://csr.example/ocsp")))})))),
                Ext("2.5.29.31", -1,  // CDP: kept over the CA's for CSR varieties
                    Der(kDerSequence,
                        Der(kDerSequence,
                            Der(0xa0, Der(0xa0, Der(0x86, ToBytes(std::string(
                                                               "http://csr.example/c.crl")))))))),
               })}));
  Bytes ms = Der(0xa0, ExtensionRequest(kMsExtReq, {Ext("2.5.29.17", -1, SanValue()),
                                                    Ext("2.5.29.32", -1,
                                                        Der(kDerSequence,
                                                            Der(kDerSequence,
                                                                Oid("2.23.140.1.2.1"))))}));
  Bytes empty_attrs = Der(0xa0, Bytes{});
  const Bytes subject = StandardSubject("leaf.example.com");
  const Bytes empty_subject = Der(kDerSequence, Bytes{});
  for (const char* key : {"p256", "p256c", "p384", "p521", "rsa2048", "rsa3072", "rsa4096", "sm2"}) {
    out.push_back({std::string(key) + "-san", key, "SHA256", subject, san_only});
  }
  out.push_back({"p256-rich", "p256", "SHA256", subject, rich});
  out.push_back({"rsa2048-rich-sha512", "rsa2048", "SHA512", subject, rich});
  out.push_back({"p384-ms-sha384", "p384", "SHA384", subject, ms});
  out.push_back({"p256-no-attributes", "p256", "SHA256", subject, {}});
  out.push_back({"p256-empty-attributes-sha1", "p256", "SHA1", subject, empty_attrs});
  out.push_back({"p521-only-san-sha224", "p521", "SHA224", empty_subject, san_only});
  out.push_back({"p256-nothing", "p256", "SHA256", empty_subject, empty_attrs});  // refused
  out.push_back({"rsa2048-pss", "rsa2048", "PSS", subject, {}});
  out.push_back({"sm2-rich", "sm2", "SM3", subject, rich});
  return out;
}

nlohmann::json ApiPassthrough(int variant) {
  if (variant % 3 == 0) return nlohmann::json::object();
  nlohmann::json api = {
      {"Subject",
       {{"Country", "FR"}, {"Organization", "Société API"}, {"CommonName", "api.example.com"}}},
      {"Extensions",
       {{"KeyUsage", {{"DigitalSignature", true}, {"KeyAgreement", true}}},
        {"ExtendedKeyUsage", {{{"ExtendedKeyUsageType", "SERVER_AUTH"}},
                              {{"ExtendedKeyUsageObjectIdentifier", "1.3.6.1.5.5.7.3.8"}}}},
        {"SubjectAlternativeNames",
         {{{"DnsName", "api.example.com"}},
          {{"IpAddress", "2001:db8::1"}},
          {{"UniformResourceIdentifier", "urn:example:api"}},
          {{"DirectoryName", {{"CommonName", "dir"}, {"Organization", "O"}}}},
          {{"OtherName", {{"TypeId", "1.3.6.1.4.1.311.20.2.3"}, {"Value", "upn@example"}}}},
          {{"RegisteredId", "1.2.3.4"}}}},
        {"CertificatePolicies",
         {{{"CertPolicyId", "2.23.140.1.2.2"},
           {"PolicyQualifiers",
            {{{"PolicyQualifierId", "CPS"},
              {"Qualifier", {{"CpsUri", "https://example.com/cps"}}}}}}}}},
        {"CustomExtensions",
         {{{"ObjectIdentifier", "1.3.6.1.4.1.99999.7"}, {"Value", "BAVoZWxsbw=="},
           {"Critical", variant % 2 == 0}}}}}}};
  if (variant % 3 == 2) api.erase("Subject");
  return api;
}

CertificateFinish FinishFor(int variant, SigningAlgorithm alg) {
  CertificateFinish f;
  f.alg = alg;
  f.serial = Bytes(16);
  for (size_t i = 0; i < f.serial.size(); ++i) f.serial[i] = static_cast<uint8_t>(variant * 31 + i * 7);
  if (variant % 4 == 0) {
    f.serial[0] = 0x00;  // leading zeros drop out of the INTEGER
    f.serial[1] = 0x00;
  } else {
    f.serial[0] = static_cast<uint8_t>((f.serial[0] & 0x7f) | 0x40);
  }
  f.not_before = FromUnixSeconds(1'800'000'000 - 3600 + variant);
  f.not_after = FromUnixSeconds(variant % 5 == 0 ? 2'600'000'000 : 1'800'000'000 + 86400 * 30);
  if (variant % 2 == 1) {
    f.crl_url = "http://crl.example.com/ca/" + std::to_string(variant) + ".crl";
  }
  if (variant % 3 == 1) {
    f.ocsp_url = "http://ocsp.example.com";
    f.ca_issuers_url = "http://ca.example.com/ca.cer";
  }
  return f;
}

void Dump(const std::string& name, const TestCa& ca, const Bytes& reference, const Bytes& direct) {
  const char* dir = std::getenv("OPENPCA_DIFFERENTIAL_DUMP");
  if (dir == nullptr || *dir == '\0') return;
  std::string safe = name;
  for (char& c : safe) {
    if (c == '/' || c == ' ') c = '_';
  }
  auto write = [&](const std::string& suffix, const Bytes& der) {
    std::ofstream f(std::filesystem::path(dir) / (safe + suffix), std::ios::binary);
    f.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  };
  write(".reference.der", reference);
  write(".direct.der", direct);
  write(".issuer.der", ca.der);
}

// Runs both builders and compares. Returns whether they issued.
bool Compare(const std::string& name, const TestCa& ca, const TemplateDefinition& tmpl,
             const Bytes& csr, const nlohmann::json* api, const CertificateFinish& finish) {
  CertificateInput input{&tmpl, ca.ctx.get(), csr, tmpl.takes_api() ? api : nullptr};
  Outcome reference = Build(CertificateBuilder::kOpenSsl, input, finish, *ca.signer);
  Outcome direct = Build(CertificateBuilder::kDirect, input, finish, *ca.signer);
  EXPECT_EQ(direct.status.code(), reference.status.code())
      << name << ": reference " << reference.status.ToString() << ", direct "
      << direct.status.ToString();
  if (!reference.status.ok() || !direct.status.ok()) return false;
  EXPECT_EQ(HexEncode(direct.der), HexEncode(reference.der)) << name;
  Dump(name, ca, reference.der, direct.der);
  return true;
}

TEST(CertificateBuilderDifferentialTest, EveryTemplateEveryCaKeyType) {
  const std::vector<CsrShape> shapes = Shapes();
  const CsrShape* standard = &shapes[0];
  int variant = 0;
  int issued = 0;
  for (KeyAlgorithm ca_key : kAllKeys) {
    const TestCa& ca = CaFor(ca_key);
    std::vector<SigningAlgorithm> algs = AlgorithmsFor(ca_key);
    for (const TemplateDefinition& tmpl : AllTemplates()) {
      ++variant;
      SigningAlgorithm alg = algs[static_cast<size_t>(variant) % algs.size()];
      Bytes csr;
      if (tmpl.root) {
        // A root template signs the CA's own CSR.
        auto name = x509::BuildName({{"2.5.4.3", "Root " + std::string(KeyAlgorithmName(ca_key))}});
        auto built = x509::BuildCaCsr(**name, *ca.signer, alg, nullptr);
        ASSERT_TRUE(built.ok());
        csr = *built;
      } else {
        // Rotate over the CSR shapes that issue (the last-but-two is refused on purpose).
        const CsrShape& shape = shapes[static_cast<size_t>(variant) % shapes.size()];
        csr = MakeCsr(shape.name == "p256-nothing" ? *standard : shape);
      }
      nlohmann::json api = ApiPassthrough(variant);
      std::string name = std::string(KeyAlgorithmName(ca_key)) + "-" + tmpl.name + "-" +
                         std::string(SigningAlgorithmName(alg));
      if (Compare(name, ca, tmpl, csr, &api, FinishFor(variant, alg))) ++issued;
    }
  }
  EXPECT_EQ(issued, 7 * static_cast<int>(AllTemplates().size()));
}

TEST(CertificateBuilderDifferentialTest, EveryCsrShape) {
  const char* kTemplates[] = {"EndEntityCertificate/V1", "EndEntityCertificate_CSRPassthrough/V1",
                              "BlankEndEntityCertificate_APICSRPassthrough/V1",
                              "SubordinateCACertificate_PathLen0_APIPassthrough/V1"};
  int variant = 0;
  for (KeyAlgorithm ca_key : {KeyAlgorithm::kEcP256, KeyAlgorithm::kRsa2048}) {
    const TestCa& ca = CaFor(ca_key);
    for (const CsrShape& shape : Shapes()) {
      Bytes csr = MakeCsr(shape);
      for (const char* t : kTemplates) {
        ++variant;
        const TemplateDefinition* tmpl = FindTemplate(t);
        ASSERT_NE(tmpl, nullptr);
        nlohmann::json api = ApiPassthrough(variant);
        SigningAlgorithm alg = AlgorithmsFor(ca_key)[0];
        bool issued = Compare(shape.name + "-" + t, ca, *tmpl, csr, &api, FinishFor(variant, alg));
        if (shape.name == "p256-nothing") {
          // No subject and no SAN: refused, unless ApiPassthrough brings one of the two.
          bool api_helps = tmpl->takes_api() &&
                           (api.contains("Subject") || api.contains("Extensions"));
          EXPECT_EQ(issued, api_helps) << t;
        } else {
          EXPECT_TRUE(issued) << shape.name << " " << t;
        }
      }
      // As PEM too.
      const TemplateDefinition* tmpl = FindTemplate("EndEntityCertificate/V1");
      Compare(shape.name + "-pem", ca, *tmpl, ToBytes(x509::CsrDerToPem(csr)), nullptr,
              FinishFor(1, AlgorithmsFor(ca_key)[0]));
    }
  }
}

TEST(CertificateBuilderDifferentialTest, RejectionsAgree) {
  const TestCa& ca = CaFor(KeyAlgorithm::kEcP256);
  const TemplateDefinition* tmpl = FindTemplate("EndEntityCertificate/V1");
  const CertificateFinish finish = FinishFor(1, SigningAlgorithm::kSha256WithEcdsa);
  Bytes good = MakeCsr(Shapes()[0]);
  std::vector<std::pair<std::string, Bytes>> cases;
  Bytes bad_sig = good;
  bad_sig[bad_sig.size() - 5] ^= 0x01;
  cases.push_back({"bad signature", bad_sig});
  Bytes trailing = good;
  trailing.push_back(0x00);
  cases.push_back({"trailing byte", trailing});
  cases.push_back({"empty", {}});
  cases.push_back({"not a csr", ToBytes(std::string("hello"))});
  // A root template on a CSR that is not the CA's own key.
  Outcome ref = Build(CertificateBuilder::kOpenSsl,
                      {FindTemplate("RootCACertificate/V1"), ca.ctx.get(), good, nullptr}, finish,
                      *ca.signer);
  Outcome dir = Build(CertificateBuilder::kDirect,
                      {FindTemplate("RootCACertificate/V1"), ca.ctx.get(), good, nullptr}, finish,
                      *ca.signer);
  EXPECT_EQ(ref.status.code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(dir.status.code(), ErrorCode::kInvalidArgs);
  for (const auto& [name, csr] : cases) {
    EXPECT_FALSE(Compare(name, ca, *tmpl, csr, nullptr, finish)) << name;
  }
}

}  // namespace
}  // namespace openpca::authority

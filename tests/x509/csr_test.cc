#include "x509/csr.h"

#include <gtest/gtest.h>
#include <openssl/dsa.h>

#include "x509/signing.h"
#include "x509_test_util.h"

namespace openpca::x509 {
namespace {

using testing::MakeName;
using testing::MakeSigner;
using testing::PublicKeyOf;
using testing::RunCommand;
using testing::TempDir;

Bytes ToDer(X509_REQ* req) { return test_pki::CsrDer(*req); }

// A CSR for `key`, signed with OpenSSL itself (X509_REQ_sign), as a client would send it.
Bytes ClientCsr(EVP_PKEY* key, const EVP_MD* md) {
  test_pki::CsrSpec spec;
  spec.subject = {{"O", "openpca tests"}, {"CN", "client"}};
  spec.digest = md;
  return test_pki::CsrDer(*test_pki::BuildCsr(*key, spec));
}

ErrorCode ParseAndVerify(std::span<const uint8_t> input) {
  auto req = ParseCsr(input);
  if (!req.ok()) return req.status().code();
  return VerifyCsr(**req).code();
}

struct Case {
  KeyAlgorithm key;
  SigningAlgorithm alg;
};

class BuildCaCsrTest : public ::testing::TestWithParam<Case> {};

TEST_P(BuildCaCsrTest, RoundTripsAndVerifies) {
  auto signer = MakeSigner(GetParam().key);
  X509NamePtr subject = MakeName("Example Issuing CA");
  X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
  X509ExtensionPtr bc(
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  ASSERT_NE(bc, nullptr);
  ASSERT_GT(sk_X509_EXTENSION_push(exts.get(), bc.release()), 0);

  auto der = BuildCaCsr(*subject, *signer, GetParam().alg, exts.get());
  ASSERT_TRUE(der.ok()) << der.status().ToString();

  auto from_der = ParseCsr(*der);
  ASSERT_TRUE(from_der.ok()) << from_der.status().ToString();
  EXPECT_TRUE(VerifyCsr(**from_der).ok()) << VerifyCsr(**from_der).ToString();

  std::string pem = CsrDerToPem(*der);
  auto from_pem = ParseCsr(AsSpan(pem));
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  Status verified = VerifyCsr(**from_pem);
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  EXPECT_EQ(ToDer(from_pem->get()), *der);

  // Subject, public key and the requested extension survive.
  EXPECT_EQ(X509_NAME_cmp(X509_REQ_get_subject_name(from_pem->get()), subject.get()), 0);
  auto spki = CsrPublicKeyDer(**from_pem);
  ASSERT_TRUE(spki.ok());
  EXPECT_EQ(*spki, signer->public_key_der());
  auto key = CsrPublicKey(**from_pem);
  ASSERT_TRUE(key.ok());
  EvpPkeyPtr expected = PublicKeyOf(*signer);
  EXPECT_EQ(EVP_PKEY_eq(key->get(), expected.get()), 1);
  X509ExtStackPtr got(X509_REQ_get_extensions(from_pem->get()));
  ASSERT_EQ(sk_X509_EXTENSION_num(got.get()), 1);
  EXPECT_EQ(OBJ_obj2nid(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(got.get(), 0))),
            NID_basic_constraints);

  // OpenSSL's own CSR verification agrees (told the SM2 ID, which it does not assume).
  TempDir dir;
  std::string opts = GetParam().key == KeyAlgorithm::kSm2
                         ? std::string(" -vfyopt distid:") + keys::kSm2DefaultId
                         : std::string();
  auto r = RunCommand("openssl req -noout -verify" + opts + " -in " + dir.Write("ca.csr", pem));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, BuildCaCsrTest,
    ::testing::Values(Case{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa},
                      Case{KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa},
                      Case{KeyAlgorithm::kEcP521, SigningAlgorithm::kSha512WithEcdsa},
                      Case{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa},
                      Case{KeyAlgorithm::kSm2, SigningAlgorithm::kSm3WithSm2}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(KeyAlgorithmName(info.param.key));
    });

TEST(BuildCaCsrTest, NoExtensionsAndMismatchedAlgorithm) {
  auto signer = MakeSigner(KeyAlgorithm::kEcP256);
  X509NamePtr subject = MakeName("No Extensions CA");
  auto der = BuildCaCsr(*subject, *signer, SigningAlgorithm::kSha256WithEcdsa, nullptr);
  ASSERT_TRUE(der.ok());
  auto req = ParseCsr(*der);
  ASSERT_TRUE(req.ok());
  EXPECT_TRUE(VerifyCsr(**req).ok());
  X509ExtStackPtr got(X509_REQ_get_extensions(req->get()));
  EXPECT_EQ(sk_X509_EXTENSION_num(got.get()), 0);
  EXPECT_EQ(
      BuildCaCsr(*subject, *signer, SigningAlgorithm::kSha256WithRsa, nullptr).status().code(),
      ErrorCode::kInvalidArgs);
}

class VerifyCsrTest : public ::testing::Test {
 protected:
  static Bytes GoodCsr() {
    auto signer = MakeSigner(KeyAlgorithm::kEcP256);
    X509NamePtr subject = MakeName("good");
    auto der = BuildCaCsr(*subject, *signer, SigningAlgorithm::kSha256WithEcdsa, nullptr);
    EXPECT_TRUE(der.ok());
    return *der;
  }
};

TEST_F(VerifyCsrTest, TamperedSignatureIsMalformed) {
  Bytes der = GoodCsr();
  ASSERT_EQ(ParseAndVerify(der), ErrorCode::kOk);
  // The last bytes are inside the ECDSA signature's s value.
  Bytes bad = der;
  bad[bad.size() - 3] ^= 0x01;
  EXPECT_EQ(ParseAndVerify(bad), ErrorCode::kMalformedCsr);
}

TEST_F(VerifyCsrTest, TamperedSubjectIsMalformed) {
  Bytes der = GoodCsr();
  auto pos = std::search(der.begin(), der.end(), std::begin("good"), std::end("good") - 1);
  ASSERT_NE(pos, der.end());
  *pos = 'G';
  EXPECT_EQ(ParseAndVerify(der), ErrorCode::kMalformedCsr);
}

TEST_F(VerifyCsrTest, ClientCsrsWithStrongKeysVerify) {
  EvpPkeyPtr rsa = test_pki::NewKey(KeyAlgorithm::kRsa2048);
  EXPECT_EQ(ParseAndVerify(ClientCsr(rsa.get(), EVP_sha256())), ErrorCode::kOk);
  EvpPkeyPtr ec = test_pki::NewKey(KeyAlgorithm::kEcP521);
  EXPECT_EQ(ParseAndVerify(ClientCsr(ec.get(), EVP_sha512())), ErrorCode::kOk);
  // X509_REQ_sign signs SM2 with the empty ID.
  EvpPkeyPtr sm2 = test_pki::NewKey(KeyAlgorithm::kSm2);
  EXPECT_EQ(ParseAndVerify(ClientCsr(sm2.get(), EVP_sm3())), ErrorCode::kOk);
}

TEST_F(VerifyCsrTest, WeakOrUnsupportedKeysAreMalformed) {
  EvpPkeyPtr rsa1024 = test_pki::NewRsaKey(1024);
  EXPECT_EQ(ParseAndVerify(ClientCsr(rsa1024.get(), EVP_sha256())), ErrorCode::kMalformedCsr);

  EvpPkeyPtr k1 = test_pki::NewKeyOfType("EC", "secp256k1");
  EXPECT_EQ(ParseAndVerify(ClientCsr(k1.get(), EVP_sha256())), ErrorCode::kMalformedCsr);

  EvpPkeyPtr p224 = test_pki::NewKeyOfType("EC", "P-224");
  EXPECT_EQ(ParseAndVerify(ClientCsr(p224.get(), EVP_sha256())), ErrorCode::kMalformedCsr);

  EvpPkeyPtr ed25519 = test_pki::NewKeyOfType("ED25519");
  EXPECT_EQ(ParseAndVerify(ClientCsr(ed25519.get(), nullptr)), ErrorCode::kMalformedCsr);

  // DSA: parameters first (1024 bits keeps the test fast; any size is rejected by type).
  EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
  ASSERT_NE(pctx, nullptr);
  ASSERT_EQ(EVP_PKEY_paramgen_init(pctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 1024), 1);
  EVP_PKEY* params_raw = nullptr;
  ASSERT_EQ(EVP_PKEY_paramgen(pctx.get(), &params_raw), 1);
  EvpPkeyPtr params(params_raw);
  EvpPkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params.get(), nullptr));
  ASSERT_EQ(EVP_PKEY_keygen_init(kctx.get()), 1);
  EVP_PKEY* dsa_raw = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen(kctx.get(), &dsa_raw), 1);
  EvpPkeyPtr dsa(dsa_raw);
  EXPECT_EQ(ParseAndVerify(ClientCsr(dsa.get(), EVP_sha256())), ErrorCode::kMalformedCsr);
}

TEST_F(VerifyCsrTest, GarbageIsMalformed) {
  EXPECT_EQ(ParseAndVerify({}), ErrorCode::kMalformedCsr);
  EXPECT_EQ(ParseAndVerify(AsSpan("not a csr at all")), ErrorCode::kMalformedCsr);
  EXPECT_EQ(ParseAndVerify(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}), ErrorCode::kMalformedCsr);
  EXPECT_EQ(ParseAndVerify(Bytes(1000, 0xff)), ErrorCode::kMalformedCsr);
  EXPECT_EQ(ParseAndVerify(AsSpan("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n"
                                  "-----END CERTIFICATE REQUEST-----\n")),
            ErrorCode::kMalformedCsr);
  EXPECT_EQ(ParseAndVerify(AsSpan("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n")),
            ErrorCode::kMalformedCsr);

  Bytes der = GoodCsr();
  Bytes trailing = der;
  trailing.push_back(0x00);
  EXPECT_EQ(ParseAndVerify(trailing), ErrorCode::kMalformedCsr);
  Bytes truncated(der.begin(), der.end() - 1);
  EXPECT_EQ(ParseAndVerify(truncated), ErrorCode::kMalformedCsr);
  // A CSR in a CERTIFICATE block.
  EXPECT_EQ(ParseAndVerify(AsSpan(CertificateDerToPem(der))), ErrorCode::kMalformedCsr);
}

TEST_F(VerifyCsrTest, PemVariantsAreAccepted) {
  Bytes der = GoodCsr();
  std::string pem = CsrDerToPem(der);
  EXPECT_EQ(ParseAndVerify(AsSpan("\n  " + pem + "\n\n")), ErrorCode::kOk);
  std::string crlf;
  for (char c : pem) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(ParseAndVerify(AsSpan(crlf)), ErrorCode::kOk);
  EXPECT_EQ(ParseAndVerify(AsSpan(DerToPem(kPemNewCsr, der))), ErrorCode::kOk);
}

}  // namespace
}  // namespace openpca::x509

#include "x509/signing.h"

#include <gtest/gtest.h>

#include "x509_test_util.h"

namespace openpca::x509 {
namespace {

using testing::MakeSigner;
using testing::MakeUnsignedCert;
using testing::ParseCert;
using testing::PublicKeyOf;
using testing::RunCommand;
using testing::TempDir;

Bytes AlgorDer(SigningAlgorithm alg) {
  auto algor = SignatureAlgorithmFor(alg);
  EXPECT_TRUE(algor.ok());
  unsigned char* buf = nullptr;
  int len = i2d_X509_ALGOR(algor->get(), &buf);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

TEST(SignatureAlgorithmForTest, EncodesAsRfc5758And4055And8017) {
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSha256WithEcdsa)), "300a06082a8648ce3d040302");
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSha384WithEcdsa)), "300a06082a8648ce3d040303");
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSha512WithEcdsa)), "300a06082a8648ce3d040304");
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSha256WithRsa)),
            "300d06092a864886f70d01010b0500");
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSha384WithRsa)),
            "300d06092a864886f70d01010c0500");
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSha512WithRsa)),
            "300d06092a864886f70d01010d0500");
  // 1.2.156.10197.1.501, parameters absent.
  EXPECT_EQ(HexEncode(AlgorDer(SigningAlgorithm::kSm3WithSm2)), "300a06082a811ccf55018375");
}

struct Case {
  KeyAlgorithm key;
  SigningAlgorithm alg;
};

class SignCertificateTest : public ::testing::TestWithParam<Case> {};

TEST_P(SignCertificateTest, SelfSignedCaAndLeafVerifyWithOpenSsl) {
  auto signer = MakeSigner(GetParam().key);
  SigningAlgorithm alg = GetParam().alg;
  X509Ptr unsigned_ca = MakeUnsignedCert(*signer, "Test Root", /*ca=*/true, nullptr, 1);
  auto ca_der = SignCertificate(*unsigned_ca, *signer, alg);
  ASSERT_TRUE(ca_der.ok()) << ca_der.status().ToString();

  EvpPkeyPtr pub = PublicKeyOf(*signer);
  // The object itself and a fresh parse of the DER verify.
  ASSERT_TRUE(UseSm2DefaultIdForVerification(*unsigned_ca).ok());
  EXPECT_EQ(X509_verify(unsigned_ca.get(), pub.get()), 1);
  X509Ptr ca = ParseCert(*ca_der);
  ASSERT_NE(ca, nullptr);
  ASSERT_TRUE(UseSm2DefaultIdForVerification(*ca).ok());
  EXPECT_EQ(X509_verify(ca.get(), pub.get()), 1);
  auto independent = VerifySignedDer(*ca_der, *pub, alg);
  ASSERT_TRUE(independent.ok()) << independent.status().ToString();
  EXPECT_TRUE(*independent);
  const ASN1_OBJECT* expected_oid = nullptr;
  X509_ALGOR_get0(&expected_oid, nullptr, nullptr, SignatureAlgorithmFor(alg)->get());
  EXPECT_EQ(X509_get_signature_nid(ca.get()), OBJ_obj2nid(expected_oid));
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(nullptr, &outer, ca.get());
  EXPECT_EQ(X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(ca.get())), 0);

  // A leaf issued by that CA, signed with the same key.
  auto leaf_key = MakeSigner(KeyAlgorithm::kEcP256);
  X509Ptr leaf = MakeUnsignedCert(*leaf_key, "leaf.example", /*ca=*/false, ca.get(), 2);
  auto leaf_der = SignCertificate(*leaf, *signer, alg);
  ASSERT_TRUE(leaf_der.ok()) << leaf_der.status().ToString();
  X509Ptr leaf_parsed = ParseCert(*leaf_der);
  ASSERT_NE(leaf_parsed, nullptr);
  ASSERT_TRUE(UseSm2DefaultIdForVerification(*leaf_parsed).ok());
  EXPECT_EQ(X509_verify(leaf_parsed.get(), pub.get()), 1);

  TempDir dir;
  std::string ca_file = dir.Write("ca.pem", CertificateDerToPem(*ca_der));
  std::string leaf_file = dir.Write("leaf.pem", CertificateDerToPem(*leaf_der));
  // openssl verify, like X509_verify, needs to be told the SM2 ID. It does not pass that ID to
  // the root's self-signature check (openssl/openssl#32744), so -check_ss_sig is for the others;
  // the SM2 root's self-signature was checked with X509_verify above.
  bool sm2 = alg == SigningAlgorithm::kSm3WithSm2;
  std::string opts = sm2 ? std::string(" -vfyopt distid:") + keys::kSm2DefaultId : std::string();
  auto self = RunCommand(std::string("openssl verify") + (sm2 ? "" : " -check_ss_sig") + opts +
                         " -CAfile " + ca_file + " " + ca_file);
  EXPECT_EQ(self.exit_code, 0) << self.output;
  EXPECT_NE(self.output.find(": OK"), std::string::npos) << self.output;
  auto chain =
      RunCommand("openssl verify -x509_strict" + opts + " -CAfile " + ca_file + " " + leaf_file);
  EXPECT_EQ(chain.exit_code, 0) << chain.output;
}

TEST_P(SignCertificateTest, CrlVerifiesWithOpenSsl) {
  auto signer = MakeSigner(GetParam().key);
  SigningAlgorithm alg = GetParam().alg;
  X509Ptr ca = MakeUnsignedCert(*signer, "CRL Issuer", /*ca=*/true, nullptr, 1);
  auto ca_der = SignCertificate(*ca, *signer, alg);
  ASSERT_TRUE(ca_der.ok());

  X509CrlPtr crl(X509_CRL_new());
  ASSERT_EQ(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), 1);
  ASSERT_EQ(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.get())), 1);
  Asn1TimePtr now(X509_gmtime_adj(nullptr, -60));
  Asn1TimePtr next(X509_gmtime_adj(nullptr, 86400));
  ASSERT_EQ(X509_CRL_set1_lastUpdate(crl.get(), now.get()), 1);
  ASSERT_EQ(X509_CRL_set1_nextUpdate(crl.get(), next.get()), 1);
  for (long serial : {7L, 300L}) {
    X509_REVOKED* rev = X509_REVOKED_new();
    Asn1IntegerPtr s(ASN1_INTEGER_new());
    ASN1_INTEGER_set(s.get(), serial);
    X509_REVOKED_set_serialNumber(rev, s.get());
    X509_REVOKED_set_revocationDate(rev, now.get());
    std::unique_ptr<ASN1_ENUMERATED, OsslDeleter<&ASN1_ENUMERATED_free>> reason(
        ASN1_ENUMERATED_new());
    ASN1_ENUMERATED_set(reason.get(), 1);  // keyCompromise
    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason.get(), 0, 0);
    ASSERT_EQ(X509_CRL_add0_revoked(crl.get(), rev), 1);
  }
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  ASN1_INTEGER_set(number.get(), 42);
  ASSERT_EQ(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0), 1);

  auto crl_der = SignCrl(*crl, *signer, alg);
  ASSERT_TRUE(crl_der.ok()) << crl_der.status().ToString();
  const unsigned char* in = crl_der->data();
  X509CrlPtr parsed(d2i_X509_CRL(nullptr, &in, static_cast<long>(crl_der->size())));
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(in, crl_der->data() + crl_der->size());
  EvpPkeyPtr pub = PublicKeyOf(*signer);
  auto independent = VerifySignedDer(*crl_der, *pub, alg);
  ASSERT_TRUE(independent.ok()) << independent.status().ToString();
  EXPECT_TRUE(*independent);
  EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(parsed.get())), 2);
  EXPECT_EQ(X509_CRL_get_version(parsed.get()), X509_CRL_VERSION_2);
  // OpenSSL 3.0 cannot verify an SM2 CRL with the default ID (no way to set it on an X509_CRL).
  if (alg == SigningAlgorithm::kSm3WithSm2) return;
  EXPECT_EQ(X509_CRL_verify(parsed.get(), pub.get()), 1);

  TempDir dir;
  std::string ca_file = dir.Write("ca.pem", CertificateDerToPem(*ca_der));
  std::string crl_file = dir.Write("crl.pem", CrlDerToPem(*crl_der));
  auto r = RunCommand("openssl crl -noout -CAfile " + ca_file + " -in " + crl_file);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, SignCertificateTest,
    ::testing::Values(Case{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa},
                      Case{KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa},
                      Case{KeyAlgorithm::kEcP521, SigningAlgorithm::kSha512WithEcdsa},
                      Case{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha512WithEcdsa},
                      Case{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa},
                      Case{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha512WithRsa},
                      Case{KeyAlgorithm::kSm2, SigningAlgorithm::kSm3WithSm2}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(KeyAlgorithmName(info.param.key)) + "_" +
             std::string(SigningAlgorithmName(info.param.alg));
    });

TEST(SignCertificateTest, EmptyCrlWithoutNextUpdateOrExtensions) {
  auto signer = MakeSigner(KeyAlgorithm::kEcP256);
  X509CrlPtr crl(X509_CRL_new());
  X509NamePtr issuer = testing::MakeName("v1 issuer");
  ASSERT_EQ(X509_CRL_set_issuer_name(crl.get(), issuer.get()), 1);
  Asn1TimePtr now(X509_gmtime_adj(nullptr, 0));
  ASSERT_EQ(X509_CRL_set1_lastUpdate(crl.get(), now.get()), 1);
  auto der = SignCrl(*crl, *signer, SigningAlgorithm::kSha256WithEcdsa);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  const unsigned char* in = der->data();
  X509CrlPtr parsed(d2i_X509_CRL(nullptr, &in, static_cast<long>(der->size())));
  ASSERT_NE(parsed, nullptr);
  EvpPkeyPtr pub = PublicKeyOf(*signer);
  EXPECT_EQ(X509_CRL_verify(parsed.get(), pub.get()), 1);
  EXPECT_EQ(X509_CRL_get0_nextUpdate(parsed.get()), nullptr);

  // Missing issuer/thisUpdate is a caller error, not a crash.
  X509CrlPtr empty(X509_CRL_new());
  EXPECT_EQ(SignCrl(*empty, *signer, SigningAlgorithm::kSha256WithEcdsa).status().code(),
            ErrorCode::kInvalidArgs);
}

TEST(SignCertificateTest, MismatchedAlgorithmIsInvalidArgs) {
  auto ec = MakeSigner(KeyAlgorithm::kEcP256);
  X509Ptr cert = MakeUnsignedCert(*ec, "x", true, nullptr, 1);
  EXPECT_EQ(SignCertificate(*cert, *ec, SigningAlgorithm::kSha256WithRsa).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(SignCertificate(*cert, *ec, SigningAlgorithm::kSm3WithSm2).status().code(),
            ErrorCode::kInvalidArgs);
}

TEST(SignCertificateTest, ResigningReplacesAlgorithmAndSignature) {
  auto rsa = MakeSigner(KeyAlgorithm::kRsa2048);
  X509Ptr cert = MakeUnsignedCert(*rsa, "twice", true, nullptr, 1);
  ASSERT_TRUE(SignCertificate(*cert, *rsa, SigningAlgorithm::kSha512WithRsa).ok());
  auto again = SignCertificate(*cert, *rsa, SigningAlgorithm::kSha256WithRsa);
  ASSERT_TRUE(again.ok());
  X509Ptr parsed = ParseCert(*again);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(X509_get_signature_nid(parsed.get()), NID_sha256WithRSAEncryption);
  EvpPkeyPtr pub = PublicKeyOf(*rsa);
  EXPECT_EQ(X509_verify(parsed.get(), pub.get()), 1);
}

TEST(WrapSignedTest, ReassemblesACertificate) {
  auto signer = MakeSigner(KeyAlgorithm::kRsa2048);  // 256-byte signature: long-form lengths
  X509Ptr cert = MakeUnsignedCert(*signer, "wrap", true, nullptr, 1);
  auto der = SignCertificate(*cert, *signer, SigningAlgorithm::kSha256WithRsa);
  ASSERT_TRUE(der.ok());
  unsigned char* tbs_buf = nullptr;
  int tbs_len = i2d_re_X509_tbs(cert.get(), &tbs_buf);
  ASSERT_GT(tbs_len, 0);
  Bytes tbs(tbs_buf, tbs_buf + tbs_len);
  OPENSSL_free(tbs_buf);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* algor = nullptr;
  X509_get0_signature(&sig, &algor, cert.get());
  std::span<const uint8_t> sig_bytes(ASN1_STRING_get0_data(sig),
                                     static_cast<size_t>(ASN1_STRING_length(sig)));
  EXPECT_EQ(WrapSigned(tbs, *algor, sig_bytes), *der);
}

TEST(VerifySignedDerTest, RejectsTamperingWrongAlgorithmAndWrongShape) {
  auto signer = MakeSigner(KeyAlgorithm::kEcP256);
  X509Ptr cert = MakeUnsignedCert(*signer, "verify", true, nullptr, 1);
  auto der = SignCertificate(*cert, *signer, SigningAlgorithm::kSha384WithEcdsa);
  ASSERT_TRUE(der.ok());
  EvpPkeyPtr pub = PublicKeyOf(*signer);
  auto good = VerifySignedDer(*der, *pub, SigningAlgorithm::kSha384WithEcdsa);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(*good);

  Bytes tampered = *der;
  auto pos =
      std::search(tampered.begin(), tampered.end(), std::begin("verify"), std::end("verify") - 1);
  ASSERT_NE(pos, tampered.end());
  *pos = 'V';
  auto bad = VerifySignedDer(tampered, *pub, SigningAlgorithm::kSha384WithEcdsa);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(*bad);

  auto other_key = MakeSigner(KeyAlgorithm::kEcP256);
  EvpPkeyPtr other_pub = PublicKeyOf(*other_key);
  auto wrong_key = VerifySignedDer(*der, *other_pub, SigningAlgorithm::kSha384WithEcdsa);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_FALSE(*wrong_key);

  EXPECT_EQ(VerifySignedDer(*der, *pub, SigningAlgorithm::kSha256WithEcdsa).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(VerifySignedDer(*der, *pub, SigningAlgorithm::kSha256WithRsa).status().code(),
            ErrorCode::kInvalidArgs);
  Bytes extra = *der;
  extra.push_back(0);
  EXPECT_EQ(VerifySignedDer(extra, *pub, SigningAlgorithm::kSha384WithEcdsa).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(
      VerifySignedDer(Bytes{0x30, 0x00}, *pub, SigningAlgorithm::kSha384WithEcdsa).status().code(),
      ErrorCode::kInvalidArgs);
  Bytes truncated(der->begin(), der->end() - 1);
  EXPECT_EQ(VerifySignedDer(truncated, *pub, SigningAlgorithm::kSha384WithEcdsa).status().code(),
            ErrorCode::kInvalidArgs);
}

TEST(WrapSignedTest, LengthEncodings) {
  auto algor = SignatureAlgorithmFor(SigningAlgorithm::kSha256WithEcdsa);
  ASSERT_TRUE(algor.ok());
  // tbs = SEQUENCE of 0x100 zero bytes: 30 82 01 00 ...
  Bytes tbs = {0x30, 0x82, 0x01, 0x00};
  tbs.resize(4 + 0x100, 0);
  Bytes out = WrapSigned(tbs, **algor, Bytes{0xaa, 0xbb});
  // content = tbs (260) + algid (12) + BIT STRING 03 03 00 aa bb (5) = 277 = 0x115
  ASSERT_EQ(out.size(), 4u + 277u);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 4), (Bytes{0x30, 0x82, 0x01, 0x15}));
  EXPECT_EQ(Bytes(out.end() - 5, out.end()), (Bytes{0x03, 0x03, 0x00, 0xaa, 0xbb}));
  Bytes small = WrapSigned(Bytes{0x30, 0x00}, **algor, Bytes(0x70, 1));
  // 2 + 12 + (2 + 0x71) = 0x81: long form with one length octet.
  EXPECT_EQ(Bytes(small.begin(), small.begin() + 3), (Bytes{0x30, 0x81, 0x81}));
  EXPECT_EQ(small.size(), 3u + 0x81u);
}

}  // namespace
}  // namespace openpca::x509

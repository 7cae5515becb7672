#include "x509/pem.h"

#include <gtest/gtest.h>

#include "x509_test_util.h"

namespace openpca::x509 {
namespace {

using testing::MakeSigner;
using testing::MakeUnsignedCert;

Bytes MakeCertDer(const std::string& cn) {
  auto signer = MakeSigner(KeyAlgorithm::kEcP256);
  X509Ptr cert = MakeUnsignedCert(*signer, cn, true, nullptr, 1);
  auto der = SignCertificate(*cert, *signer, SigningAlgorithm::kSha256WithEcdsa);
  EXPECT_TRUE(der.ok());
  return *der;
}

class PemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cert_a_ = new Bytes(MakeCertDer("A"));
    cert_b_ = new Bytes(MakeCertDer("B"));
  }
  static void TearDownTestSuite() {
    delete cert_a_;
    delete cert_b_;
  }
  static Bytes* cert_a_;
  static Bytes* cert_b_;
};
Bytes* PemTest::cert_a_ = nullptr;
Bytes* PemTest::cert_b_ = nullptr;

TEST_F(PemTest, CertificateRoundTripAndLayout) {
  std::string pem = CertificateDerToPem(*cert_a_);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_TRUE(pem.ends_with("\n-----END CERTIFICATE-----\n"));
  size_t start = 0;
  while (true) {
    size_t nl = pem.find('\n', start);
    if (nl == std::string::npos) break;
    EXPECT_LE(nl - start, 64u);
    start = nl + 1;
  }
  auto der = CertificatePemToDer(pem);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  EXPECT_EQ(*der, *cert_a_);
}

TEST_F(PemTest, BundleKeepsOrderAndToleratesCrlfAndBlankLines) {
  std::string bundle = CertificateDerToPem(*cert_a_) + "\n\n" + CertificateDerToPem(*cert_b_);
  auto ders = CertificateBundlePemToDer(bundle);
  ASSERT_TRUE(ders.ok()) << ders.status().ToString();
  ASSERT_EQ(ders->size(), 2u);
  EXPECT_EQ((*ders)[0], *cert_a_);
  EXPECT_EQ((*ders)[1], *cert_b_);

  std::string crlf;
  for (char c : bundle) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto ders2 = CertificateBundlePemToDer(crlf);
  ASSERT_TRUE(ders2.ok()) << ders2.status().ToString();
  EXPECT_EQ(ders2->size(), 2u);
  EXPECT_EQ(CertificateBundleDerToPem(*ders),
            CertificateDerToPem(*cert_a_) + CertificateDerToPem(*cert_b_));
}

TEST_F(PemTest, BundleIsStrict) {
  std::string a = CertificateDerToPem(*cert_a_);
  std::string b = CertificateDerToPem(*cert_b_);
  auto code = [](std::string_view text) { return CertificateBundlePemToDer(text).status().code(); };
  EXPECT_EQ(code(""), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code("\n \n"), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code(a + "trailing garbage\n"), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code("leading garbage\n" + a), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code(a + "garbage between\n" + b), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code(a + b.substr(0, b.size() - 10)), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code(a + DerToPem("PRIVATE KEY", Bytes{0x30, 0x00})), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(code(DerToPem(kPemCsr, *cert_a_)), ErrorCode::kMalformedCertificate);
  // Right label, but the content is not one certificate.
  EXPECT_EQ(code(DerToPem(kPemCertificate, Bytes{0x30, 0x00})), ErrorCode::kMalformedCertificate);
  Bytes extra = *cert_a_;
  extra.push_back(0);
  EXPECT_EQ(code(CertificateDerToPem(extra)), ErrorCode::kMalformedCertificate);
  // Mismatched END label, encapsulated headers, bad base64.
  std::string mismatched = a;
  mismatched.replace(mismatched.find("END CERTIFICATE"), 15, "END X509 CRL");
  EXPECT_EQ(code(mismatched), ErrorCode::kMalformedCertificate);
  std::string headers = a;
  headers.insert(a.find('\n') + 1, "Proc-Type: 4,ENCRYPTED\n");
  EXPECT_EQ(code(headers), ErrorCode::kMalformedCertificate);
  std::string bad64 = a;
  bad64[a.find('\n') + 5] = '*';
  EXPECT_EQ(code(bad64), ErrorCode::kMalformedCertificate);
}

TEST_F(PemTest, SingleCertificateMeansExactlyOne) {
  std::string a = CertificateDerToPem(*cert_a_);
  std::string b = CertificateDerToPem(*cert_b_);
  EXPECT_EQ(CertificatePemToDer(a + b).status().code(), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(CertificatePemToDer("").status().code(), ErrorCode::kMalformedCertificate);
  EXPECT_EQ(CertificatePemToDer(DerToPem(kPemCsr, *cert_a_)).status().code(),
            ErrorCode::kMalformedCertificate);
}

TEST_F(PemTest, CsrConversions) {
  auto signer = MakeSigner(KeyAlgorithm::kEcP256);
  test_pki::CsrSpec spec;
  spec.subject = {{"O", "openpca tests"}, {"CN", "csr"}};
  X509ReqPtr req = test_pki::BuildUnsignedCsr(*testing::PublicKeyOf(*signer), spec);
  auto der = SignCsr(*req, *signer, SigningAlgorithm::kSha256WithEcdsa);
  ASSERT_TRUE(der.ok());
  std::string pem = CsrDerToPem(*der);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
  auto back = CsrPemToDer(pem);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *der);
  EXPECT_EQ(CsrPemToDer(CertificateDerToPem(*cert_a_)).status().code(), ErrorCode::kMalformedCsr);
  EXPECT_EQ(CsrPemToDer(DerToPem(kPemCsr, *cert_a_)).status().code(), ErrorCode::kMalformedCsr);
  EXPECT_EQ(CsrPemToDer(pem + pem).status().code(), ErrorCode::kMalformedCsr);
}

TEST(ParsePemBlocksTest, ReturnsLabelsAndUsesTheGivenCode) {
  std::string text = DerToPem("ONE", Bytes{1, 2, 3}) + DerToPem("TWO", Bytes(100, 7));
  auto blocks = ParsePemBlocks(text);
  ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].label, "ONE");
  EXPECT_EQ((*blocks)[0].der, (Bytes{1, 2, 3}));
  EXPECT_EQ((*blocks)[1].der, Bytes(100, 7));
  EXPECT_EQ(ParsePemBlocks("x", ErrorCode::kInvalidArgs).status().code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(ParsePemBlocks("-----BEGIN -----\nAAAA\n-----END -----\n").status().code(),
            ErrorCode::kValidation);
}

}  // namespace
}  // namespace openpca::x509

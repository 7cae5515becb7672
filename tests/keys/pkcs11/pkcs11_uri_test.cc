#include "keys/pkcs11/pkcs11_uri.h"

#include <gtest/gtest.h>

#include "keys/pkcs11/pkcs11_encoding.h"
#include "keys/software_signer.h"
#include "keys_test_util.h"

namespace openpca::keys::pkcs11 {
namespace {

TEST(Pkcs11UriTest, FormatsAndParsesRoundTrip) {
  Pkcs11Uri uri{"CA token;1", {0x00, 0x41, 0xff, 0x3b}, "openpca-0041ff3b", "private"};
  std::string text = FormatPkcs11Uri(uri);
  EXPECT_EQ(text, "pkcs11:token=CA%20token%3B1;id=%00%41%FF%3B;object=openpca-0041ff3b;type=private");
  auto parsed = ParsePkcs11Uri(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, uri);
}

TEST(Pkcs11UriTest, ReadsRfc7512Examples) {
  auto uri = ParsePkcs11Uri(
      "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
      "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91?pin-source=file:"
      "/etc/token");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->token, "The Software PKCS#11 Softtoken");
  EXPECT_EQ(uri->object, "my-certificate");
  EXPECT_EQ(uri->type, "cert");
  EXPECT_EQ(uri->id, (Bytes{0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91}));
}

TEST(Pkcs11UriTest, RefusesMalformedUris) {
  for (const char* bad : {"soft:1234", "pkcs11:id=%4", "pkcs11:id=%zz", "pkcs11:id=%01;id=%02",
                          "pkcs11:token"}) {
    EXPECT_EQ(ParsePkcs11Uri(bad).status().code(), ErrorCode::kInvalidArgs) << bad;
  }
}

TEST(Pkcs11EncodingTest, RawEcdsaSignatureBecomesDerThatVerifies) {
  // Sign with OpenSSL, turn the DER into r || s, and back: the result must verify.
  x509::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(key, nullptr);
  auto signer = SoftwareSigner::Create(std::move(key));
  ASSERT_TRUE(signer.ok());
  Bytes msg = {1, 2, 3};
  auto der = (*signer)->Sign(SigningAlgorithm::kSha384WithEcdsa, msg);
  ASSERT_TRUE(der.ok());
  const unsigned char* in = der->data();
  std::unique_ptr<ECDSA_SIG, x509::OsslDeleter<&ECDSA_SIG_free>> sig(
      d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der->size())));
  ASSERT_NE(sig, nullptr);
  Bytes raw(96);
  ASSERT_EQ(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 48), 48);
  ASSERT_EQ(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 48, 48), 48);
  auto back = EcdsaRawToDer(raw);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *der);
  EXPECT_TRUE(testing::VerifySignature((*signer)->public_key_der(),
                                       SigningAlgorithm::kSha384WithEcdsa, msg, *back));
  EXPECT_FALSE(EcdsaRawToDer(Bytes{1, 2, 3}).ok());
}

TEST(Pkcs11EncodingTest, EcPointInBothFormsGivesTheSameSpki) {
  x509::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(key, nullptr);
  auto values = KeyObjectValuesOf(*key);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ((*values)->algorithm, KeyAlgorithm::kEcP256);
  Bytes wrapped;
  for (auto& [type, v] : (*values)->public_values) {
    if (type == CKA_EC_POINT) wrapped = v;
  }
  ASSERT_EQ(wrapped.size(), 67u);
  auto from_der = EcSpki(KeyAlgorithm::kEcP256, wrapped);
  auto from_raw = EcSpki(KeyAlgorithm::kEcP256, std::span(wrapped).subspan(2));
  ASSERT_TRUE(from_der.ok() && from_raw.ok());
  EXPECT_EQ(*from_der, *from_raw);
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key.get(), &der);
  EXPECT_EQ(*from_der, Bytes(der, der + len));
  OPENSSL_free(der);
  EXPECT_EQ(EcAlgorithmOf(EcParamsDer(KeyAlgorithm::kEcP521)), KeyAlgorithm::kEcP521);
  EXPECT_FALSE(EcSpki(KeyAlgorithm::kEcP256, std::span(wrapped).subspan(3)).ok());
}

}  // namespace
}  // namespace openpca::keys::pkcs11

#include "keys/software_signer.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "keys_test_util.h"

namespace openpca::keys {
namespace {

using testing::VerifySignature;
using x509::EvpPkeyPtr;

std::unique_ptr<SoftwareSigner> MakeSigner(EVP_PKEY* key) {
  auto signer = SoftwareSigner::Create(EvpPkeyPtr(key));
  EXPECT_TRUE(signer.ok()) << signer.status().ToString();
  return signer.ok() ? std::move(signer).value() : nullptr;
}

TEST(SoftwareSignerTest, RejectsUnsupportedKeys) {
  EXPECT_EQ(
      SoftwareSigner::Create(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024})))
          .status()
          .code(),
      ErrorCode::kInvalidArgs);
  EXPECT_EQ(SoftwareSigner::Create(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")))
                .status()
                .code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(
      SoftwareSigner::Create(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1")))
          .status()
          .code(),
      ErrorCode::kInvalidArgs);
  // An EC-typed key on the SM2 curve would sign ECDSA-with-SM3 rather than SM2.
  EXPECT_EQ(SoftwareSigner::Create(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "SM2")))
                .status()
                .code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(SoftwareSigner::Create(nullptr).status().code(), ErrorCode::kInvalidArgs);
}

TEST(SoftwareSignerTest, DetectsAlgorithmAndPublicKey) {
  auto ec = MakeSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(ec, nullptr);
  EXPECT_EQ(ec->algorithm(), KeyAlgorithm::kEcP384);
  auto sm2 = MakeSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2"));
  ASSERT_NE(sm2, nullptr);
  EXPECT_EQ(sm2->algorithm(), KeyAlgorithm::kSm2);
  const unsigned char* in = ec->public_key_der().data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &in, static_cast<long>(ec->public_key_der().size())));
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(in, ec->public_key_der().data() + ec->public_key_der().size());
}

TEST(SoftwareSignerTest, EcdsaSignaturesAreRandomizedAndVerify) {
  auto signer = MakeSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(signer, nullptr);
  Bytes data(1000, 0x61);
  auto a = signer->Sign(SigningAlgorithm::kSha256WithEcdsa, data);
  auto b = signer->Sign(SigningAlgorithm::kSha256WithEcdsa, data);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(
      VerifySignature(signer->public_key_der(), SigningAlgorithm::kSha256WithEcdsa, data, *a));
  EXPECT_TRUE(
      VerifySignature(signer->public_key_der(), SigningAlgorithm::kSha256WithEcdsa, data, *b));
  // The digest is part of the algorithm: a SHA-384 verification of a SHA-256 signature fails.
  EXPECT_FALSE(
      VerifySignature(signer->public_key_der(), SigningAlgorithm::kSha384WithEcdsa, data, *a));
  // Empty input is a valid message.
  auto empty = signer->Sign(SigningAlgorithm::kSha512WithEcdsa, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(
      VerifySignature(signer->public_key_der(), SigningAlgorithm::kSha512WithEcdsa, {}, *empty));
}

TEST(SoftwareSignerTest, RsaPkcs1SignaturesAreDeterministic) {
  auto signer = MakeSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ASSERT_NE(signer, nullptr);
  Bytes data = ToBytes("rsa");
  auto a = signer->Sign(SigningAlgorithm::kSha384WithRsa, data);
  auto b = signer->Sign(SigningAlgorithm::kSha384WithRsa, data);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);  // PKCS#1 v1.5, not PSS
  EXPECT_EQ(a->size(), 256u);
  EXPECT_TRUE(
      VerifySignature(signer->public_key_der(), SigningAlgorithm::kSha384WithRsa, data, *a));
}

TEST(SoftwareSignerTest, Sm2UsesTheDefaultDistinguishingId) {
  auto signer = MakeSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2"));
  ASSERT_NE(signer, nullptr);
  Bytes data = ToBytes("sm2 message");
  auto sig = signer->Sign(SigningAlgorithm::kSm3WithSm2, data);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_TRUE(VerifySignature(signer->public_key_der(), SigningAlgorithm::kSm3WithSm2, data, *sig));

  // With a different ID the same signature must not verify: the ID is really in use.
  const unsigned char* in = signer->public_key_der().data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &in, static_cast<long>(signer->public_key_der().size())));
  x509::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(EVP_DigestVerifyInit_ex(ctx.get(), &pctx, "SM3", nullptr, nullptr, pub.get(), nullptr),
            1);
  ASSERT_EQ(EVP_PKEY_CTX_set1_id(pctx, "other-id", 8), 1);
  EXPECT_NE(EVP_DigestVerify(ctx.get(), sig->data(), sig->size(), data.data(), data.size()), 1);
}

TEST(SoftwareSignerTest, ManyThreadsShareOneSigner) {
  for (const char* curve : {"P-256", "P-521"}) {
    auto signer = MakeSigner(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
    ASSERT_NE(signer, nullptr);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          Bytes data = ToBytes("thread " + std::to_string(t) + " message " + std::to_string(i));
          SigningAlgorithm alg = (i % 2 == 0) ? SigningAlgorithm::kSha256WithEcdsa
                                              : SigningAlgorithm::kSha512WithEcdsa;
          auto sig = signer->Sign(alg, data);
          if (!sig.ok() || !VerifySignature(signer->public_key_der(), alg, data, *sig)) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0) << curve;
  }
}

}  // namespace
}  // namespace openpca::keys

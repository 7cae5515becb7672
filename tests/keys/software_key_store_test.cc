#include "keys/software_key_store.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "keys_test_util.h"

namespace openpca::keys {
namespace {

using testing::ContainsAnyWindow;
using testing::FileMode;
using testing::ReadFile;
using testing::TempDir;
using testing::VerifySignature;
using testing::WriteFile;

constexpr KeyAlgorithm kAllKeyAlgorithms[] = {
    KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072, KeyAlgorithm::kRsa4096, KeyAlgorithm::kEcP256,
    KeyAlgorithm::kEcP384,  KeyAlgorithm::kEcP521,  KeyAlgorithm::kSm2,
};
constexpr SigningAlgorithm kAllSigningAlgorithms[] = {
    SigningAlgorithm::kSha256WithEcdsa, SigningAlgorithm::kSha384WithEcdsa,
    SigningAlgorithm::kSha512WithEcdsa, SigningAlgorithm::kSha256WithRsa,
    SigningAlgorithm::kSha384WithRsa,   SigningAlgorithm::kSha512WithRsa,
    SigningAlgorithm::kSm3WithSm2,
};

class SoftwareKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto box = SecretBox::Create(Bytes(SecretBox::kKeySize, 0x33));
    ASSERT_TRUE(box.ok());
    box_ = std::move(box).value();
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }

  std::string KeyDir() const { return dir_.path() + "/keys"; }

  std::unique_ptr<SoftwareKeyStore> OpenStore() {
    auto store = SoftwareKeyStore::Open(KeyDir(), box_, random_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string FileFor(const std::string& key_id) const {
    return KeyDir() + "/" + key_id.substr(SoftwareKeyStore::kKeyIdPrefix.size()) + ".key";
  }

  TempDir dir_;
  OpenSslRandom random_;
  std::shared_ptr<const SecretBox> box_;
  std::unique_ptr<SoftwareKeyStore> store_;
};

void ExpectSignsAndVerifies(const Signer& signer, const Bytes& expected_spki) {
  ASSERT_EQ(signer.public_key_der(), expected_spki);
  Bytes data = ToBytes("to be signed: some TBSCertificate bytes");
  int signed_with = 0;
  for (SigningAlgorithm alg : kAllSigningAlgorithms) {
    auto sig = signer.Sign(alg, data);
    if (FamilyOf(alg) != FamilyOf(signer.algorithm())) {
      EXPECT_EQ(sig.status().code(), ErrorCode::kInvalidArgs) << SigningAlgorithmName(alg);
      continue;
    }
    ASSERT_TRUE(sig.ok()) << SigningAlgorithmName(alg) << ": " << sig.status().ToString();
    EXPECT_TRUE(VerifySignature(expected_spki, alg, data, *sig)) << SigningAlgorithmName(alg);
    Bytes other = data;
    other[0] ^= 1;
    EXPECT_FALSE(VerifySignature(expected_spki, alg, other, *sig)) << SigningAlgorithmName(alg);
    ++signed_with;
  }
  EXPECT_GT(signed_with, 0);
}

TEST_F(SoftwareKeyStoreTest, DirectoryIsCreatedPrivate) { EXPECT_EQ(FileMode(KeyDir()), 0700u); }

TEST_F(SoftwareKeyStoreTest, EveryAlgorithmGeneratesSealedKeysThatSurviveReopen) {
  for (KeyAlgorithm alg : kAllKeyAlgorithms) {
    SCOPED_TRACE(std::string(KeyAlgorithmName(alg)));
    auto key = store_->Generate(alg);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_TRUE(key->key_id.starts_with("soft:"));
    EXPECT_EQ(key->key_id.size(), 5u + 36u);

    // The file is private and holds only the sealed PKCS#8.
    std::string path = FileFor(key->key_id);
    EXPECT_EQ(FileMode(path), 0600u);
    Bytes file = ReadFile(path);
    ASSERT_FALSE(file.empty());
    const unsigned char* in = file.data();
    x509::EvpPkeyPtr parsed(d2i_AutoPrivateKey(nullptr, &in, static_cast<long>(file.size())));
    EXPECT_EQ(parsed, nullptr);
    // Test-only: decrypt with the master key to get the plaintext, then look for it in the file.
    auto plaintext = box_->Open(file, "key:" + key->key_id);
    ASSERT_TRUE(plaintext.ok()) << plaintext.status().ToString();
    in = plaintext->data();
    x509::EvpPkeyPtr pkcs8(d2i_AutoPrivateKey(nullptr, &in, static_cast<long>(plaintext->size())));
    ASSERT_NE(pkcs8, nullptr);
    EXPECT_FALSE(ContainsAnyWindow(file, *plaintext, 12));

    if (FamilyOf(alg) == KeyFamily::kRsa) {
      const unsigned char* spki = key->public_key_der.data();
      x509::EvpPkeyPtr pub(
          d2i_PUBKEY(nullptr, &spki, static_cast<long>(key->public_key_der.size())));
      ASSERT_NE(pub, nullptr);
      BIGNUM* e_raw = nullptr;
      ASSERT_EQ(EVP_PKEY_get_bn_param(pub.get(), OSSL_PKEY_PARAM_RSA_E, &e_raw), 1);
      x509::BignumPtr e(e_raw);
      EXPECT_EQ(BN_get_word(e.get()), 65537u);
    }

    auto signer = store_->Load(key->key_id);
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    EXPECT_EQ((*signer)->algorithm(), alg);
    ExpectSignsAndVerifies(**signer, key->public_key_der);

    // A fresh store on the same directory (as after a restart) loads the same key.
    auto reopened = OpenStore();
    ASSERT_NE(reopened, nullptr);
    auto signer2 = reopened->Load(key->key_id);
    ASSERT_TRUE(signer2.ok()) << signer2.status().ToString();
    EXPECT_EQ((*signer2)->algorithm(), alg);
    ExpectSignsAndVerifies(**signer2, key->public_key_der);
  }
}

TEST_F(SoftwareKeyStoreTest, FamilyMismatchIsInvalidArgs) {
  auto ec = store_->Generate(KeyAlgorithm::kEcP256);
  auto rsa = store_->Generate(KeyAlgorithm::kRsa2048);
  auto sm2 = store_->Generate(KeyAlgorithm::kSm2);
  ASSERT_TRUE(ec.ok() && rsa.ok() && sm2.ok());
  Bytes data = ToBytes("data");
  auto ec_signer = store_->Load(ec->key_id);
  auto rsa_signer = store_->Load(rsa->key_id);
  auto sm2_signer = store_->Load(sm2->key_id);
  ASSERT_TRUE(ec_signer.ok() && rsa_signer.ok() && sm2_signer.ok());
  EXPECT_EQ((*ec_signer)->Sign(SigningAlgorithm::kSha256WithRsa, data).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ((*ec_signer)->Sign(SigningAlgorithm::kSm3WithSm2, data).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ((*rsa_signer)->Sign(SigningAlgorithm::kSha384WithEcdsa, data).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ((*sm2_signer)->Sign(SigningAlgorithm::kSha256WithEcdsa, data).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ((*sm2_signer)->Sign(SigningAlgorithm::kSha256WithRsa, data).status().code(),
            ErrorCode::kInvalidArgs);
}

TEST_F(SoftwareKeyStoreTest, UnknownOrMalformedIdsAreNotFound) {
  for (const std::string id :
       {"soft:0b7e6a52-3f4e-4c1a-9d2b-0c8f5e6a7b8c", "soft:../../etc/passwd",
        "soft:", "pkcs11:token=x;object=y", "", "soft:0B7E6A52-3F4E-4C1A-9D2B-0C8F5E6A7B8C",
        "soft:0b7e6a52-3f4e-4c1a-9d2b-0c8f5e6a7b8c/../x"}) {
    EXPECT_EQ(store_->Load(id).status().code(), ErrorCode::kResourceNotFound) << id;
    EXPECT_EQ(store_->Destroy(id).code(), ErrorCode::kResourceNotFound) << id;
  }
}

TEST_F(SoftwareKeyStoreTest, DestroyRemovesFileAndCacheButLeavesHandedOutSigners) {
  auto key = store_->Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  auto signer = store_->Load(key->key_id);
  ASSERT_TRUE(signer.ok());
  ASSERT_TRUE(store_->Destroy(key->key_id).ok());
  EXPECT_FALSE(std::filesystem::exists(FileFor(key->key_id)));
  EXPECT_EQ(store_->Load(key->key_id).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(store_->Destroy(key->key_id).code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE((*signer)->Sign(SigningAlgorithm::kSha256WithEcdsa, ToBytes("x")).ok());
  // No temp files left behind.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(KeyDir())) ++entries;
  EXPECT_EQ(entries, 0u);
}

TEST_F(SoftwareKeyStoreTest, SwappedTamperedOrForeignFilesFailIntegrity) {
  auto a = store_->Generate(KeyAlgorithm::kEcP256);
  auto b = store_->Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(a.ok() && b.ok());

  // A file copied over another id's file does not load (associated data binds it to its id).
  WriteFile(FileFor(b->key_id), ReadFile(FileFor(a->key_id)));
  auto fresh = OpenStore();
  EXPECT_EQ(fresh->Load(b->key_id).status().code(), ErrorCode::kInternal);
  EXPECT_TRUE(fresh->Load(a->key_id).ok());

  // A modified byte.
  Bytes file = ReadFile(FileFor(a->key_id));
  file[file.size() / 2] ^= 0x80;
  WriteFile(FileFor(a->key_id), file);
  EXPECT_EQ(OpenStore()->Load(a->key_id).status().code(), ErrorCode::kInternal);

  // The right file under another master key.
  auto c = store_->Generate(KeyAlgorithm::kEcP384);
  ASSERT_TRUE(c.ok());
  auto other_box = SecretBox::Create(Bytes(SecretBox::kKeySize, 0x44));
  ASSERT_TRUE(other_box.ok());
  auto other = SoftwareKeyStore::Open(KeyDir(), std::move(other_box).value(), random_);
  ASSERT_TRUE(other.ok());
  auto loaded = (*other)->Load(c->key_id);
  EXPECT_EQ(loaded.status().code(), ErrorCode::kInternal);
  // Messages never carry key material; they name the id only.
  EXPECT_NE(loaded.status().message().find(c->key_id), std::string::npos);
}

TEST_F(SoftwareKeyStoreTest, RefusesDirectoryWritableByOthers) {
  std::string loose = dir_.path() + "/loose";
  ASSERT_EQ(::mkdir(loose.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(loose.c_str(), 0777), 0);
  EXPECT_EQ(SoftwareKeyStore::Open(loose, box_, random_).status().code(), ErrorCode::kInvalidArgs);
  std::string file = dir_.path() + "/file";
  WriteFile(file, ToBytes("x"));
  EXPECT_EQ(SoftwareKeyStore::Open(file, box_, random_).status().code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(SoftwareKeyStore::Open(KeyDir(), nullptr, random_).status().code(),
            ErrorCode::kInvalidArgs);
}

TEST_F(SoftwareKeyStoreTest, ConcurrentLoadsShareOneSignerAndSignInParallel) {
  auto key = store_->Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  auto fresh = OpenStore();
  std::vector<std::shared_ptr<const Signer>> seen(4);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  Bytes data = ToBytes("concurrent tbs");
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto signer = fresh->Load(key->key_id);
      if (!signer.ok()) {
        ++failures;
        return;
      }
      seen[t] = *signer;
      for (int i = 0; i < 200; ++i) {
        auto sig = (*signer)->Sign(SigningAlgorithm::kSha256WithEcdsa, data);
        if (!sig.ok() ||
            !VerifySignature(key->public_key_der, SigningAlgorithm::kSha256WithEcdsa, data, *sig)) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (const auto& s : seen) EXPECT_EQ(s, seen[0]);
}

}  // namespace
}  // namespace openpca::keys

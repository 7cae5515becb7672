// Pkcs11KeyStore against a real SoftHSM2 token (CTest label "softhsm").
#include "keys/pkcs11/pkcs11_key_store.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/random.h"
#include "keys/pkcs11/pkcs11_uri.h"
#include "softhsm_fixture.h"

namespace openpca::keys::pkcs11 {
namespace {

using testing::SoftHsm;
using testing::VerifySignature;

const Bytes kMessage = {'t', 'b', 's', ' ', 'b', 'y', 't', 'e', 's'};

std::vector<SigningAlgorithm> AlgorithmsOf(KeyFamily family) {
  if (family == KeyFamily::kRsa) {
    return {SigningAlgorithm::kSha256WithRsa, SigningAlgorithm::kSha384WithRsa,
            SigningAlgorithm::kSha512WithRsa};
  }
  return {SigningAlgorithm::kSha256WithEcdsa, SigningAlgorithm::kSha384WithEcdsa,
          SigningAlgorithm::kSha512WithEcdsa};
}

std::unique_ptr<Pkcs11KeyStore> OpenStore(Random& random, Pkcs11KeyStoreOptions options =
                                                              SoftHsm::Get().Options()) {
  auto store = Pkcs11KeyStore::Open(options, random);
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Opens a session of the test's own on the store's token (logged in: the store logged in the
// application already).
class TestSession {
 public:
  explicit TestSession(Pkcs11Token& token) : fn_(token.fn()) {
    EXPECT_EQ(fn_->C_OpenSession(token.slot(), CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                 nullptr, &handle_),
              CKR_OK);
  }
  ~TestSession() { fn_->C_CloseSession(handle_); }
  CK_SESSION_HANDLE handle() const { return handle_; }

  CK_OBJECT_HANDLE Find(CK_OBJECT_CLASS cls, const Bytes& id) const {
    CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
    EXPECT_EQ(FindObjectById(fn_, handle_, cls, id, found), CKR_OK);
    return found;
  }
  CK_BBOOL Bool(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
    CK_BBOOL value = 0xff;
    CK_ATTRIBUTE attr{type, &value, sizeof(value)};
    EXPECT_EQ(fn_->C_GetAttributeValue(handle_, object, &attr, 1), CKR_OK);
    return value;
  }

 private:
  CK_FUNCTION_LIST* fn_;
  CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

Bytes IdOfKey(const std::string& key_id) {
  auto uri = ParsePkcs11Uri(key_id);
  EXPECT_TRUE(uri.ok());
  return uri.ok() ? uri->id : Bytes{};
}

class Pkcs11KeyStoreTest : public ::testing::TestWithParam<KeyAlgorithm> {};

TEST_P(Pkcs11KeyStoreTest, GeneratesOnTokenAndSignaturesVerifyWithOpenSsl) {
  OpenSslRandom random;
  auto store = OpenStore(random);
  ASSERT_NE(store, nullptr);
  KeyAlgorithm alg = GetParam();
  ASSERT_TRUE(store->Supports(alg));
  auto key = store->Generate(alg);
  ASSERT_TRUE(key.ok()) << key.status().message();

  auto uri = ParsePkcs11Uri(key->key_id);
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->token, SoftHsm::kLabel);
  EXPECT_EQ(uri->type, "private");
  EXPECT_EQ(uri->id.size(), 16u);
  std::string hex;
  for (uint8_t b : uri->id) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
  EXPECT_EQ(uri->object, "openpca-" + hex);

  auto signer = store->Load(key->key_id);
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  EXPECT_EQ((*signer)->algorithm(), alg);
  EXPECT_EQ((*signer)->public_key_der(), key->public_key_der);
  for (SigningAlgorithm sig_alg : AlgorithmsOf(FamilyOf(alg))) {
    auto sig = (*signer)->Sign(sig_alg, kMessage);
    ASSERT_TRUE(sig.ok()) << sig.status().message();
    EXPECT_TRUE(VerifySignature(key->public_key_der, sig_alg, kMessage, *sig))
        << SigningAlgorithmName(sig_alg);
    Bytes other = kMessage;
    other[0] ^= 1;
    EXPECT_FALSE(VerifySignature(key->public_key_der, sig_alg, other, *sig));
  }
  SigningAlgorithm wrong = FamilyOf(alg) == KeyFamily::kRsa ? SigningAlgorithm::kSha256WithEcdsa
                                                            : SigningAlgorithm::kSha256WithRsa;
  EXPECT_EQ((*signer)->Sign(wrong, kMessage).status().code(), ErrorCode::kInvalidArgs);

  // The private half is a sensitive, non-extractable token object: its value cannot be read.
  TestSession session(store->token());
  Bytes id = IdOfKey(key->key_id);
  CK_OBJECT_HANDLE priv = session.Find(CKO_PRIVATE_KEY, id);
  ASSERT_NE(priv, CK_INVALID_HANDLE);
  EXPECT_EQ(session.Bool(priv, CKA_TOKEN), CK_TRUE);
  EXPECT_EQ(session.Bool(priv, CKA_PRIVATE), CK_TRUE);
  EXPECT_EQ(session.Bool(priv, CKA_SENSITIVE), CK_TRUE);
  EXPECT_EQ(session.Bool(priv, CKA_EXTRACTABLE), CK_FALSE);
  EXPECT_EQ(session.Bool(priv, CKA_NEVER_EXTRACTABLE), CK_TRUE);
  uint8_t buf[1024];
  CK_ATTRIBUTE secret{FamilyOf(alg) == KeyFamily::kRsa ? CKA_PRIVATE_EXPONENT : CKA_VALUE, buf,
                      sizeof(buf)};
  EXPECT_EQ(store->token().fn()->C_GetAttributeValue(session.handle(), priv, &secret, 1),
            CKR_ATTRIBUTE_SENSITIVE);
  EXPECT_NE(session.Find(CKO_PUBLIC_KEY, id), CK_INVALID_HANDLE);
  auto extractable = store->IsExtractable(key->key_id);
  ASSERT_TRUE(extractable.ok());
  EXPECT_FALSE(*extractable);

  // Destroy removes both halves; the Signer handed out before fails closed.
  ASSERT_TRUE(store->Destroy(key->key_id).ok());
  EXPECT_EQ(session.Find(CKO_PRIVATE_KEY, id), CK_INVALID_HANDLE);
  EXPECT_EQ(session.Find(CKO_PUBLIC_KEY, id), CK_INVALID_HANDLE);
  EXPECT_EQ(store->Load(key->key_id).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(store->Destroy(key->key_id).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ((*signer)->Sign(AlgorithmsOf(FamilyOf(alg))[0], kMessage).status().code(),
            ErrorCode::kResourceNotFound);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Pkcs11KeyStoreTest,
                         ::testing::Values(KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072,
                                           KeyAlgorithm::kRsa4096, KeyAlgorithm::kEcP256,
                                           KeyAlgorithm::kEcP384, KeyAlgorithm::kEcP521),
                         [](const auto& info) {
                           std::string n(KeyAlgorithmName(info.param));
                           for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

TEST(Pkcs11KeyStore, Sm2IsRefusedWithInvalidArgs) {
  OpenSslRandom random;
  auto store = OpenStore(random);
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->Supports(KeyAlgorithm::kSm2));
  EXPECT_EQ(store->Generate(KeyAlgorithm::kSm2).status().code(), ErrorCode::kInvalidArgs);
}

TEST(Pkcs11KeyStore, RsaOverDigestInfoInSoftwareVerifies) {
  OpenSslRandom random;
  Pkcs11KeyStoreOptions options = SoftHsm::Get().Options();
  options.rsa_digest_in_software = true;
  auto store = OpenStore(random, options);
  ASSERT_NE(store, nullptr);
  auto key = store->Generate(KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok()) << key.status().message();
  auto signer = store->Load(key->key_id);
  ASSERT_TRUE(signer.ok());
  for (SigningAlgorithm alg : AlgorithmsOf(KeyFamily::kRsa)) {
    auto sig = (*signer)->Sign(alg, kMessage);
    ASSERT_TRUE(sig.ok()) << sig.status().message();
    EXPECT_TRUE(VerifySignature(key->public_key_der, alg, kMessage, *sig));
  }
}

TEST(Pkcs11KeyStore, AnotherStoreOnTheTokenFindsTheKeyById) {
  OpenSslRandom random;
  auto first = OpenStore(random);
  ASSERT_NE(first, nullptr);
  auto key = first->Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  // A second store (as a second server would have) and a URI naming another token label: the
  // key is found by CKA_ID on the configured token.
  auto second = OpenStore(random);
  ASSERT_NE(second, nullptr);
  auto uri = ParsePkcs11Uri(key->key_id);
  ASSERT_TRUE(uri.ok());
  uri->token = "replica";
  for (const std::string& id : {key->key_id, FormatPkcs11Uri(*uri)}) {
    auto signer = second->Load(id);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    EXPECT_EQ((*signer)->public_key_der(), key->public_key_der);
    auto sig = (*signer)->Sign(SigningAlgorithm::kSha256WithEcdsa, kMessage);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(VerifySignature(key->public_key_der, SigningAlgorithm::kSha256WithEcdsa,
                                kMessage, *sig));
  }
  EXPECT_EQ(second->Load("soft:00000000-0000-4000-8000-000000000000").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(second->Load("pkcs11:token=openpca-test;id=%00%01;type=private").status().code(),
            ErrorCode::kResourceNotFound);
}

TEST(Pkcs11KeyStore, SigningRecoversAfterAllSessionsAreClosed) {
  OpenSslRandom random;
  auto store = OpenStore(random);
  ASSERT_NE(store, nullptr);
  auto key = store->Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  auto signer = store->Load(key->key_id);
  ASSERT_TRUE(signer.ok());
  ASSERT_TRUE((*signer)->Sign(SigningAlgorithm::kSha256WithEcdsa, kMessage).ok());
  uint64_t epoch = store->token().epoch();
  // Every session of the application goes (as after a token reset): the pooled ones are dead.
  ASSERT_EQ(store->token().fn()->C_CloseAllSessions(store->token().slot()), CKR_OK);
  auto sig = (*signer)->Sign(SigningAlgorithm::kSha256WithEcdsa, kMessage);
  ASSERT_TRUE(sig.ok()) << sig.status().message();
  EXPECT_TRUE(
      VerifySignature(key->public_key_der, SigningAlgorithm::kSha256WithEcdsa, kMessage, *sig));
  EXPECT_GT(store->token().epoch(), epoch);
}

TEST(Pkcs11KeyStore, SigningRecoversAfterLogout) {
  OpenSslRandom random;
  auto store = OpenStore(random);
  ASSERT_NE(store, nullptr);
  auto key = store->Generate(KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok());
  auto signer = store->Load(key->key_id);
  ASSERT_TRUE(signer.ok());
  ASSERT_TRUE((*signer)->Sign(SigningAlgorithm::kSha256WithRsa, kMessage).ok());
  {
    TestSession session(store->token());
    ASSERT_EQ(store->token().fn()->C_Logout(session.handle()), CKR_OK);
    CK_SESSION_INFO info{};
    ASSERT_EQ(store->token().fn()->C_GetSessionInfo(session.handle(), &info), CKR_OK);
    EXPECT_EQ(info.state, static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  }
  auto sig = (*signer)->Sign(SigningAlgorithm::kSha256WithRsa, kMessage);
  ASSERT_TRUE(sig.ok()) << sig.status().message();
  EXPECT_TRUE(
      VerifySignature(key->public_key_der, SigningAlgorithm::kSha256WithRsa, kMessage, *sig));
}

TEST(Pkcs11KeyStore, ConcurrentSigningFromManyThreads) {
  OpenSslRandom random;
  Pkcs11KeyStoreOptions options = SoftHsm::Get().Options();
  options.max_sessions = 3;  // fewer sessions than threads: callers wait for one
  auto store = OpenStore(random, options);
  ASSERT_NE(store, nullptr);
  auto ec = store->Generate(KeyAlgorithm::kEcP256);
  auto rsa = store->Generate(KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(ec.ok() && rsa.ok());
  auto ec_signer = store->Load(ec->key_id);
  auto rsa_signer = store->Load(rsa->key_id);
  ASSERT_TRUE(ec_signer.ok() && rsa_signer.ok());
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        Bytes msg = kMessage;
        msg.push_back(static_cast<uint8_t>(t));
        msg.push_back(static_cast<uint8_t>(i));
        bool use_ec = (t + i) % 2 == 0;
        SigningAlgorithm alg =
            use_ec ? SigningAlgorithm::kSha256WithEcdsa : SigningAlgorithm::kSha256WithRsa;
        auto sig = (use_ec ? *ec_signer : *rsa_signer)->Sign(alg, msg);
        const Bytes& spki = use_ec ? ec->public_key_der : rsa->public_key_der;
        if (sig.ok() && VerifySignature(spki, alg, msg, *sig)) {
          ++good;
        } else {
          ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(good.load(), 8 * 40);
  EXPECT_LE(store->token().open_sessions(), 3);
  EXPECT_GE(store->token().open_sessions(), 1);
}

TEST(Pkcs11KeyStore, ImportedKeySignsAndIsNotExtractable) {
  OpenSslRandom random;
  auto store = OpenStore(random);
  ASSERT_NE(store, nullptr);
  for (const char* curve : {"P-256", "P-521"}) {
    x509::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
    ASSERT_NE(key, nullptr);
    auto imported = store->Import(*key);
    ASSERT_TRUE(imported.ok()) << imported.status().message();
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key.get(), &der);
    Bytes spki(der, der + len);
    OPENSSL_free(der);
    EXPECT_EQ(imported->public_key_der, spki);
    auto signer = store->Load(imported->key_id);
    ASSERT_TRUE(signer.ok());
    auto sig = (*signer)->Sign(SigningAlgorithm::kSha384WithEcdsa, kMessage);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(VerifySignature(spki, SigningAlgorithm::kSha384WithEcdsa, kMessage, *sig));
    auto extractable = store->IsExtractable(imported->key_id);
    ASSERT_TRUE(extractable.ok());
    EXPECT_FALSE(*extractable);
  }
  x509::EvpPkeyPtr rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}));
  ASSERT_NE(rsa, nullptr);
  auto imported = store->Import(*rsa);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  auto signer = store->Load(imported->key_id);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ((*signer)->algorithm(), KeyAlgorithm::kRsa3072);
  auto sig = (*signer)->Sign(SigningAlgorithm::kSha512WithRsa, kMessage);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(
      VerifySignature(imported->public_key_der, SigningAlgorithm::kSha512WithRsa, kMessage, *sig));
  TestSession session(store->token());
  CK_OBJECT_HANDLE priv = session.Find(CKO_PRIVATE_KEY, IdOfKey(imported->key_id));
  EXPECT_EQ(session.Bool(priv, CKA_SENSITIVE), CK_TRUE);
  EXPECT_EQ(session.Bool(priv, CKA_EXTRACTABLE), CK_FALSE);
}

TEST(Pkcs11KeyStore, OpenRefusesBadSettings) {
  OpenSslRandom random;
  SoftHsm& hsm = SoftHsm::Get();
  Pkcs11KeyStoreOptions options = hsm.Options();
  options.token_label = "no-such-token";
  EXPECT_EQ(Pkcs11KeyStore::Open(options, random).status().code(), ErrorCode::kInvalidArgs);

  options = hsm.Options();
  options.pin_file = hsm.WriteFileWithMode("wrong.pin", "0000\n", 0600);
  EXPECT_EQ(Pkcs11KeyStore::Open(options, random).status().code(), ErrorCode::kInvalidArgs);

  options = hsm.Options();
  options.pin_file = hsm.WriteFileWithMode("open.pin", std::string(SoftHsm::kUserPin), 0644);
  auto open_pin = Pkcs11KeyStore::Open(options, random);
  EXPECT_EQ(open_pin.status().code(), ErrorCode::kInvalidArgs);
  // The PIN never appears in a message.
  EXPECT_EQ(open_pin.status().message().find(SoftHsm::kUserPin), std::string::npos);

  options = hsm.Options();
  options.module_path = hsm.dir() + "/missing.so";
  EXPECT_EQ(Pkcs11KeyStore::Open(options, random).status().code(), ErrorCode::kInvalidArgs);

  options = hsm.Options();
  options.security_standard = "FIPS_140_2_LEVEL_9";
  EXPECT_EQ(Pkcs11KeyStore::Open(options, random).status().code(), ErrorCode::kInvalidArgs);
}

TEST(Pkcs11KeyStore, ReportsOnlyTheConfiguredSecurityStandard) {
  OpenSslRandom random;
  auto plain = OpenStore(random);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->GenerationSecurityStandard(), "");
  Pkcs11KeyStoreOptions options = SoftHsm::Get().Options();
  options.security_standard = "FIPS_140_2_LEVEL_3_OR_HIGHER";
  auto claimed = OpenStore(random, options);
  ASSERT_NE(claimed, nullptr);
  EXPECT_EQ(claimed->GenerationSecurityStandard(), "FIPS_140_2_LEVEL_3_OR_HIGHER");
  EXPECT_EQ(claimed->SecurityStandardOf("pkcs11:id=%01"), "FIPS_140_2_LEVEL_3_OR_HIGHER");
  EXPECT_EQ(claimed->SecurityStandardOf("soft:x"), "");
}

}  // namespace
}  // namespace openpca::keys::pkcs11

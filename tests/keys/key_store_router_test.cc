#include "keys/key_store_router.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "keys/software_key_store.h"
#include "keys_test_util.h"

namespace openpca::keys {
namespace {

TEST(KeyStoreRouterTest, LoadsByPrefixAndGeneratesInTheChosenStore) {
  testing::TempDir a_dir, b_dir;
  OpenSslRandom random;
  std::shared_ptr<const SecretBox> box = std::move(SecretBox::Create(Bytes(32, 3))).value();
  auto a = std::move(SoftwareKeyStore::Open(a_dir.path(), box, random)).value();
  auto b = std::move(SoftwareKeyStore::Open(b_dir.path(), box, random)).value();
  auto old_key = a->Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(old_key.ok());
  // Only "soft:" ids reach `a`; new keys are generated in `b`.
  KeyStoreRouter router(*b, {{"soft:", a.get()}});
  auto signer = router.Load(old_key->key_id);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ((*signer)->public_key_der(), old_key->public_key_der);
  auto fresh = router.Generate(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(b->Load(fresh->key_id).ok());
  EXPECT_EQ(router.Load("pkcs11:id=%01").status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(router.Destroy("pkcs11:id=%01").code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(router.GenerationSecurityStandard(), "");
  EXPECT_EQ(router.SecurityStandardOf(old_key->key_id), "");
  EXPECT_TRUE(router.Destroy(old_key->key_id).ok());
  EXPECT_EQ(a->Load(old_key->key_id).status().code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace openpca::keys

// KeyStorageSecurityStandard is what the key store meets: reported from the store, and a request
// for a standard it does not meet is refused before anything is created.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "authority/authority.h"
#include "common/clock.h"
#include "common/random.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::authority {
namespace {

// The software store, claiming a standard (as a PKCS#11 store configured for a validated HSM).
class ClaimingKeyStore final : public keys::KeyStore {
 public:
  ClaimingKeyStore(keys::KeyStore& inner, std::string claim) : inner_(inner), claim_(claim) {}
  Result<keys::GeneratedKey> Generate(KeyAlgorithm a) override { return inner_.Generate(a); }
  Result<std::shared_ptr<const keys::Signer>> Load(const std::string& id) override {
    return inner_.Load(id);
  }
  Status Destroy(const std::string& id) override { return inner_.Destroy(id); }
  std::string GenerationSecurityStandard() const override { return claim_; }
  std::string SecurityStandardOf(const std::string&) const override { return claim_; }

 private:
  keys::KeyStore& inner_;
  std::string claim_;
};

class KeyStorageStandardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("openpca-standard-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    box_ = std::move(keys::SecretBox::Create(Bytes(32, 9))).value();
    store_ = std::move(store::SqliteStore::Open((dir_ / "db.sqlite").string())).value();
    software_ =
        std::move(keys::SoftwareKeyStore::Open((dir_ / "keys").string(), box_, random_)).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  CreateCaRequest Request(std::optional<std::string> standard) {
    CreateCaRequest req;
    req.type = "ROOT";
    req.configuration = {{"KeyAlgorithm", "EC_prime256v1"},
                         {"SigningAlgorithm", "SHA256WITHECDSA"},
                         {"Subject", {{"CommonName", "Standard"}}}};
    req.key_storage_security_standard = std::move(standard);
    return req;
  }

  Caller caller() const { return Caller{"123456789012"}; }

  std::filesystem::path dir_;
  FakeClock clock_{FromUnixSeconds(1'800'000'000)};
  OpenSslRandom random_;
  std::shared_ptr<const keys::SecretBox> box_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<keys::SoftwareKeyStore> software_;
};

TEST_F(KeyStorageStandardTest, SoftwareStoreReportsNoneAndRefusesEveryRequest) {
  Authority authority(*store_, *software_, clock_, random_, {});
  auto arn = authority.CreateCertificateAuthority(caller(), Request(std::nullopt));
  ASSERT_TRUE(arn.ok()) << arn.status().message();
  auto ca = authority.DescribeCertificateAuthority(caller(), *arn);
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(ca->key_storage_security_standard, "");
  for (const char* s : {"FIPS_140_2_LEVEL_2_OR_HIGHER", "FIPS_140_2_LEVEL_3_OR_HIGHER",
                        "CCPC_LEVEL_1_OR_HIGHER"}) {
    EXPECT_EQ(authority.CreateCertificateAuthority(caller(), Request(s)).status().code(),
              ErrorCode::kInvalidArgs)
        << s;
  }
  EXPECT_EQ(*store_->CountCas("123456789012"), 1);
}

TEST_F(KeyStorageStandardTest, ClaimedLevelThreeMeetsLevelTwoAndIsReported) {
  ClaimingKeyStore hsm(*software_, "FIPS_140_2_LEVEL_3_OR_HIGHER");
  Authority authority(*store_, hsm, clock_, random_, {});
  auto arn = authority.CreateCertificateAuthority(caller(), Request("FIPS_140_2_LEVEL_2_OR_HIGHER"));
  ASSERT_TRUE(arn.ok()) << arn.status().message();
  auto ca = authority.DescribeCertificateAuthority(caller(), *arn);
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(ca->key_storage_security_standard, "FIPS_140_2_LEVEL_3_OR_HIGHER");
  EXPECT_TRUE(
      authority.CreateCertificateAuthority(caller(), Request("FIPS_140_2_LEVEL_3_OR_HIGHER")).ok());
  EXPECT_EQ(authority.CreateCertificateAuthority(caller(), Request("CCPC_LEVEL_1_OR_HIGHER"))
                .status()
                .code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(*store_->CountCas("123456789012"), 2);
}

}  // namespace
}  // namespace openpca::authority

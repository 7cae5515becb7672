// EndpointResources over a real SQLite store: a CA's facts (owner, tags, effective resource
// policy) are read once and reused while the store's resource-facts generation stays; any write
// to one of them is seen by the very next call.
#include "access/resource_directory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "store/sqlite/sqlite_facts_generation_store.h"
#include "store/sqlite/sqlite_sharing_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_util.h"

namespace openpca::access {
namespace {

using store::testing::MakeCa;

constexpr char kPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},)"
    R"("Action":"acm-pca:IssueCertificate","Resource":"*"}]})";

class ResourceDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::SqliteStore::Open(dir_.File("openpca.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    sharing_ = std::make_unique<store::SqliteSharingStore>(*db_);
    generation_ = store::MakeSqliteFactsGeneration(*db_);
    resources_ = std::make_unique<EndpointResources>(
        *db_,
        [this](const store::CaRecord& ca) -> Result<std::optional<std::string>> {
          ++policy_reads_;
          ASSIGN_OR_RETURN(std::optional<store::CaPolicyRecord> own, sharing_->GetCaPolicy(ca.id));
          if (!own.has_value()) return std::optional<std::string>();
          return std::optional<std::string>(own->policy);
        },
        nullptr, policies_);
    ASSERT_OK(db_->InsertCa(ca_, {store::Tag{"env", std::string("test")}}, std::nullopt));
  }

  ResourceFacts Facts(const std::string& arn) {
    Result<ResourceFacts> facts = resources_->FactsOf(arn, "acm-pca:IssueCertificate");
    EXPECT_TRUE(facts.ok()) << facts.status().ToString();
    return facts.ok() ? *facts : ResourceFacts{};
  }

  store::testing::TempDir dir_;
  store::CaRecord ca_ = MakeCa("11111111-2222-3333-4444-555555555555", "111122223333");
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteSharingStore> sharing_;
  std::unique_ptr<store::FactsGenerationWatch> generation_;
  policy::PolicyCache policies_;
  std::unique_ptr<EndpointResources> resources_;  // destroyed first
  std::atomic<int> policy_reads_{0};
};

TEST_F(ResourceDirectoryTest, ReusesACasFactsUntilOneOfThemChanges) {
  resources_->SetFactsGeneration(generation_.get());
  ResourceFacts first = Facts(ca_.arn);
  ResourceFacts second = Facts(ca_.arn + "/certificate/0a1b");
  EXPECT_EQ(policy_reads_, 1);
  EXPECT_EQ(resources_->cached_cas(), 1u);
  EXPECT_EQ(second.owner_account, "111122223333");
  ASSERT_EQ(second.tags.size(), 1u);
  EXPECT_EQ(second.tags[0].second, "test");
  EXPECT_FALSE(second.policy.has_value());

  ASSERT_OK(db_->ReplaceTags(ca_.id, {store::Tag{"env", std::string("prod")}}));
  ResourceFacts retagged = Facts(ca_.arn);
  EXPECT_EQ(policy_reads_, 2);
  ASSERT_EQ(retagged.tags.size(), 1u);
  EXPECT_EQ(retagged.tags[0].second, "prod");

  ASSERT_OK(sharing_->PutCaPolicy(ca_.id, kPolicy, 0, 1));
  EXPECT_TRUE(Facts(ca_.arn).policy.has_value());
  ASSERT_OK(sharing_->DeleteCaPolicy(ca_.id, ca_.arn, 1, 2));
  EXPECT_FALSE(Facts(ca_.arn).policy.has_value());
  EXPECT_EQ(policy_reads_, 4);
}

TEST_F(ResourceDirectoryTest, WithoutAGenerationReadsOnEveryCall) {
  Facts(ca_.arn);
  Facts(ca_.arn);
  EXPECT_EQ(policy_reads_, 2);
  EXPECT_EQ(resources_->cached_cas(), 0u);
}

TEST_F(ResourceDirectoryTest, ACaThatDoesNotExistIsNotCachedAndIsFoundOnceCreated) {
  resources_->SetFactsGeneration(generation_.get());
  store::CaRecord later = MakeCa("66666666-2222-3333-4444-555555555555", "777788889999");
  // Typed with another account: until the CA exists, the ARN's account is all there is.
  std::string typed = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/66666666-2222-3333-4444-555555555555";
  EXPECT_EQ(Facts(typed).owner_account, "123456789012");
  EXPECT_EQ(resources_->cached_cas(), 0u);
  ASSERT_OK(db_->InsertCa(later, {}, std::nullopt));
  EXPECT_EQ(Facts(typed).owner_account, "777788889999");
  EXPECT_EQ(resources_->cached_cas(), 1u);
}

}  // namespace
}  // namespace openpca::access

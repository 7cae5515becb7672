// SqliteSharingStore: CA policies and permissions, RAM shares, associations, invitations and
// customer-managed permissions, and their removal with the CA (Store::PurgeCa).
#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite/sqlite_sharing_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace openpca::store {
namespace {

using testing::MakeCa;
using testing::TempDir;

constexpr char kShare[] = "arn:aws:ram:us-east-1:111122223333:resource-share/s1";

class SharingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteStore::Open(dir_.File("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    sharing_ = std::make_unique<SqliteSharingStore>(*db_);
    ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  }

  ResourceShareRecord Share(std::string arn = kShare, std::string token = "") {
    ResourceShareRecord s;
    s.arn = std::move(arn);
    s.owner_account = "111122223333";
    s.region = "us-east-1";
    s.name = "share";
    s.status = "ACTIVE";
    s.tags = {Tag{"team", std::string("pki")}};
    s.client_token = std::move(token);
    s.request_digest = "d1";
    s.created_at_ms = 10;
    s.updated_at_ms = 10;
    return s;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> db_;
  std::unique_ptr<SqliteSharingStore> sharing_;
};

TEST_F(SharingStoreTest, PolicyVersionsGuardConcurrentWrites) {
  auto none = sharing_->GetCaPolicy("ca1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_OK(sharing_->PutCaPolicy("ca1", "{\"a\":1}", 0, 100));
  // A second writer that also saw "no policy" loses.
  EXPECT_EQ(sharing_->PutCaPolicy("ca1", "{\"b\":1}", 0, 101).code(),
            ErrorCode::kConcurrentModification);
  ASSERT_OK(sharing_->PutCaPolicy("ca1", "{\"c\":1}", 1, 102));
  EXPECT_EQ(sharing_->PutCaPolicy("ca1", "{\"d\":1}", 1, 103).code(),
            ErrorCode::kConcurrentModification);
  auto got = sharing_->GetCaPolicy("ca1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->policy, "{\"c\":1}");
  EXPECT_EQ((*got)->version, 2);
  EXPECT_EQ(sharing_->PutCaPolicy("nope", "{}", 0, 1).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(sharing_->DeleteCaPolicy("ca1", "arn", 1, 104).code(),
            ErrorCode::kConcurrentModification);
  ASSERT_OK(sharing_->DeleteCaPolicy("ca1", "arn", 2, 104));
  EXPECT_FALSE(sharing_->GetCaPolicy("ca1")->has_value());
}

TEST_F(SharingStoreTest, DeletePolicyWithdrawsTheCaFromShares) {
  CaRecord ca = MakeCa("ca1");
  ASSERT_OK(sharing_->InsertResourceShare(
      Share(), {{kShare, ca.arn, "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}}, {},
      {}, {}));
  ASSERT_OK(sharing_->DeleteCaPolicy("ca1", ca.arn, 0, 50));
  auto resources = sharing_->ListShareResources({kShare, ""});
  ASSERT_TRUE(resources.ok());
  ASSERT_EQ(resources->size(), 1u);
  EXPECT_EQ((*resources)[0].status, "DISASSOCIATED");
  EXPECT_EQ((*resources)[0].updated_at_ms, 50);
}

TEST_F(SharingStoreTest, PermissionsAreUniquePerPrincipalAndSourceAccount) {
  CaPermissionRecord p{
      "ca1", "acm.amazonaws.com", "111122223333", {"IssueCertificate", "GetCertificate"}, 5};
  ASSERT_OK(sharing_->InsertCaPermission(p));
  EXPECT_EQ(sharing_->InsertCaPermission(p).code(), ErrorCode::kPermissionAlreadyExists);
  p.ca_id = "missing";
  EXPECT_EQ(sharing_->InsertCaPermission(p).code(), ErrorCode::kResourceNotFound);
  auto list = sharing_->ListCaPermissions("ca1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].actions, (std::vector<std::string>{"IssueCertificate", "GetCertificate"}));
  EXPECT_EQ(sharing_->DeleteCaPermission("ca1", "acm.amazonaws.com", "999999999999").code(),
            ErrorCode::kResourceNotFound);
  ASSERT_OK(sharing_->DeleteCaPermission("ca1", "acm.amazonaws.com", "111122223333"));
  EXPECT_TRUE(sharing_->ListCaPermissions("ca1")->empty());
}

TEST_F(SharingStoreTest, PurgeCaRemovesPolicyPermissionsAndShareResources) {
  CaRecord ca = MakeCa("ca1");
  ASSERT_OK(sharing_->PutCaPolicy("ca1", "{}", 0, 1));
  ASSERT_OK(sharing_->InsertCaPermission({"ca1", "acm.amazonaws.com", "", {"GetCertificate"}, 1}));
  ASSERT_OK(sharing_->InsertResourceShare(
      Share(), {{kShare, ca.arn, "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}},
      {{kShare, "444455556666", "", "ASSOCIATED", true, 10, 10}}, {}, {}));
  ASSERT_OK(db_->PurgeCa("ca1"));
  EXPECT_FALSE(sharing_->GetCaPolicy("ca1")->has_value());
  EXPECT_TRUE(sharing_->ListCaPermissions("ca1")->empty());
  EXPECT_TRUE(sharing_->ListShareResources({"", ca.arn})->empty());
  // The share and its principals stay.
  EXPECT_EQ(sharing_->ListSharePrincipals({kShare, ""})->size(), 1u);
}

TEST_F(SharingStoreTest, ShareRoundTripsWithAssociationsPermissionsAndInvitations) {
  ASSERT_OK(sharing_->InsertResourceShare(
      Share(kShare, "tok"),
      {{kShare, "arn:r", "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}},
      {{kShare, "444455556666", "", "ASSOCIATING", true, 10, 10}},
      {{kShare, "acm-pca:CertificateAuthority", "arn:perm", 1, 10}},
      {{"arn:inv", kShare, "111122223333", "444455556666", "PENDING", 10}}));
  EXPECT_EQ(sharing_->InsertResourceShare(Share(), {}, {}, {}, {}).code(), ErrorCode::kInvalidArgs);
  auto s = sharing_->GetResourceShare(kShare);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->tags.size(), 1u);
  EXPECT_EQ(s->tags[0].value, std::optional<std::string>("pki"));
  auto by_token = sharing_->FindResourceShareByClientToken("111122223333", "tok");
  ASSERT_TRUE(by_token.ok() && by_token->has_value());
  EXPECT_FALSE(sharing_->FindResourceShareByClientToken("444455556666", "tok")->has_value());
  EXPECT_EQ(sharing_->ListSharePermissions(kShare)->size(), 1u);
  EXPECT_EQ(sharing_->ListInvitations("444455556666")->size(), 1u);
  EXPECT_TRUE(sharing_->ListInvitations("111122223333")->empty());

  ASSERT_OK(sharing_->AnswerInvitation("arn:inv", "PENDING", "ACCEPTED", "ASSOCIATED", 20));
  EXPECT_EQ(
      sharing_->AnswerInvitation("arn:inv", "PENDING", "REJECTED", "DISASSOCIATED", 21).code(),
      ErrorCode::kConcurrentModification);
  EXPECT_EQ(sharing_->GetInvitation("arn:inv")->status, "ACCEPTED");
  EXPECT_EQ((*sharing_->ListSharePrincipals({kShare, "444455556666"}))[0].status, "ASSOCIATED");
  EXPECT_EQ(sharing_->AnswerInvitation("arn:none", "PENDING", "ACCEPTED", "ASSOCIATED", 1).code(),
            ErrorCode::kResourceNotFound);

  ASSERT_OK(sharing_->UpdateResourceShareStatus(kShare, "DELETED", "DISASSOCIATED", 30));
  EXPECT_EQ(sharing_->GetResourceShare(kShare)->status, "DELETED");
  EXPECT_EQ((*sharing_->ListShareResources({kShare, ""}))[0].status, "DISASSOCIATED");
  EXPECT_EQ(sharing_->UpdateResourceShareStatus("arn:none", "DELETED", "", 30).code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(sharing_
                ->PutShareAssociations({{"arn:none", "arn:r", "t", "ASSOCIATED", false, 1, 1}}, {},
                                       {}, {})
                .code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(SharingStoreTest, CustomerPermissionVersions) {
  RamPermissionRecord p;
  p.arn = "arn:aws:ram:us-east-1:111122223333:permission/Mine";
  p.account_id = "111122223333";
  p.name = "Mine";
  p.resource_type = "acm-pca:CertificateAuthority";
  p.versions = {{1, "{\"v\":1}", 1}};
  ASSERT_OK(sharing_->InsertRamPermission(p));
  EXPECT_EQ(sharing_->InsertRamPermission(p).code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(sharing_->AddRamPermissionVersion(p.arn, {3, "{}", 2}).code(),
            ErrorCode::kConcurrentModification);
  ASSERT_OK(sharing_->AddRamPermissionVersion(p.arn, {2, "{\"v\":2}", 2}));
  auto got = sharing_->GetRamPermission(p.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->default_version, 2);
  ASSERT_EQ(got->versions.size(), 2u);
  EXPECT_EQ(got->versions[1].policy_template, "{\"v\":2}");
  EXPECT_EQ(sharing_->ListRamPermissions("111122223333")->size(), 1u);
  EXPECT_TRUE(sharing_->ListRamPermissions("444455556666")->empty());
  ASSERT_OK(sharing_->DeleteRamPermission(p.arn));
  EXPECT_EQ(sharing_->GetRamPermission(p.arn).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(sharing_->DeleteRamPermission(p.arn).code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace openpca::store

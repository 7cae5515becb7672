// SharingStore on every implementation: CA policies and permissions, RAM shares, associations,
// invitations and customer-managed permissions, and their removal with the CA (Store::PurgeCa).
#include <gtest/gtest.h>

#include <memory>

#include "domain_store_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

constexpr char kShare[] = "arn:aws:ram:us-east-1:111122223333:resource-share/s1";

ResourceShareRecord MakeShare(std::string arn = kShare, std::string token = "") {
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

template <typename Factory>
class SharingStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    sharing_ = Factory::Sharing(this->store());
    ASSERT_OK(this->store().InsertCa(MakeCa("ca1"), {}, std::nullopt));
  }

  std::unique_ptr<SharingStore> sharing_;  // destroyed before the Store it uses
};

TYPED_TEST_SUITE(SharingStoreTest, DomainStoreImplementations);

TYPED_TEST(SharingStoreTest, PolicyVersionsGuardConcurrentWrites) {
  SharingStore& sharing = *this->sharing_;
  auto none = sharing.GetCaPolicy("ca1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_OK(sharing.PutCaPolicy("ca1", "{\"a\":1}", 0, 100));
  // A second writer that also saw "no policy" loses.
  EXPECT_EQ(sharing.PutCaPolicy("ca1", "{\"b\":1}", 0, 101).code(),
            ErrorCode::kConcurrentModification);
  ASSERT_OK(sharing.PutCaPolicy("ca1", "{\"c\":1}", 1, 102));
  EXPECT_EQ(sharing.PutCaPolicy("ca1", "{\"d\":1}", 1, 103).code(),
            ErrorCode::kConcurrentModification);
  auto got = sharing.GetCaPolicy("ca1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->policy, "{\"c\":1}");
  EXPECT_EQ((*got)->version, 2);
  EXPECT_EQ(sharing.PutCaPolicy("nope", "{}", 0, 1).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(sharing.DeleteCaPolicy("ca1", "arn", 1, 104).code(),
            ErrorCode::kConcurrentModification);
  ASSERT_OK(sharing.DeleteCaPolicy("ca1", "arn", 2, 104));
  EXPECT_FALSE(sharing.GetCaPolicy("ca1")->has_value());
}

TYPED_TEST(SharingStoreTest, DeletePolicyWithdrawsTheCaFromShares) {
  SharingStore& sharing = *this->sharing_;
  CaRecord ca = MakeCa("ca1");
  ASSERT_OK(sharing.InsertResourceShare(
      MakeShare(), {{kShare, ca.arn, "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}},
      {}, {}, {}));
  ASSERT_OK(sharing.DeleteCaPolicy("ca1", ca.arn, 0, 50));
  auto resources = sharing.ListShareResources({kShare, ""});
  ASSERT_TRUE(resources.ok());
  ASSERT_EQ(resources->size(), 1u);
  EXPECT_EQ((*resources)[0].status, "DISASSOCIATED");
  EXPECT_EQ((*resources)[0].updated_at_ms, 50);
}

TYPED_TEST(SharingStoreTest, PermissionsAreUniquePerPrincipalAndSourceAccount) {
  SharingStore& sharing = *this->sharing_;
  CaPermissionRecord p{
      "ca1", "acm.amazonaws.com", "111122223333", {"IssueCertificate", "GetCertificate"}, 5};
  ASSERT_OK(sharing.InsertCaPermission(p));
  EXPECT_EQ(sharing.InsertCaPermission(p).code(), ErrorCode::kPermissionAlreadyExists);
  p.ca_id = "missing";
  EXPECT_EQ(sharing.InsertCaPermission(p).code(), ErrorCode::kResourceNotFound);
  auto list = sharing.ListCaPermissions("ca1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].actions, (std::vector<std::string>{"IssueCertificate", "GetCertificate"}));
  EXPECT_EQ(sharing.DeleteCaPermission("ca1", "acm.amazonaws.com", "999999999999").code(),
            ErrorCode::kResourceNotFound);
  ASSERT_OK(sharing.DeleteCaPermission("ca1", "acm.amazonaws.com", "111122223333"));
  EXPECT_TRUE(sharing.ListCaPermissions("ca1")->empty());
}

TYPED_TEST(SharingStoreTest, PurgeCaRemovesPolicyPermissionsAndShareResources) {
  SharingStore& sharing = *this->sharing_;
  CaRecord ca = MakeCa("ca1");
  ASSERT_OK(sharing.PutCaPolicy("ca1", "{}", 0, 1));
  ASSERT_OK(sharing.InsertCaPermission({"ca1", "acm.amazonaws.com", "", {"GetCertificate"}, 1}));
  ASSERT_OK(sharing.InsertResourceShare(
      MakeShare(), {{kShare, ca.arn, "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}},
      {{kShare, "444455556666", "", "ASSOCIATED", true, 10, 10}}, {}, {}));
  ASSERT_OK(this->store().PurgeCa("ca1"));
  EXPECT_FALSE(sharing.GetCaPolicy("ca1")->has_value());
  EXPECT_TRUE(sharing.ListCaPermissions("ca1")->empty());
  EXPECT_TRUE(sharing.ListShareResources({"", ca.arn})->empty());
  // The share and its principals stay.
  EXPECT_EQ(sharing.ListSharePrincipals({kShare, ""})->size(), 1u);
}

TYPED_TEST(SharingStoreTest, ShareRoundTripsWithAssociationsPermissionsAndInvitations) {
  SharingStore& sharing = *this->sharing_;
  ASSERT_OK(sharing.InsertResourceShare(
      MakeShare(kShare, "tok"),
      {{kShare, "arn:r", "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}},
      {{kShare, "444455556666", "", "ASSOCIATING", true, 10, 10}},
      {{kShare, "acm-pca:CertificateAuthority", "arn:perm", 1, 10}},
      {{"arn:inv", kShare, "111122223333", "444455556666", "PENDING", 10}}));
  EXPECT_EQ(sharing.InsertResourceShare(MakeShare(), {}, {}, {}, {}).code(),
            ErrorCode::kInvalidArgs);
  auto s = sharing.GetResourceShare(kShare);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->tags.size(), 1u);
  EXPECT_EQ(s->tags[0].value, std::optional<std::string>("pki"));
  auto by_token = sharing.FindResourceShareByClientToken("111122223333", "tok");
  ASSERT_TRUE(by_token.ok() && by_token->has_value());
  EXPECT_FALSE(sharing.FindResourceShareByClientToken("444455556666", "tok")->has_value());
  EXPECT_EQ(sharing.ListSharePermissions(kShare)->size(), 1u);
  EXPECT_EQ(sharing.ListInvitations("444455556666")->size(), 1u);
  EXPECT_TRUE(sharing.ListInvitations("111122223333")->empty());

  ASSERT_OK(sharing.AnswerInvitation("arn:inv", "PENDING", "ACCEPTED", "ASSOCIATED", 20));
  EXPECT_EQ(sharing.AnswerInvitation("arn:inv", "PENDING", "REJECTED", "DISASSOCIATED", 21).code(),
            ErrorCode::kConcurrentModification);
  EXPECT_EQ(sharing.GetInvitation("arn:inv")->status, "ACCEPTED");
  EXPECT_EQ((*sharing.ListSharePrincipals({kShare, "444455556666"}))[0].status, "ASSOCIATED");
  EXPECT_EQ(sharing.AnswerInvitation("arn:none", "PENDING", "ACCEPTED", "ASSOCIATED", 1).code(),
            ErrorCode::kResourceNotFound);

  ASSERT_OK(sharing.UpdateResourceShareStatus(kShare, "DELETED", "DISASSOCIATED", 30));
  EXPECT_EQ(sharing.GetResourceShare(kShare)->status, "DELETED");
  EXPECT_EQ((*sharing.ListShareResources({kShare, ""}))[0].status, "DISASSOCIATED");
  EXPECT_EQ(sharing.UpdateResourceShareStatus("arn:none", "DELETED", "", 30).code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(
      sharing
          .PutShareAssociations({{"arn:none", "arn:r", "t", "ASSOCIATED", false, 1, 1}}, {}, {}, {})
          .code(),
      ErrorCode::kResourceNotFound);
}

TYPED_TEST(SharingStoreTest, CustomerPermissionVersions) {
  SharingStore& sharing = *this->sharing_;
  RamPermissionRecord p;
  p.arn = "arn:aws:ram:us-east-1:111122223333:permission/Mine";
  p.account_id = "111122223333";
  p.name = "Mine";
  p.resource_type = "acm-pca:CertificateAuthority";
  p.versions = {{1, "{\"v\":1}", 1}};
  ASSERT_OK(sharing.InsertRamPermission(p));
  EXPECT_EQ(sharing.InsertRamPermission(p).code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(sharing.AddRamPermissionVersion(p.arn, {3, "{}", 2}).code(),
            ErrorCode::kConcurrentModification);
  ASSERT_OK(sharing.AddRamPermissionVersion(p.arn, {2, "{\"v\":2}", 2}));
  auto got = sharing.GetRamPermission(p.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->default_version, 2);
  ASSERT_EQ(got->versions.size(), 2u);
  EXPECT_EQ(got->versions[1].policy_template, "{\"v\":2}");
  EXPECT_EQ(sharing.ListRamPermissions("111122223333")->size(), 1u);
  EXPECT_TRUE(sharing.ListRamPermissions("444455556666")->empty());
  ASSERT_OK(sharing.DeleteRamPermission(p.arn));
  EXPECT_EQ(sharing.GetRamPermission(p.arn).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(sharing.DeleteRamPermission(p.arn).code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace openpca::store::testing

// acm-pca PutPolicy/GetPolicy/DeletePolicy, Create/List/DeletePermission and
// ListCertificateAuthorities(OTHER_ACCOUNTS), called as the pipeline calls them.
#include <gtest/gtest.h>

#include "sharing_fixture.h"

namespace openpca::services::testing {
namespace {

json ReadStatement(const std::string& ca, json principal) {
  return json{{"Sid", "Read"},
              {"Effect", "Allow"},
              {"Principal", std::move(principal)},
              {"Action",
               {"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
                "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions",
                "acm-pca:ListTags"}},
              {"Resource", ca}};
}

json IssueStatement(const std::string& ca, json principal) {
  return json{
      {"Sid", "Issue"},
      {"Effect", "Allow"},
      {"Principal", std::move(principal)},
      {"Action", {"acm-pca:IssueCertificate"}},
      {"Resource", ca},
      {"Condition",
       {{"StringEquals",
         {{"acm-pca:TemplateArn", "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}}}};
}

std::string AccountPolicy(const std::string& ca, const std::string& account) {
  json p{{"AWS", account}};
  return json{{"Version", "2012-10-17"},
              {"Statement", {ReadStatement(ca, p), IssueStatement(ca, p)}}}
      .dump();
}

class AcmPcaSharingTest : public SharingFixture {
 protected:
  void SetUp() override { ca_ = MakeCa("aaaaaaaa-1111-2222-3333-444444444444"); }
  std::string ca_;
  std::string ca_id_ = "aaaaaaaa-1111-2222-3333-444444444444";
};

TEST_F(AcmPcaSharingTest, PutGetDeletePolicy) {
  std::string policy = AccountPolicy(ca_, kOther);
  ASSERT_TRUE(Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", policy}}).ok());
  EXPECT_EQ(validator_calls_, 1);
  auto got = Acm("GetPolicy", {{"ResourceArn", ca_}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["Policy"], policy);
  EXPECT_EQ(Effective(ca_id_), json::parse(policy)["Statement"]);

  // A second PutPolicy replaces the first.
  std::string second = AccountPolicy(ca_, kThird);
  ASSERT_TRUE(Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", second}}).ok());
  EXPECT_EQ((*Acm("GetPolicy", {{"ResourceArn", ca_}}))["Policy"], second);

  ASSERT_TRUE(Acm("DeletePolicy", {{"ResourceArn", ca_}}).ok());
  EXPECT_EQ(Acm("GetPolicy", {{"ResourceArn", ca_}}).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(Effective(ca_id_).empty());
  // Deleting no policy succeeds.
  EXPECT_TRUE(Acm("DeletePolicy", {{"ResourceArn", ca_}}).ok());
}

TEST_F(AcmPcaSharingTest, OrganizationPolicyAccepted) {
  json read = ReadStatement(ca_, "*");
  read["Condition"] = {{"StringEquals", {{"aws:PrincipalOrgID", "o-a1b2c3d4z5"}}}};
  std::string policy = json{{"Version", "2012-10-17"}, {"Statement", {read}}}.dump();
  EXPECT_TRUE(Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", policy}}).ok());
}

TEST_F(AcmPcaSharingTest, RefusedPoliciesLeaveNoPolicy) {
  ASSERT_TRUE(
      Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", AccountPolicy(ca_, kOther)}}).ok());
  std::string before = (*Acm("GetPolicy", {{"ResourceArn", ca_}}))["Policy"];
  json wildcard = ReadStatement(ca_, "*");
  json no_template = IssueStatement(ca_, {{"AWS", kOther}});
  no_template.erase("Condition");
  json other_ca = ReadStatement(MakeCa("bbbbbbbb-1111-2222-3333-444444444444"), {{"AWS", kOther}});
  for (const json& statement : {wildcard, no_template, other_ca}) {
    std::string policy = json{{"Version", "2012-10-17"}, {"Statement", {statement}}}.dump();
    EXPECT_EQ(Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", policy}}).status().code(),
              ErrorCode::kInvalidPolicy)
        << statement.dump();
  }
  // The general policy grammar (injected) refuses too.
  json refused = ReadStatement(ca_, {{"AWS", kOther}});
  refused["Sid"] = "REFUSED-BY-ENGINE";
  EXPECT_EQ(
      Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", json{{"Statement", {refused}}}.dump()}})
          .status()
          .code(),
      ErrorCode::kInvalidPolicy);
  EXPECT_EQ((*Acm("GetPolicy", {{"ResourceArn", ca_}}))["Policy"], before);
}

TEST_F(AcmPcaSharingTest, CaLookupErrors) {
  std::string policy = AccountPolicy(ca_, kOther);
  for (const char* op : {"PutPolicy", "GetPolicy", "DeletePolicy"}) {
    EXPECT_EQ(Acm(op, {{"ResourceArn", "arn:aws:acm-pca:us-east-1:123456789012:nope"},
                       {"Policy", policy}})
                  .status()
                  .code(),
              ErrorCode::kInvalidArn)
        << op;
    EXPECT_EQ(Acm(op, {{"ResourceArn",
                        MakeCaArn("us-east-1", kOwner, "cccccccc-1111-2222-3333-444444444444")},
                       {"Policy", policy}})
                  .status()
                  .code(),
              ErrorCode::kResourceNotFound)
        << op;
    // Whether another account may manage the owner's CA policy is the authorizer's decision,
    // before any handler runs (tests/integration/test_access.py).
  }
  std::string deleted = MakeCa("dddddddd-1111-2222-3333-444444444444", kOwner, "DELETED");
  for (const char* op : {"PutPolicy", "GetPolicy", "DeletePolicy", "CreatePermission",
                         "ListPermissions", "DeletePermission"}) {
    EXPECT_EQ(Acm(op, {{"ResourceArn", deleted},
                       {"CertificateAuthorityArn", deleted},
                       {"Policy", AccountPolicy(deleted, kOther)},
                       {"Principal", "acm.amazonaws.com"},
                       {"Actions", {"IssueCertificate"}}})
                  .status()
                  .code(),
              ErrorCode::kInvalidState)
        << op;
  }
  EXPECT_TRUE(sharing_.ListCaPermissions("dddddddd-1111-2222-3333-444444444444")->empty());
}

TEST_F(AcmPcaSharingTest, Permissions) {
  json create{{"CertificateAuthorityArn", ca_},
              {"Principal", "acm.amazonaws.com"},
              {"Actions", {"IssueCertificate", "GetCertificate", "ListPermissions"}}};
  ASSERT_TRUE(Acm("CreatePermission", create).ok());
  EXPECT_EQ(Acm("CreatePermission", create).status().code(), ErrorCode::kPermissionAlreadyExists);
  json bad = create;
  bad["Principal"] = "ec2.amazonaws.com";
  EXPECT_EQ(Acm("CreatePermission", bad).status().code(), ErrorCode::kRequestFailed);

  auto list = Acm("ListPermissions", {{"CertificateAuthorityArn", ca_}});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ((*list)["Permissions"].size(), 1u);
  json p = (*list)["Permissions"][0];
  EXPECT_EQ(p["Principal"], "acm.amazonaws.com");
  EXPECT_EQ(p["SourceAccount"], kOwner);
  EXPECT_EQ(p["CertificateAuthorityArn"], ca_);
  json statement = json::parse(p["Policy"].get<std::string>())["Statement"][0];
  EXPECT_EQ(statement["Principal"], json({{"Service", "acm.amazonaws.com"}}));
  EXPECT_EQ(statement["Resource"], ca_);
  EXPECT_EQ(statement["Condition"]["StringEquals"]["aws:SourceAccount"], kOwner);
  EXPECT_EQ(statement["Action"], json::array({"acm-pca:IssueCertificate", "acm-pca:GetCertificate",
                                              "acm-pca:ListPermissions"}));
  // The authorizer's policy carries the same statement.
  EXPECT_EQ(Effective(ca_id_), json::array({statement}));

  EXPECT_EQ(Acm("DeletePermission", {{"CertificateAuthorityArn", ca_},
                                     {"Principal", "acm.amazonaws.com"},
                                     {"SourceAccount", kThird}})
                .status()
                .code(),
            ErrorCode::kResourceNotFound);
  ASSERT_TRUE(Acm("DeletePermission",
                  {{"CertificateAuthorityArn", ca_}, {"Principal", "acm.amazonaws.com"}})
                  .ok());
  EXPECT_TRUE((*Acm("ListPermissions", {{"CertificateAuthorityArn", ca_}}))["Permissions"].empty());
  EXPECT_TRUE(Effective(ca_id_).empty());
}

TEST_F(AcmPcaSharingTest, ListPermissionsPages) {
  for (const char* account : {"111111111111", "222222222222", "333333333333"}) {
    ASSERT_TRUE(Acm("CreatePermission", {{"CertificateAuthorityArn", ca_},
                                         {"Principal", "acm.amazonaws.com"},
                                         {"SourceAccount", account},
                                         {"Actions", {"GetCertificate"}}})
                    .ok());
  }
  auto first = Acm("ListPermissions", {{"CertificateAuthorityArn", ca_}, {"MaxResults", 2}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)["Permissions"].size(), 2u);
  ASSERT_TRUE(first->contains("NextToken"));
  auto second = Acm("ListPermissions",
                    {{"CertificateAuthorityArn", ca_}, {"NextToken", (*first)["NextToken"]}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)["Permissions"].size(), 1u);
  EXPECT_FALSE(second->contains("NextToken"));
  EXPECT_EQ(Acm("ListPermissions", {{"CertificateAuthorityArn", ca_}, {"NextToken", "!!"}})
                .status()
                .code(),
            ErrorCode::kInvalidNextToken);
}

TEST_F(AcmPcaSharingTest, ListCertificateAuthoritiesOtherAccounts) {
  std::string theirs = MakeCa("eeeeeeee-1111-2222-3333-444444444444", kOther);
  ASSERT_TRUE(
      Acm("PutPolicy", {{"ResourceArn", ca_}, {"Policy", AccountPolicy(ca_, kOther)}}).ok());

  auto shared = Acm("ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}}, kOther);
  ASSERT_TRUE(shared.ok());
  ASSERT_EQ((*shared)["CertificateAuthorities"].size(), 1u);
  EXPECT_EQ((*shared)["CertificateAuthorities"][0]["Arn"], ca_);
  EXPECT_EQ((*shared)["CertificateAuthorities"][0]["OwnerAccount"], kOwner);

  auto own = Acm("ListCertificateAuthorities", json::object(), kOther);
  ASSERT_TRUE(own.ok());
  ASSERT_EQ((*own)["CertificateAuthorities"].size(), 1u);
  EXPECT_EQ((*own)["CertificateAuthorities"][0]["Arn"], theirs);

  auto none = Acm("ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}}, kThird);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)["CertificateAuthorities"].empty());
  // The owner's own CA is never "shared with" the owner.
  auto owner = Acm("ListCertificateAuthorities", {{"ResourceOwner", "OTHER_ACCOUNTS"}});
  ASSERT_TRUE(owner.ok());
  EXPECT_TRUE((*owner)["CertificateAuthorities"].empty());
}

TEST_F(AcmPcaSharingTest, DeletePolicyRemovesTheCaFromShares) {
  same_org_.insert(kOther);
  auto share = Ram("CreateResourceShare",
                   {{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOther}}});
  ASSERT_TRUE(share.ok()) << share.status().ToString();
  EXPECT_EQ(Effective(ca_id_).size(), 2u);
  auto got = Acm("GetPolicy", {{"ResourceArn", ca_}});
  ASSERT_TRUE(got.ok());  // RAM's statements show through GetPolicy
  EXPECT_EQ(json::parse((*got)["Policy"].get<std::string>())["Statement"].size(), 2u);

  ASSERT_TRUE(Acm("DeletePolicy", {{"ResourceArn", ca_}}).ok());
  EXPECT_TRUE(Effective(ca_id_).empty());
  auto resources = Ram("ListResources", {{"resourceOwner", "SELF"}});
  ASSERT_TRUE(resources.ok());
  EXPECT_TRUE((*resources)["resources"].empty());
  EXPECT_EQ(Acm("GetPolicy", {{"ResourceArn", ca_}}).status().code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace openpca::services::testing

// RAM permissions: AWS-managed catalogue, customer-managed permissions and versions, attaching
// a permission to a share, and GetResourcePolicies.
#include <gtest/gtest.h>

#include "sharing_fixture.h"

namespace openpca::services::testing {
namespace {

constexpr char kCaId[] = "aaaaaaaa-1111-2222-3333-444444444444";
constexpr char kDefault[] =
    "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority";

const char kReadOnly[] =
    R"({"Effect":"Allow","Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate"]})";

class RamPermissionsTest : public SharingFixture {
 protected:
  void SetUp() override { ca_ = MakeCa(kCaId); }
  std::string ca_;
};

TEST_F(RamPermissionsTest, ManagedCatalogue) {
  auto list = Ram("ListPermissions", {{"resourceType", "acm-pca:CertificateAuthority"}});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ((*list)["permissions"].size(), 5u);
  int defaults = 0;
  for (const auto& p : (*list)["permissions"]) {
    EXPECT_EQ(p["permissionType"], "AWS_MANAGED");
    if (p["isResourceTypeDefault"] == true) ++defaults;
  }
  EXPECT_EQ(defaults, 1);
  auto got = Ram("GetPermission", {{"permissionArn", kDefault}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["permission"]["name"], "AWSRAMDefaultPermissionCertificateAuthority");
  json tmpl = json::parse((*got)["permission"]["permission"].get<std::string>());
  ASSERT_EQ(tmpl.size(), 2u);
  EXPECT_FALSE(tmpl[0].contains("Principal"));
  EXPECT_EQ(tmpl[1]["Condition"]["StringEquals"]["acm-pca:TemplateArn"],
            "arn:aws:acm-pca:::template/EndEntityCertificate/V1");
  EXPECT_EQ(Ram("GetPermission", {{"permissionArn", "x"}}).status().code(),
            ErrorCode::kMalformedArn);
  EXPECT_EQ(
      Ram("GetPermission", {{"permissionArn", "arn:aws:ram::aws:permission/Nope"}}).status().code(),
      ErrorCode::kUnknownResource);
  EXPECT_EQ(Ram("DeletePermission", {{"permissionArn", kDefault}}).status().code(),
            ErrorCode::kOperationNotPermitted);
}

TEST_F(RamPermissionsTest, CustomerManagedLifecycle) {
  json create{{"name", "ReadOnly"},
              {"resourceType", "acm-pca:CertificateAuthority"},
              {"policyTemplate", kReadOnly}};
  auto created = Ram("CreatePermission", create);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string arn = (*created)["permission"]["arn"];
  EXPECT_EQ(arn, "arn:aws:ram:us-east-1:123456789012:permission/ReadOnly");
  EXPECT_EQ((*created)["permission"]["permissionType"], "CUSTOMER_MANAGED");
  EXPECT_EQ(Ram("CreatePermission", create).status().code(), ErrorCode::kPermissionAlreadyExists);

  json bad = create;
  bad["name"] = "Bad";
  bad["policyTemplate"] = R"({"Effect":"Allow","Action":"acm-pca:DeleteCertificateAuthority"})";
  EXPECT_EQ(Ram("CreatePermission", bad).status().code(), ErrorCode::kMalformedPolicyTemplate);
  bad["policyTemplate"] = kReadOnly;
  bad["resourceType"] = "ec2:Subnet";
  EXPECT_EQ(Ram("CreatePermission", bad).status().code(), ErrorCode::kInvalidParameter);
  EXPECT_EQ(sharing_.ListRamPermissions(kOwner)->size(), 1u);

  // Other accounts do not see it.
  EXPECT_EQ(Ram("GetPermission", {{"permissionArn", arn}}, kOther).status().code(),
            ErrorCode::kUnknownResource);
  auto mine = Ram("ListPermissions", {{"permissionType", "CUSTOMER_MANAGED"}});
  ASSERT_EQ((*mine)["permissions"].size(), 1u);

  // A share using it grants exactly its actions.
  same_org_.insert(kOther);
  auto share = Ram("CreateResourceShare", {{"name", "s"},
                                           {"resourceArns", {ca_}},
                                           {"principals", {kOther}},
                                           {"permissionArns", {arn}}});
  ASSERT_TRUE(share.ok()) << share.status().ToString();
  std::string share_arn = (*share)["resourceShare"]["resourceShareArn"];
  json statements = Effective(kCaId);
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0]["Action"],
            json::array({"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"}));

  // A new version becomes the default; the share keeps the version it was given.
  auto v2 = Ram("CreatePermissionVersion",
                {{"permissionArn", arn},
                 {"policyTemplate", R"({"Effect":"Allow","Action":"acm-pca:ListTags"})"}});
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ((*v2)["permission"]["version"], "2");
  EXPECT_EQ((*v2)["permission"]["defaultVersion"], true);
  EXPECT_EQ(Effective(kCaId)[0]["Action"],
            json::array({"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"}));
  ASSERT_TRUE(Ram("AssociateResourceSharePermission",
                  {{"resourceShareArn", share_arn}, {"permissionArn", arn}, {"replace", true}})
                  .ok());
  EXPECT_EQ(Effective(kCaId)[0]["Action"], json::array({"acm-pca:ListTags"}));

  // Attached: cannot be deleted. Replaced by the default: can.
  EXPECT_EQ(Ram("DeletePermission", {{"permissionArn", arn}}).status().code(),
            ErrorCode::kOperationNotPermitted);
  EXPECT_EQ(Ram("AssociateResourceSharePermission",
                {{"resourceShareArn", share_arn}, {"permissionArn", kDefault}})
                .status()
                .code(),
            ErrorCode::kInvalidParameter);
  ASSERT_TRUE(Ram("AssociateResourceSharePermission",
                  {{"resourceShareArn", share_arn}, {"permissionArn", kDefault}, {"replace", true}})
                  .ok());
  EXPECT_EQ(Effective(kCaId).size(), 2u);
  auto deleted = Ram("DeletePermission", {{"permissionArn", arn}});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ((*deleted)["permissionStatus"], "DELETED");
  EXPECT_EQ(sharing_.GetRamPermission(arn).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(RamPermissionsTest, VersionLimit) {
  auto created = Ram("CreatePermission", {{"name", "P"},
                                          {"resourceType", "acm-pca:CertificateAuthority"},
                                          {"policyTemplate", kReadOnly}});
  ASSERT_TRUE(created.ok());
  std::string arn = (*created)["permission"]["arn"];
  for (int i = 2; i <= 5; ++i) {
    ASSERT_TRUE(
        Ram("CreatePermissionVersion", {{"permissionArn", arn}, {"policyTemplate", kReadOnly}})
            .ok());
  }
  EXPECT_EQ(Ram("CreatePermissionVersion", {{"permissionArn", arn}, {"policyTemplate", kReadOnly}})
                .status()
                .code(),
            ErrorCode::kPermissionVersionsLimitExceeded);
  EXPECT_EQ(sharing_.GetRamPermission(arn)->versions.size(), 5u);
}

TEST_F(RamPermissionsTest, GetResourcePolicies) {
  same_org_.insert(kOther);
  ASSERT_TRUE(Ram("CreateResourceShare",
                  {{"name", "s"}, {"resourceArns", {ca_}}, {"principals", {kOther, kThird}}})
                  .ok());
  auto all = Ram("GetResourcePolicies", {{"resourceArns", {ca_}}});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ((*all)["policies"].size(), 1u);
  json doc = json::parse((*all)["policies"][0].get<std::string>());
  EXPECT_EQ(doc["Statement"].size(), 2u);  // kThird is only invited
  auto none = Ram("GetResourcePolicies", {{"resourceArns", {ca_}}, {"principal", kThird}});
  EXPECT_TRUE((*none)["policies"].empty());
  EXPECT_EQ(Ram("GetResourcePolicies",
                {{"resourceArns",
                  {MakeCaArn("us-east-1", kOwner, "dddddddd-1111-2222-3333-444444444444")}}})
                .status()
                .code(),
            ErrorCode::kResourceArnNotFound);
  EXPECT_EQ(Ram("GetResourcePolicies", {{"resourceArns", {"nope"}}}).status().code(),
            ErrorCode::kMalformedArn);
}

}  // namespace
}  // namespace openpca::services::testing

#include "sharing/statements.h"

#include <gtest/gtest.h>

#include "sharing/managed_permissions.h"

namespace openpca::sharing {
namespace {

using json = nlohmann::json;

TEST(StatementsTest, ManagedPermissionsAreWellFormedTemplates) {
  ASSERT_EQ(ManagedPermissions().size(), 5u);
  for (const auto& p : ManagedPermissions()) {
    auto t = ParsePolicyTemplate(p.policy_template, p.resource_type);
    EXPECT_TRUE(t.ok()) << p.name;
  }
  const ManagedPermission* def = DefaultManagedPermission(kCaResourceType);
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->arn, "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority");
  EXPECT_EQ(FindManagedPermission("arn:aws:ram::aws:permission/nope"), nullptr);
}

TEST(StatementsTest, TemplatesRefuseForeignMembersAndActions) {
  EXPECT_EQ(ParsePolicyTemplate(R"({"Effect":"Allow","Action":"acm-pca:GetCertificate",)"
                                R"("Principal":"*"})",
                                kCaResourceType)
                .status()
                .code(),
            ErrorCode::kMalformedPolicyTemplate);
  EXPECT_EQ(
      ParsePolicyTemplate(R"({"Effect":"Allow","Action":"acm-pca:DeleteCertificateAuthority"})",
                          kCaResourceType)
          .status()
          .code(),
      ErrorCode::kMalformedPolicyTemplate);
  EXPECT_EQ(ParsePolicyTemplate("[]", kCaResourceType).status().code(),
            ErrorCode::kMalformedPolicyTemplate);
  EXPECT_TRUE(ParsePolicyTemplate(R"({"Effect":"Allow","Action":["acm-pca:GetCertificate"]})",
                                  kCaResourceType)
                  .ok());
}

TEST(StatementsTest, ApplyTemplateToAccountsAndOrganizations) {
  json tmpl = json::parse(R"({"Effect":"Allow","Action":"acm-pca:IssueCertificate",)"
                          R"("Condition":{"StringEquals":{"acm-pca:TemplateArn":"t"}}})");
  json s = ApplyTemplate(tmpl, "111122223333", "arn:ca", "sid");
  EXPECT_EQ(s["Principal"], json({{"AWS", "111122223333"}}));
  EXPECT_EQ(s["Resource"], "arn:ca");
  EXPECT_EQ(s["Action"], json::array({"acm-pca:IssueCertificate"}));
  json org = ApplyTemplate(tmpl, "arn:aws:organizations::123456789012:organization/o-abc", "arn:ca",
                           "sid");
  EXPECT_EQ(org["Principal"], "*");
  EXPECT_EQ(org["Condition"]["StringEquals"]["aws:PrincipalOrgID"], "o-abc");
  EXPECT_EQ(org["Condition"]["StringEquals"]["acm-pca:TemplateArn"], "t");
  json ou =
      ApplyTemplate(tmpl, "arn:aws:organizations::123456789012:ou/o-abc/ou-x1", "arn:ca", "sid");
  EXPECT_EQ(ou["Condition"]["ForAnyValue:StringLike"]["aws:PrincipalOrgPaths"], "o-abc/*/ou-x1/*");
}

TEST(StatementsTest, PermissionStatementNamesTheServiceAndSourceAccount) {
  store::CaPermissionRecord p{"id",
                              "acm.amazonaws.com",
                              "111122223333",
                              {"IssueCertificate", "GetCertificate", "ListPermissions"},
                              0};
  json s = PermissionStatement(p, "arn:ca");
  EXPECT_EQ(s["Principal"], json({{"Service", "acm.amazonaws.com"}}));
  EXPECT_EQ(s["Action"], json::array({"acm-pca:IssueCertificate", "acm-pca:GetCertificate",
                                      "acm-pca:ListPermissions"}));
  EXPECT_EQ(s["Condition"]["StringEquals"]["aws:SourceAccount"], "111122223333");
  EXPECT_EQ(s["Resource"], "arn:ca");
}

}  // namespace
}  // namespace openpca::sharing

// PutPolicy's shape rules, with the statement shapes of AWS's resource-based policy examples for
// AWS Private CA (single account, IAM ARN principal, organization) and the shapes AWS refuses.
#include "sharing/ca_policy_shape.h"

#include <gtest/gtest.h>

namespace openpca::sharing {
namespace {

using json = nlohmann::json;

constexpr char kCa[] =
    "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/"
    "11223344-1234-1122-2233-112233445566";

json ReadStatement(json principal) {
  return json{{"Sid", "ReadAccess"},
              {"Effect", "Allow"},
              {"Principal", std::move(principal)},
              {"Action",
               {"acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate",
                "acm-pca:GetCertificateAuthorityCertificate", "acm-pca:ListPermissions",
                "acm-pca:ListTags"}},
              {"Resource", kCa}};
}

json IssueStatement(json principal, json condition) {
  return json{{"Sid", "IssueAccess"},
              {"Effect", "Allow"},
              {"Principal", std::move(principal)},
              {"Action", "acm-pca:IssueCertificate"},
              {"Resource", kCa},
              {"Condition", std::move(condition)}};
}

json EndEntityOnly() {
  return json{{"StringEquals",
               {{"acm-pca:TemplateArn", "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}};
}

std::string Doc(json statements) {
  return json{{"Version", "2012-10-17"}, {"Statement", std::move(statements)}}.dump();
}

TEST(CaPolicyShapeTest, AcceptsTheSingleAccountExample) {
  json account{{"AWS", "555555555555"}};
  EXPECT_TRUE(CheckCaPolicyShape(
                  Doc({ReadStatement(account), IssueStatement(account, EndEntityOnly())}), kCa)
                  .ok());
}

TEST(CaPolicyShapeTest, AcceptsIamArnPrincipalsAndArnLikeTemplates) {
  json principal{{"AWS", {"arn:aws:iam::555555555555:root", "arn:aws:iam::444455556666:role/r"}}};
  json arn_like{{"ArnLike", {{"acm-pca:TemplateArn", "arn:aws:acm-pca:::template/*"}}}};
  EXPECT_TRUE(
      CheckCaPolicyShape(Doc({ReadStatement(principal), IssueStatement(principal, arn_like)}), kCa)
          .ok());
}

TEST(CaPolicyShapeTest, AcceptsTheOrganizationExample) {
  json org{{"StringEquals", {{"aws:PrincipalOrgID", "o-a1b2c3d4z5"}}}};
  json read = ReadStatement("*");
  read["Condition"] = org;
  json issue_condition = EndEntityOnly();
  issue_condition["StringEquals"]["aws:PrincipalOrgID"] = "o-a1b2c3d4z5";
  EXPECT_TRUE(CheckCaPolicyShape(Doc({read, IssueStatement("*", issue_condition)}), kCa).ok());
}

TEST(CaPolicyShapeTest, RefusesEveryOtherShape) {
  json account{{"AWS", "555555555555"}};
  std::vector<std::pair<std::string, std::string>> cases;
  cases.push_back({"not json", "{"});
  cases.push_back({"not an object", "[]"});
  cases.push_back({"no statement", json{{"Version", "2012-10-17"}}.dump()});
  cases.push_back({"old version",
                   json{{"Version", "2008-10-17"}, {"Statement", ReadStatement(account)}}.dump()});
  cases.push_back({"wildcard without org", Doc({ReadStatement("*")})});
  cases.push_back({"AWS wildcard without org", Doc({ReadStatement(json{{"AWS", "*"}})})});
  cases.push_back({"issue without template", [&] {
                     json s = ReadStatement(account);
                     s["Action"] = "acm-pca:IssueCertificate";
                     return Doc({s});
                   }()});
  cases.push_back({"csr is not shareable", [&] {
                     json s = ReadStatement(account);
                     s["Action"] = {"acm-pca:GetCertificateAuthorityCsr"};
                     return Doc({s});
                   }()});
  cases.push_back({"wildcard action", [&] {
                     json s = ReadStatement(account);
                     s["Action"] = "acm-pca:*";
                     return Doc({s});
                   }()});
  cases.push_back({"other resource", [&] {
                     json s = ReadStatement(account);
                     s["Resource"] = "*";
                     return Doc({s});
                   }()});
  cases.push_back({"deny", [&] {
                     json s = ReadStatement(account);
                     s["Effect"] = "Deny";
                     return Doc({s});
                   }()});
  cases.push_back(
      {"service principal", Doc({ReadStatement(json{{"Service", "acm.amazonaws.com"}})})});
  cases.push_back({"malformed account", Doc({ReadStatement(json{{"AWS", "5555"}})})});
  cases.push_back({"NotAction", [&] {
                     json s = ReadStatement(account);
                     s["NotAction"] = s["Action"];
                     return Doc({s});
                   }()});
  cases.push_back({"foreign condition key", [&] {
                     json s = ReadStatement(account);
                     s["Condition"] = {{"IpAddress", {{"aws:SourceIp", "10.0.0.0/8"}}}};
                     return Doc({s});
                   }()});
  for (const auto& [name, doc] : cases) {
    EXPECT_EQ(CheckCaPolicyShape(doc, kCa).code(), ErrorCode::kInvalidPolicy) << name;
  }
}

TEST(CaPolicyShapeTest, AccountsNamedByAPolicy) {
  json doc{{"Statement",
            {ReadStatement(json{{"AWS", {"555555555555", "arn:aws:iam::444455556666:root"}}}),
             ReadStatement("*")}}};
  EXPECT_EQ(AccountsNamedBy(doc), (std::vector<std::string>{"555555555555", "444455556666"}));
}

}  // namespace
}  // namespace openpca::sharing

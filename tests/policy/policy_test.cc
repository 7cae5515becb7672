#include "policy/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "policy/policy_cache.h"

namespace openpca::policy {
namespace {

std::string AllowWithPadding(size_t actions, size_t spaces) {
  std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[)";
  for (size_t i = 0; i < actions; ++i) {
    if (i > 0) doc += ",";
    doc += "\"acm-pca:Action" + std::to_string(i) + "\"" + std::string(spaces, ' ');
  }
  return doc + R"(],"Resource":"*"}]})";
}

TEST(PolicyParseTest, OversizeIsLimitExceeded) {
  std::string doc = AllowWithPadding(600, 0);  // ~14,000 characters
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(doc, PolicyKind::kIdentity);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(p.status().message(), "Cannot exceed quota for PolicySize: 10240");
}

TEST(PolicyParseTest, WhitespaceNotCountedForIdentityPolicies) {
  std::string doc = AllowWithPadding(50, 200);  // ~11,000 bytes, ~1,000 without spaces
  EXPECT_GT(doc.size(), 10240u);
  EXPECT_TRUE(Policy::Parse(doc, PolicyKind::kIdentity).ok());
  // An SCP counts every character.
  Result<std::shared_ptr<const Policy>> scp = Policy::Parse(doc, PolicyKind::kServiceControl);
  ASSERT_FALSE(scp.ok());
  EXPECT_EQ(scp.status().code(), ErrorCode::kLimitExceeded);
}

TEST(PolicyParseTest, CallerLimit) {
  std::string doc = AllowWithPadding(150, 0);  // ~3,000 characters
  ParseOptions user_inline{.max_chars = 2048};
  EXPECT_EQ(Policy::Parse(doc, PolicyKind::kIdentity, user_inline).status().code(),
            ErrorCode::kLimitExceeded);
  EXPECT_TRUE(Policy::Parse(doc, PolicyKind::kIdentity).ok());
}

TEST(PolicyParseTest, KeepsDocumentAndStatementPositions) {
  const std::string doc =
      "{\n"
      "  \"Version\": \"2012-10-17\",\n"
      "  \"Statement\": [\n"
      "    {\"Sid\": \"One\", \"Effect\": \"Allow\", \"Action\": \"acm-pca:Get*\", "
      "\"Resource\": \"*\"},\n"
      "    {\n"
      "      \"Sid\": \"Two\", \"Effect\": \"Deny\", \"Action\": \"acm-pca:Delete*\",\n"
      "      \"Resource\": \"*\",\n"
      "      \"Condition\": {\"StringEquals\": {\"aws:ResourceTag/Env\": "
      "\"${aws:PrincipalTag/Env}\"}}\n"
      "    }\n"
      "  ]\n"
      "}\n";
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(doc, PolicyKind::kIdentity);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Policy& policy = **p;
  EXPECT_EQ(policy.document(), doc);
  EXPECT_EQ(policy.version(), "2012-10-17");
  ASSERT_EQ(policy.statements().size(), 2u);
  EXPECT_EQ(policy.statements()[0].sid, "One");
  EXPECT_EQ(policy.statements()[0].start.line, 4);
  EXPECT_EQ(policy.statements()[0].start.column, 5);
  EXPECT_EQ(policy.statements()[0].end.line, 4);
  EXPECT_EQ(policy.statements()[1].start.line, 5);
  EXPECT_EQ(policy.statements()[1].end.line, 9);
  EXPECT_EQ(policy.statements()[1].end.column, 5);
  EXPECT_FALSE(policy.statements()[1].allow);
  EXPECT_EQ(policy.condition_keys(),
            (std::vector<std::string>{"aws:ResourceTag/Env", "aws:PrincipalTag/Env"}));
}

TEST(PolicyParseTest, CompiledForms) {
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"ACM-PCA:Delete*",
          "NotResource":["arn:aws:acm-pca:*:*:certificate-authority/x"],
          "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b"]}}}})",
      PolicyKind::kIdentity);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Statement& st = (*p)->statements()[0];
  EXPECT_TRUE(st.not_action);
  EXPECT_TRUE(st.not_resource);
  EXPECT_FALSE(st.MatchesAction("acm-pca:deletepermission"));
  EXPECT_TRUE(st.MatchesAction("acm-pca:issuecertificate"));
  ASSERT_EQ(st.conditions.size(), 1u);
  EXPECT_EQ(st.conditions[0].set, SetOperator::kForAnyValue);
  EXPECT_TRUE(st.conditions[0].if_exists);
  EXPECT_EQ(st.conditions[0].family, ConditionFamily::kStringLike);
  EXPECT_EQ(st.conditions[0].values.size(), 2u);
}

TEST(PolicyParseTest, PrincipalForms) {
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*",
          "Resource":"*","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:root",
          "arn:aws:iam::333333333333:user/a/b","arn:aws:iam::333333333333:role/r",
          "arn:aws:sts::333333333333:assumed-role/r/s"],
          "Service":"acm.amazonaws.com","Federated":"cognito-identity.amazonaws.com"}}]})",
      PolicyKind::kResource);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const PrincipalSpec& spec = (*p)->statements()[0].principal;
  EXPECT_EQ(spec.accounts, (std::vector<std::string>{"111111111111", "222222222222"}));
  EXPECT_EQ(spec.arns.size(), 2u);
  EXPECT_EQ(spec.roles, std::vector<std::string>{"arn:aws:iam::333333333333:role/r"});
  EXPECT_EQ(spec.services, std::vector<std::string>{"acm.amazonaws.com"});
  EXPECT_EQ(spec.federated, std::vector<std::string>{"cognito-identity.amazonaws.com"});
  EXPECT_FALSE(spec.any);
}

TEST(PolicyCacheTest, ParsesOnceAndBounds) {
  PolicyCache cache(2);
  const std::string a =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*"}})";
  const std::string b =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:c","Resource":"*"}})";
  const std::string c =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:d","Resource":"*"}})";
  auto pa = cache.GetOrParse(a, PolicyKind::kIdentity);
  ASSERT_TRUE(pa.ok());
  auto pa2 = cache.GetOrParse(a, PolicyKind::kIdentity);
  ASSERT_TRUE(pa2.ok());
  EXPECT_EQ(pa->get(), pa2->get());
  // Same text, other kind: a different policy (and here a different verdict).
  EXPECT_FALSE(cache.GetOrParse(a, PolicyKind::kResource).ok());
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(cache.GetOrParse(b, PolicyKind::kIdentity).ok());
  ASSERT_TRUE(cache.GetOrParse(c, PolicyKind::kIdentity).ok());
  EXPECT_EQ(cache.size(), 2u);
  auto pa3 = cache.GetOrParse(a, PolicyKind::kIdentity);  // evicted first, parsed again
  ASSERT_TRUE(pa3.ok());
  EXPECT_NE(pa->get(), pa3->get());
  EXPECT_EQ((*pa3)->document(), a);
}

TEST(PolicyCacheTest, ConcurrentUse) {
  PolicyCache cache(16);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &failures] {
      for (int i = 0; i < 200; ++i) {
        std::string doc = R"({"Statement":{"Effect":"Allow","Action":"a:)" +
                          std::to_string(i % 40) + R"(","Resource":"*"}})";
        auto p = cache.GetOrParse(doc, PolicyKind::kIdentity);
        if (!p.ok() || (*p)->document() != doc) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(cache.size(), 16u);
}

}  // namespace
}  // namespace openpca::policy

#include "policy/evaluator.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace openpca::policy {
namespace {

constexpr char kCa[] =
    "arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/"
    "11111111-2222-3333-4444-555555555555";

std::shared_ptr<const Policy> P(const std::string& doc, PolicyKind kind = PolicyKind::kIdentity) {
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(doc, kind);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

RequestContext Alice(std::string action = "acm-pca:IssueCertificate", std::string res = kCa) {
  RequestContext r;
  r.action = std::move(action);
  r.resource = std::move(res);
  r.principal = {PrincipalType::kUser, "arn:aws:iam::111111111111:user/alice", "", "111111111111",
                 ""};
  return r;
}

const char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]})";
const char kDenyIssue[] =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},
        {"Sid":"NoIssue","Effect":"Deny","Action":"acm-pca:IssueCertificate","Resource":"*"}]})";

TEST(AccessDeniedMessageTest, NoIdentityPolicy) {
  RequestContext r = Alice();
  EvaluationResult res = Evaluate({}, r);
  EXPECT_EQ(res.decision, Decision::kImplicitDeny);
  EXPECT_EQ(AccessDeniedMessage(r, res),
            std::string("User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
                        "acm-pca:IssueCertificate on resource: ") +
                kCa +
                " because no identity-based policy allows the acm-pca:IssueCertificate action");
}

TEST(AccessDeniedMessageTest, ExplicitDenyIdentityListsOnlyTheDeny) {
  RequestContext r = Alice();
  EvaluationInput in;
  in.identity = {P(kDenyIssue)};
  EvaluationResult res = Evaluate(in, r);
  EXPECT_EQ(res.decision, Decision::kExplicitDeny);
  ASSERT_EQ(res.matched.size(), 1u);
  EXPECT_EQ(res.matched[0].statement().sid, "NoIssue");
  EXPECT_EQ(res.matched[0].source, PolicySource::kIdentity);
  EXPECT_EQ(res.matched[0].statement_index, 1u);
  EXPECT_EQ(AccessDeniedMessage(r, res),
            std::string("User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
                        "acm-pca:IssueCertificate on resource: ") +
                kCa + " with an explicit deny in an identity-based policy");
}

TEST(AccessDeniedMessageTest, CrossAccountSessionNoResourcePolicy) {
  RequestContext r;
  r.action = "acm-pca:IssueCertificate";
  r.resource = kCa;
  r.principal = {PrincipalType::kAssumedRole, "arn:aws:sts::222222222222:assumed-role/R/s",
                 "arn:aws:iam::222222222222:role/R", "222222222222", ""};
  EvaluationInput in;
  in.identity = {P(kAllowAll)};
  in.resource_account = "111111111111";
  EvaluationResult res = Evaluate(in, r);
  EXPECT_EQ(res.reason, Reason::kNoResourceAllow);
  EXPECT_EQ(AccessDeniedMessage(r, res),
            std::string("User: arn:aws:sts::222222222222:assumed-role/R/s is not authorized to "
                        "perform: acm-pca:IssueCertificate on resource: ") +
                kCa +
                " because no resource-based policy allows the acm-pca:IssueCertificate action");
}

TEST(AccessDeniedMessageTest, OtherShapes) {
  RequestContext r = Alice("acm-pca:ListCertificateAuthorities", "*");
  EvaluationResult res;
  res.decision = Decision::kExplicitDeny;
  const std::string head =
      "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
      "acm-pca:ListCertificateAuthorities ";
  res.reason = Reason::kExplicitDenyScp;
  EXPECT_EQ(AccessDeniedMessage(r, res),
            head + "with an explicit deny in a service control policy");
  res.reason = Reason::kExplicitDenyResource;
  EXPECT_EQ(AccessDeniedMessage(r, res), head + "with an explicit deny in a resource-based policy");
  res.reason = Reason::kExplicitDenyBoundary;
  EXPECT_EQ(AccessDeniedMessage(r, res), head + "with an explicit deny in a permissions boundary");
  res.reason = Reason::kExplicitDenySession;
  EXPECT_EQ(AccessDeniedMessage(r, res), head + "with an explicit deny in a session policy");
  res.decision = Decision::kImplicitDeny;
  res.reason = Reason::kNoScpAllow;
  EXPECT_EQ(AccessDeniedMessage(r, res), head +
                                             "because no service control policy allows the "
                                             "acm-pca:ListCertificateAuthorities action");
  res.reason = Reason::kNoBoundaryAllow;
  EXPECT_EQ(AccessDeniedMessage(r, res),
            head +
                "because no permissions boundary allows the acm-pca:ListCertificateAuthorities "
                "action");
  res.reason = Reason::kNoSessionAllow;
  EXPECT_EQ(AccessDeniedMessage(r, res),
            head +
                "because no session policy allows the acm-pca:ListCertificateAuthorities "
                "action");
  r.principal = {PrincipalType::kAnonymous, "", "", "", ""};
  res.reason = Reason::kNoResourceAllow;
  EXPECT_EQ(AccessDeniedMessage(r, res),
            "User: anonymous is not authorized to perform: acm-pca:ListCertificateAuthorities "
            "because no resource-based policy allows the acm-pca:ListCertificateAuthorities "
            "action");
}

TEST(EvaluateTest, DecisionDetailsForSimulation) {
  RequestContext r = Alice();
  EvaluationInput in;
  in.identity = {P(kAllowAll)};
  in.permissions_boundary = P(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":"acm-pca:Describe*","Resource":"*"}]})",
                              PolicyKind::kPermissionsBoundary);
  in.scp_levels = {{P(kAllowAll, PolicyKind::kServiceControl)}};
  EvaluationResult res = Evaluate(in, r);
  EXPECT_EQ(res.reason, Reason::kNoBoundaryAllow);
  ASSERT_TRUE(res.allowed_by_organizations.has_value());
  EXPECT_TRUE(*res.allowed_by_organizations);
  ASSERT_TRUE(res.allowed_by_permissions_boundary.has_value());
  EXPECT_FALSE(*res.allowed_by_permissions_boundary);
  EXPECT_TRUE(res.matched.empty());

  r.action = "acm-pca:DescribeCertificateAuthority";
  res = Evaluate(in, r);
  EXPECT_EQ(res.decision, Decision::kAllow);
  ASSERT_EQ(res.matched.size(), 1u);
  EXPECT_EQ(res.matched[0].statement().sid, "All");
}

TEST(EvaluateTest, AddPrincipalKeysFeedsVariables) {
  RequestContext r = Alice("s3:GetObject", "arn:aws:s3:::home/alice/a.txt");
  AddPrincipalKeys(r);
  ASSERT_NE(r.Get("aws:username"), nullptr);
  EXPECT_EQ(r.Get("AWS:UserName")->at(0), "alice");
  EXPECT_EQ(r.Get("aws:PrincipalArn")->at(0), "arn:aws:iam::111111111111:user/alice");
  EXPECT_EQ(r.Get("aws:PrincipalType")->at(0), "User");
  EvaluationInput in;
  in.identity = {P(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}/*"}]})")};
  EXPECT_EQ(Evaluate(in, r).decision, Decision::kAllow);
  r.resource = "arn:aws:s3:::home/bob/a.txt";
  EXPECT_EQ(Evaluate(in, r).decision, Decision::kImplicitDeny);

  RequestContext s;
  s.principal = {PrincipalType::kAssumedRole, "arn:aws:sts::1:assumed-role/R/s",
                 "arn:aws:iam::1:role/p/R", "111111111111", ""};
  AddPrincipalKeys(s);
  EXPECT_EQ(s.Get("aws:PrincipalArn")->at(0), "arn:aws:iam::1:role/p/R");
  EXPECT_EQ(s.Get("aws:username"), nullptr);
}

TEST(EvaluateTest, MissingContextKeys) {
  RequestContext r = Alice();
  r.Set("aws:sourceip", "10.0.0.1");
  EvaluationInput in;
  in.identity = {P(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",
      "Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
      "StringEquals":{"aws:ResourceTag/Team":"${aws:PrincipalTag/Team}"}}}]})")};
  in.resource = P(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
      "Action":"*","Resource":"*","Condition":{"StringEquals":{"AWS:PRINCIPALTAG/TEAM":"x",
      "aws:PrincipalOrgID":"o-1"}}}]})",
                  PolicyKind::kResource);
  EXPECT_EQ(MissingContextKeys(in, r),
            (std::vector<std::string>{"aws:ResourceTag/Team", "aws:PrincipalTag/Team",
                                      "aws:PrincipalOrgID"}));
}

// Policies are shared between threads; evaluation keeps its scratch space per thread.
TEST(EvaluateTest, ConcurrentEvaluationsAgree) {
  EvaluationInput in;
  in.identity = {P(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}/*",
      "Condition":{"StringLike":{"aws:ResourceTag/p":"${aws:PrincipalTag/p}-*"}}}]})")};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&in, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string user = "u" + std::to_string(t);
        RequestContext r = Alice("s3:GetObject", "arn:aws:s3:::home/" + user + "/f");
        r.Set("aws:username", user);
        r.Set("aws:PrincipalTag/p", user);
        const bool match = i % 2 == 0;
        r.Set("aws:ResourceTag/p", match ? user + "-x" : "other-x");
        Decision want = match ? Decision::kAllow : Decision::kImplicitDeny;
        if (Evaluate(in, r).decision != want) ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace openpca::policy

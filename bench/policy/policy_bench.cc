// Policy evaluation benchmark: a role session with 10 attached policies of 10 statements each
// (ABAC conditions: resource tag = principal tag variable, ArnLike on acm-pca:TemplateArn, IP and
// date conditions) plus a CA resource policy and a permissions boundary, evaluated for
// IssueCertificate. The granting statement sits in the last policy, so every statement is read.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "policy/evaluator.h"
#include "policy/policy.h"

namespace openpca::policy {
namespace {

constexpr char kCa[] =
    "arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/"
    "11111111-2222-3333-4444-555555555555";

std::shared_ptr<const Policy> MustParse(const std::string& doc, PolicyKind kind) {
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(doc, kind);
  if (!p.ok()) {
    std::cerr << "bad benchmark policy: " << p.status().ToString() << "\n" << doc << "\n";
    std::abort();
  }
  return *p;
}

// Policy `p` of 10: statements on various actions with ABAC conditions; policy 9 statement 9
// is the one that grants IssueCertificate.
std::string IdentityPolicy(int p) {
  static const char* kActions[] = {"acm-pca:DescribeCertificateAuthority",
                                   "acm-pca:Get*",
                                   "acm-pca:List*",
                                   "acm-pca:CreatePermission",
                                   "acm-pca:Tag*",
                                   "acm-pca:UpdateCertificateAuthority",
                                   "acm-pca:RevokeCertificate",
                                   "acm-pca:ImportCertificateAuthorityCertificate",
                                   "acm-pca:DeletePolicy",
                                   "acm-pca:IssueCertificate"};
  std::string doc = R"({"Version":"2012-10-17","Statement":[)";
  for (int s = 0; s < 10; ++s) {
    if (s > 0) doc += ",";
    // Only the last statement of the last policy names IssueCertificate.
    std::string action = (p == 9 && s == 9) ? "acm-pca:IssueCertificate" : kActions[s % 9];
    doc +=
        R"({"Sid":"P)" + std::to_string(p) + "S" + std::to_string(s) +
        R"(","Effect":"Allow","Action":[")" + action +
        R"("],"Resource":"arn:aws:acm-pca:*:111111111111:certificate-authority/*",)"
        R"("Condition":{"StringEquals":{"aws:ResourceTag/project":"${aws:PrincipalTag/project}"},)"
        R"("ArnLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntity*"},)"
        R"("IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},)"
        R"("DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}})";
  }
  return doc + "]}";
}

struct Fixture {
  EvaluationInput input;
  RequestContext request;

  Fixture() {
    for (int p = 0; p < 10; ++p) {
      input.identity.push_back(MustParse(IdentityPolicy(p), PolicyKind::kIdentity));
    }
    input.resource = MustParse(
        R"({"Version":"2012-10-17","Statement":[
          {"Sid":"1","Effect":"Allow","Principal":{"AWS":"222222222222"},
           "Action":["acm-pca:DescribeCertificateAuthority","acm-pca:GetCertificate",
                     "acm-pca:GetCertificateAuthorityCertificate","acm-pca:ListPermissions",
                     "acm-pca:ListTags"],"Resource":")" +
            std::string(kCa) + R"("},
          {"Sid":"1","Effect":"Allow","Principal":{"AWS":"222222222222"},
           "Action":"acm-pca:IssueCertificate","Resource":")" +
            std::string(kCa) + R"(",
           "Condition":{"StringEquals":{"acm-pca:TemplateArn":
             "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}}]})",
        PolicyKind::kResource);
    input.resource_account = "111111111111";
    input.permissions_boundary = MustParse(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*",
            "Resource":"*"},{"Effect":"Deny","Action":"acm-pca:Delete*","Resource":"*"}]})",
        PolicyKind::kPermissionsBoundary);
    request.action = "acm-pca:IssueCertificate";
    request.resource = kCa;
    request.principal = {PrincipalType::kAssumedRole,
                         "arn:aws:sts::111111111111:assumed-role/Issuer/session-1",
                         "arn:aws:iam::111111111111:role/Issuer", "111111111111", ""};
    AddPrincipalKeys(request);
    request.Set("aws:PrincipalTag/project", "blue");
    request.Set("aws:ResourceTag/project", "blue");
    request.Set("acm-pca:TemplateArn", "arn:aws:acm-pca:::template/EndEntityCertificate/V1");
    request.Set("aws:SourceIp", "10.1.2.3");
    request.Set("aws:CurrentTime", "2026-12-06T21:00:00Z");
    request.Set("aws:SecureTransport", "true");
    request.Set("aws:RequestedRegion", "us-east-1");
  }
};

void Run(benchmark::State& state, Fixture& f, Decision want) {
  if (Evaluate(f.input, f.request).decision != want) {
    state.SkipWithError("unexpected decision");
    return;
  }
  for (auto _ : state) {
    EvaluationResult r = Evaluate(f.input, f.request);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EvaluateAllow(benchmark::State& state) {
  Fixture f;
  Run(state, f, Decision::kAllow);
}
BENCHMARK(BM_EvaluateAllow)->Unit(benchmark::kMicrosecond);

// Every condition read, nothing grants: the tag does not match.
void BM_EvaluateImplicitDeny(benchmark::State& state) {
  Fixture f;
  f.request.Set("aws:ResourceTag/project", "red");
  Run(state, f, Decision::kImplicitDeny);
}
BENCHMARK(BM_EvaluateImplicitDeny)->Unit(benchmark::kMicrosecond);

void BM_EvaluateExplicitDeny(benchmark::State& state) {
  Fixture f;
  f.request.action = "acm-pca:DeletePolicy";
  Run(state, f, Decision::kExplicitDeny);
}
BENCHMARK(BM_EvaluateExplicitDeny)->Unit(benchmark::kMicrosecond);

// Cross-account caller through the CA resource policy (two-sided evaluation).
void BM_EvaluateCrossAccount(benchmark::State& state) {
  Fixture f;
  f.request.principal = {PrincipalType::kAssumedRole,
                         "arn:aws:sts::222222222222:assumed-role/Issuer/session-1",
                         "arn:aws:iam::222222222222:role/Issuer", "222222222222", ""};
  f.input.identity.back() = MustParse(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:IssueCertificate",
          "Resource":"*"}]})",
      PolicyKind::kIdentity);
  Run(state, f, Decision::kAllow);
}
BENCHMARK(BM_EvaluateCrossAccount)->Unit(benchmark::kMicrosecond);

// Parsing and compiling one of the 10-statement policies (what PolicyCache saves).
void BM_ParseIdentityPolicy(benchmark::State& state) {
  const std::string doc = IdentityPolicy(9);
  for (auto _ : state) {
    auto p = Policy::Parse(doc, PolicyKind::kIdentity);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_ParseIdentityPolicy)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace openpca::policy

BENCHMARK_MAIN();

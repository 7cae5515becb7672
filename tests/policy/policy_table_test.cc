// Table-driven policy tests: every row of testdata/evaluation_cases.json (see README.md there) is
// one test. The same rows can drive IAM's SimulatePrincipalPolicy end to end.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "policy/evaluator.h"
#include "policy/policy.h"
#include "policy/request_context.h"

namespace openpca::policy {
namespace {

using nlohmann::json;

constexpr char kAccountA[] = "111111111111";
constexpr char kDefaultCa[] =
    "arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/"
    "11111111-2222-3333-4444-555555555555";

const json& Table() {
  static const json table = [] {
    std::ifstream in(std::string(OPENPCA_POLICY_TESTDATA) + "/evaluation_cases.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str(), nullptr, false);
  }();
  return table;
}

std::vector<json> Rows(const char* section) {
  std::vector<json> rows;
  if (Table().is_object() && Table().contains(section)) {
    for (const json& r : Table()[section]) rows.push_back(r);
  }
  return rows;
}

std::string RowName(const testing::TestParamInfo<json>& info) {
  std::string n = info.param.value("name", "unnamed");
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

std::string DocumentText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

PolicyKind KindFromName(const std::string& name) {
  for (PolicyKind k :
       {PolicyKind::kIdentity, PolicyKind::kResource, PolicyKind::kTrust,
        PolicyKind::kServiceControl, PolicyKind::kPermissionsBoundary, PolicyKind::kSession}) {
    if (name == PolicyKindName(k)) return k;
  }
  ADD_FAILURE() << "unknown policy kind " << name;
  return PolicyKind::kIdentity;
}

PrincipalType TypeFromName(const std::string& name) {
  for (PrincipalType t :
       {PrincipalType::kAccount, PrincipalType::kUser, PrincipalType::kAssumedRole,
        PrincipalType::kFederatedUser, PrincipalType::kService, PrincipalType::kAnonymous}) {
    if (name == PrincipalTypeName(t)) return t;
  }
  ADD_FAILURE() << "unknown principal type " << name;
  return PrincipalType::kAnonymous;
}

std::shared_ptr<const Policy> MustParse(const json& v, PolicyKind kind) {
  Result<std::shared_ptr<const Policy>> p = Policy::Parse(DocumentText(v), kind);
  EXPECT_TRUE(p.ok()) << PolicyKindName(kind) << " policy rejected: " << p.status().ToString()
                      << "\n"
                      << DocumentText(v);
  return p.ok() ? *p : nullptr;
}

class EvaluationTableTest : public testing::TestWithParam<json> {};

TEST_P(EvaluationTableTest, Decides) {
  const json& row = GetParam();
  EvaluationInput input;
  const json identity = row.value("identity", json::array());
  for (const json& d : identity) {
    input.identity.push_back(MustParse(d, PolicyKind::kIdentity));
  }
  if (row.contains("resource_policy")) {
    input.resource =
        MustParse(row["resource_policy"], KindFromName(row.value("resource_kind", "resource")));
  }
  input.resource_account = row.value("resource_account", "");
  if (row.contains("permissions_boundary")) {
    input.permissions_boundary =
        MustParse(row["permissions_boundary"], PolicyKind::kPermissionsBoundary);
  }
  const json session = row.value("session_policies", json::array());
  for (const json& d : session) {
    input.session.push_back(MustParse(d, PolicyKind::kSession));
  }
  const json scp_levels = row.value("scp_levels", json::array());
  for (const json& level : scp_levels) {
    std::vector<std::shared_ptr<const Policy>> l;
    for (const json& d : level) l.push_back(MustParse(d, PolicyKind::kServiceControl));
    input.scp_levels.push_back(std::move(l));
  }

  RequestContext request;
  request.action = row.value("action", "acm-pca:IssueCertificate");
  request.resource = row.value("resource", kDefaultCa);
  json p = row.value("principal", json{{"type", "User"},
                                       {"arn", "arn:aws:iam::111111111111:user/alice"},
                                       {"account", kAccountA}});
  request.principal.type = TypeFromName(p.value("type", "Anonymous"));
  request.principal.arn = p.value("arn", "");
  request.principal.role_arn = p.value("role_arn", "");
  request.principal.account_id = p.value("account", "");
  request.principal.identity_provider = p.value("identity_provider", "");
  const json context = row.value("context", json::object());
  for (const auto& [key, value] : context.items()) {
    if (value.is_array()) {
      request.SetMulti(key, value.get<std::vector<std::string>>());
    } else {
      request.Set(key, value.get<std::string>());
    }
  }

  EvaluationResult result = Evaluate(input, request);
  EXPECT_EQ(DecisionName(result.decision), row.value("decision", "?"));
  if (row.contains("reason")) {
    EXPECT_EQ(ReasonName(result.reason), row["reason"].get<std::string>())
        << AccessDeniedMessage(request, result);
  }
  // An explicit deny lists only Deny statements; an allow lists only Allow statements.
  for (const MatchedStatement& m : result.matched) {
    EXPECT_EQ(m.statement().allow, result.decision == Decision::kAllow);
  }
  if (result.decision == Decision::kExplicitDeny) {
    EXPECT_FALSE(result.matched.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Table, EvaluationTableTest, testing::ValuesIn(Rows("evaluation")),
                         RowName);

class ParseTableTest : public testing::TestWithParam<json> {};

TEST_P(ParseTableTest, ParsesOrRejects) {
  const json& row = GetParam();
  Result<std::shared_ptr<const Policy>> p =
      Policy::Parse(DocumentText(row["document"]), KindFromName(row.value("kind", "identity")));
  if (row["error"].is_null()) {
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return;
  }
  ASSERT_FALSE(p.ok());
  const std::string error = row["error"].get<std::string>();
  if (error == "MalformedPolicyDocument") {
    EXPECT_EQ(p.status().code(), ErrorCode::kMalformedPolicyDocument) << p.status().ToString();
  } else if (error == "LimitExceeded") {
    EXPECT_EQ(p.status().code(), ErrorCode::kLimitExceeded) << p.status().ToString();
  } else {
    ADD_FAILURE() << "unknown error " << error;
  }
  if (row.contains("message")) {
    EXPECT_EQ(p.status().message(), row["message"].get<std::string>());
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ParseTableTest, testing::ValuesIn(Rows("parse")), RowName);

TEST(PolicyTableFileTest, Loads) {
  ASSERT_TRUE(Table().is_object()) << "testdata/evaluation_cases.json is missing or not JSON";
  EXPECT_GT(Rows("evaluation").size(), 200u);
  EXPECT_GT(Rows("parse").size(), 40u);
}

}  // namespace
}  // namespace openpca::policy

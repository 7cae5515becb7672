#include "services/sts/sts_operations.h"

#include <gtest/gtest.h>

#include "../../identity/identity_test_util.h"
#include "../service_test_util.h"
#include "services/iam/iam_operations.h"

namespace openpca::services::sts {
namespace {

#define EXPECT_RESULT_OK_HELPER(result) \
  do {                                  \
    auto _r = (result);                 \
    EXPECT_TRUE(_r.ok()) << _r.status().ToString(); \
  } while (0)

using identity::testing::kAccount;
using identity::testing::TestIdentity;
using nlohmann::json;

const char* kTrustAccount =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]})";
const char* kTrustNoTags =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]})";

// A stand-in for the policy engine: allows when the trust policy names the caller's account root
// or the caller's ARN and lists every requested action.
Status FakeTrust(const identity::TrustRequest& req, std::vector<identity::TrustRequest>* seen) {
  seen->push_back(req);
  json doc = json::parse(req.trust_policy);
  for (const auto& s : doc["Statement"]) {
    std::string principal = s["Principal"]["AWS"];
    bool names_caller = principal == req.caller.arn ||
                        principal == "arn:aws:iam::" + req.caller.account_id + ":root";
    json actions = s["Action"].is_array() ? s["Action"] : json::array({s["Action"]});
    bool all = true;
    for (const auto& a : req.actions) {
      all = all && std::find(actions.begin(), actions.end(), a) != actions.end();
    }
    if (names_caller && all) return Status::Ok();
  }
  return Status(ErrorCode::kAccessDenied, "denied");
}

class StsServiceTest : public ::testing::Test {
 protected:
  StsServiceTest()
      : iam_(iam::IamOperations(t_.identity(), {})), sts_(MakeSts()), untrusting_(NoTrust()) {
    admin_ = t_.AdminContext();
    auto r = iam_.Call(admin_, "CreateRole", {{"RoleName", "deploy"},
                                              {"AssumeRolePolicyDocument", kTrustAccount},
                                              {"MaxSessionDuration", 7200},
                                              {"Tags", {{{"Key", "team"}, {"Value", "red"}},
                                                        {{Key(), "keep"}, {"Value", "role"}}}}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    role_id_ = (*r)["Role"]["RoleId"];
  }
  static const char* Key() { return "Key"; }
  testing::Operations MakeSts() {
    identity::PolicyHooks hooks;
    hooks.check_trust = [this](const identity::TrustRequest& req) { return FakeTrust(req, &seen_); };
    return testing::Operations(StsOperations(t_.identity(), hooks));
  }
  testing::Operations NoTrust() { return testing::Operations(StsOperations(t_.identity(), {})); }

  Result<json> Assume(const api::CallContext& ctx, json input) {
    if (!input.contains("RoleArn")) input["RoleArn"] = "arn:aws:iam::111122223333:role/deploy";
    if (!input.contains("RoleSessionName")) input["RoleSessionName"] = "s1";
    return sts_.Call(ctx, "AssumeRole", input);
  }
  api::CallContext SessionContext(const json& out) {
    return t_.Context(out["Credentials"]["AccessKeyId"], out["Credentials"]["SessionToken"]);
  }

  TestIdentity t_;
  testing::Operations iam_;
  std::vector<identity::TrustRequest> seen_;
  testing::Operations sts_;
  testing::Operations untrusting_;
  api::CallContext admin_;
  std::string role_id_;
};

TEST_F(StsServiceTest, GetCallerIdentityOfAUser) {
  auto r = sts_.Call(admin_, "GetCallerIdentity", json::object());
  ASSERT_RESULT_OK(r);
  EXPECT_EQ((*r)["Account"], kAccount);
  EXPECT_EQ((*r)["Arn"], "arn:aws:iam::111122223333:user/admin");
  EXPECT_TRUE((*r)["UserId"].get<std::string>().starts_with("AIDA"));
}

TEST_F(StsServiceTest, GetCallerIdentityOfTheRoot) {
  std::string key_id;
  ASSERT_TRUE(t_.identity()
                  .Mutate([&](identity::Txn& txn) -> Status {
                    auto made = txn.identity().NewAccessKey(kAccount, "");
                    key_id = made->first.access_key_id;
                    txn.Put(made->first);
                    return Status::Ok();
                  })
                  .ok());
  auto r = sts_.Call(t_.Context(key_id), "GetCallerIdentity", json::object());
  ASSERT_RESULT_OK(r);
  EXPECT_EQ((*r)["UserId"], kAccount);
  EXPECT_EQ((*r)["Arn"], "arn:aws:iam::111122223333:root");
  // The root cannot assume roles.
  EXPECT_CODE(Assume(t_.Context(key_id), json::object()), kAccessDenied);
}

TEST_F(StsServiceTest, AssumeRoleIssuesWorkingSessionCredentials) {
  auto r = Assume(admin_, {{"ExternalId", "ext-123"}});
  ASSERT_RESULT_OK(r);
  const json& c = (*r)["Credentials"];
  std::string id = c["AccessKeyId"];
  EXPECT_TRUE(id.starts_with("ASIA"));
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(c["SecretAccessKey"].get<std::string>().size(), 40u);
  EXPECT_EQ(c["Expiration"], "2027-01-15T09:00:00Z");  // one hour by default
  EXPECT_EQ((*r)["AssumedRoleUser"]["AssumedRoleId"], role_id_ + ":s1");
  EXPECT_EQ((*r)["AssumedRoleUser"]["Arn"], "arn:aws:sts::111122223333:assumed-role/deploy/s1");
  EXPECT_FALSE(r->contains("PackedPolicySize"));
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].actions, std::vector<std::string>{"sts:AssumeRole"});
  EXPECT_NE(std::find(seen_[0].context.begin(), seen_[0].context.end(),
                      std::make_pair(std::string("sts:ExternalId"), std::string("ext-123"))),
            seen_[0].context.end());
  EXPECT_EQ(seen_[0].caller.arn, "arn:aws:iam::111122223333:user/admin");

  api::CallContext session = SessionContext(*r);
  auto who = sts_.Call(session, "GetCallerIdentity", json::object());
  ASSERT_RESULT_OK(who);
  EXPECT_EQ((*who)["UserId"], role_id_ + ":s1");
  EXPECT_EQ((*who)["Arn"], "arn:aws:sts::111122223333:assumed-role/deploy/s1");
  EXPECT_EQ(session.principal_type, api::PrincipalType::kAssumedRole);
  EXPECT_EQ(session.principal_name, "deploy");

  t_.clock().Advance(std::chrono::seconds(3600));
  EXPECT_CODE(sts_.Call(session, "GetCallerIdentity", json::object()), kExpiredToken);
}

TEST_F(StsServiceTest, RefusalsWithoutTrustOrRole) {
  EXPECT_CODE(untrusting_.Call(admin_, "AssumeRole",
                               {{"RoleArn", "arn:aws:iam::111122223333:role/deploy"},
                                {"RoleSessionName", "s1"}}),
              kAccessDenied);
  EXPECT_CODE(Assume(admin_, {{"RoleArn", "arn:aws:iam::111122223333:role/nope"}}), kAccessDenied);
  EXPECT_CODE(Assume(admin_, {{"RoleArn", "arn:aws:iam::111122223333:role/other/deploy"}}),
              kAccessDenied);
  EXPECT_CODE(Assume(admin_, {{"RoleSessionName", "bad name"}}), kValidation);
  EXPECT_CODE(Assume(admin_, {{"RoleSessionName", "x"}}), kValidation);
  EXPECT_CODE(Assume(admin_, {{"RoleArn", "arn:aws:iam::111122223333:user/admin"}}), kValidation);
  EXPECT_CODE(Assume(admin_, {{"DurationSeconds", 899}}), kValidation);
  EXPECT_CODE(Assume(admin_, {{"DurationSeconds", 7201}}), kValidation);  // role max 7200
  EXPECT_CODE(Assume(admin_, {{"SerialNumber", "arn:aws:iam::111122223333:mfa/x"},
                              {"TokenCode", "123456"}}),
              kAccessDenied);
  auto ok = Assume(admin_, {{"DurationSeconds", 7200}});
  ASSERT_RESULT_OK(ok);
  EXPECT_EQ((*ok)["Credentials"]["Expiration"], "2027-01-15T10:00:00Z");
}

TEST_F(StsServiceTest, SessionPoliciesAreValidatedAndCarried) {
  EXPECT_CODE(Assume(admin_, {{"Policy", "{nope"}}), kMalformedPolicyDocument);
  EXPECT_CODE(Assume(admin_, {{"PolicyArns", {{{"arn", "arn:aws:iam::111122223333:policy/none"}}}}}),
              kMalformedPolicyDocument);
  std::string big = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" +
                    std::string(2100, 'a') + R"(","Resource":"*"}]})";
  EXPECT_CODE(Assume(admin_, {{"Policy", big}}), kPackedPolicyTooLarge);
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:Get*","Resource":"*"}]})";
  auto r = Assume(admin_, {{"Policy", policy},
                           {"PolicyArns", {{{"arn", "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"}}}}});
  ASSERT_RESULT_OK(r);
  EXPECT_GT((*r)["PackedPolicySize"].get<int64_t>(), 0);
  auto cred = t_.identity().ResolveCredential((*r)["Credentials"]["AccessKeyId"].get<std::string>(),
                                              (*r)["Credentials"]["SessionToken"].get<std::string>());
  ASSERT_RESULT_OK(cred);
  ASSERT_EQ(cred->principal.session_policies.size(), 2u);
  EXPECT_EQ(cred->principal.session_policies[0], policy);
  auto pp = t_.identity().PoliciesOf(cred->principal);
  ASSERT_RESULT_OK(pp);
  EXPECT_EQ(pp->session_policies.size(), 2u);
}

TEST_F(StsServiceTest, SessionTagsOverrideRoleTagsAndNeedTagSession) {
  auto r = Assume(admin_, {{"Tags", {{{"Key", "team"}, {"Value", "blue"}}}},
                           {"TransitiveTagKeys", {"team"}}});
  ASSERT_RESULT_OK(r);
  EXPECT_EQ(seen_.back().actions, (std::vector<std::string>{"sts:AssumeRole", "sts:TagSession"}));
  auto cred = t_.identity().ResolveCredential((*r)["Credentials"]["AccessKeyId"].get<std::string>(),
                                              (*r)["Credentials"]["SessionToken"].get<std::string>());
  ASSERT_RESULT_OK(cred);
  std::map<std::string, std::string> tags(cred->principal.principal_tags.begin(),
                                          cred->principal.principal_tags.end());
  EXPECT_EQ(tags["team"], "blue");
  EXPECT_EQ(tags["keep"], "role");
  EXPECT_TRUE(r->contains("PackedPolicySize"));

  EXPECT_CODE(Assume(admin_, {{"Tags", {{{"Key", "a"}, {"Value", "1"}}}},
                              {"TransitiveTagKeys", {"b"}}}),
              kValidation);
  // A trust policy without sts:TagSession refuses tagged sessions only.
  ASSERT_RESULT_OK(iam_.Call(admin_, "CreateRole", {{"RoleName", "plain"},
                                                    {"AssumeRolePolicyDocument", kTrustNoTags}}));
  const std::string plain = "arn:aws:iam::111122223333:role/plain";
  EXPECT_CODE(Assume(admin_, {{"RoleArn", plain}, {"Tags", {{{"Key", "a"}, {"Value", "1"}}}}}),
              kAccessDenied);
  EXPECT_RESULT_OK_HELPER(Assume(admin_, {{"RoleArn", plain}}));
  EXPECT_CODE(Assume(admin_, {{"Tags", {{{"Key", "a"}, {"Value", "1"}}, {{"Key", "A"}, {"Value", "2"}}}}}),
              kValidation);
}

TEST_F(StsServiceTest, RoleChainingKeepsTransitiveTagsAndSourceIdentityAndCapsDuration) {
  auto first = Assume(admin_, {{"Tags", {{{"Key", "team"}, {"Value", "blue"}}}},
                               {"TransitiveTagKeys", {"team"}},
                               {"SourceIdentity", "alice"}});
  ASSERT_RESULT_OK(first);
  EXPECT_EQ((*first)["SourceIdentity"], "alice");
  api::CallContext session = SessionContext(*first);
  // The role trusts its own account root, which covers its sessions in this fake.
  EXPECT_CODE(Assume(session, {{"RoleSessionName", "s2"}, {"DurationSeconds", 3601}}), kValidation);
  EXPECT_CODE(Assume(session, {{"RoleSessionName", "s2"}, {"SourceIdentity", "mallory"}}),
              kAccessDenied);
  EXPECT_CODE(Assume(session, {{"RoleSessionName", "s2"},
                               {"Tags", {{{"Key", "team"}, {"Value", "red"}}}}}),
              kValidation);
  auto second = Assume(session, {{"RoleSessionName", "s2"}, {"DurationSeconds", 3600}});
  ASSERT_RESULT_OK(second);
  EXPECT_EQ((*second)["SourceIdentity"], "alice");
  auto cred = t_.identity().ResolveCredential(
      (*second)["Credentials"]["AccessKeyId"].get<std::string>(),
      (*second)["Credentials"]["SessionToken"].get<std::string>());
  ASSERT_RESULT_OK(cred);
  EXPECT_EQ(cred->principal.chain_depth, 2);
  EXPECT_EQ(cred->principal.chain_origin_arn, "arn:aws:iam::111122223333:user/admin");
  EXPECT_EQ(cred->principal.session_tags,
            (identity::TagList{{"team", "blue"}}));
  EXPECT_EQ(cred->principal.source_identity, "alice");
}

TEST_F(StsServiceTest, GetSessionTokenForUsersAndRoot) {
  auto r = sts_.Call(admin_, "GetSessionToken", json::object());
  ASSERT_RESULT_OK(r);
  EXPECT_EQ((*r)["Credentials"]["Expiration"], "2027-01-15T20:00:00Z");  // 12 h default
  api::CallContext session = SessionContext(*r);
  EXPECT_EQ(session.principal_type, api::PrincipalType::kUser);
  EXPECT_EQ(session.principal_name, "admin");
  auto who = sts_.Call(session, "GetCallerIdentity", json::object());
  EXPECT_EQ((*who)["Arn"], "arn:aws:iam::111122223333:user/admin");
  EXPECT_CODE(sts_.Call(session, "GetSessionToken", json::object()), kAccessDenied);
  EXPECT_CODE(sts_.Call(admin_, "GetSessionToken", {{"DurationSeconds", 899}}), kValidation);
  EXPECT_CODE(sts_.Call(admin_, "GetSessionToken", {{"DurationSeconds", 129601}}), kValidation);
  // A user's session has the user's policies.
  auto cred = t_.identity().ResolveCredential(session.access_key_id, session.session_token);
  auto pp = t_.identity().PoliciesOf(cred->principal);
  ASSERT_RESULT_OK(pp);
  EXPECT_EQ(pp->identity_policies.size(), 1u);

  std::string root_key;
  ASSERT_TRUE(t_.identity()
                  .Mutate([&](identity::Txn& txn) -> Status {
                    auto made = txn.identity().NewAccessKey(kAccount, "");
                    root_key = made->first.access_key_id;
                    txn.Put(made->first);
                    return Status::Ok();
                  })
                  .ok());
  auto root = sts_.Call(t_.Context(root_key), "GetSessionToken", {{"DurationSeconds", 7200}});
  ASSERT_RESULT_OK(root);
  EXPECT_EQ((*root)["Credentials"]["Expiration"], "2027-01-15T09:00:00Z");  // capped at 1 h
}

}  // namespace
}  // namespace openpca::services::sts

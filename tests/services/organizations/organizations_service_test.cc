#include "services/organizations/organizations_operations.h"

#include <gtest/gtest.h>

#include "../../identity/identity_test_util.h"
#include "../service_test_util.h"

namespace openpca::services::organizations {
namespace {

using identity::testing::kAccount;
using identity::testing::TestIdentity;
using nlohmann::json;

const char* kDenyScp =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"acm-pca:DeleteCertificateAuthority","Resource":"*"}]})";

class OrganizationsServiceTest : public ::testing::Test {
 protected:
  OrganizationsServiceTest() : ops_(OrganizationsOperations(t_.identity(), {})) {
    ctx_ = t_.AdminContext();
  }
  Result<json> Call(const std::string& op, const json& input) { return ops_.Call(ctx_, op, input); }
  json Must(const std::string& op, const json& input) {
    auto r = Call(op, input);
    EXPECT_TRUE(r.ok()) << op << ": " << r.status().ToString();
    return r.ok() ? *r : json::object();
  }
  uint64_t Version() { return t_.identity().Snapshot()->version; }
  // Creates the organization and one member account; returns the member's id.
  std::string OrgWithMember() {
    Must("CreateOrganization", json::object());
    json status = Must("CreateAccount", {{"Email", "m@example.com"}, {"AccountName", "member"}});
    json done = Must("DescribeCreateAccountStatus",
                     {{"CreateAccountRequestId", status["CreateAccountStatus"]["Id"]}});
    return done["CreateAccountStatus"]["AccountId"];
  }

  TestIdentity t_;
  testing::Operations ops_;
  api::CallContext ctx_;
};

TEST_F(OrganizationsServiceTest, WithoutAnOrganizationCallsSayNotInUse) {
  EXPECT_CODE(Call("DescribeOrganization", json::object()), kOrganizationsNotInUse);
  EXPECT_CODE(Call("ListRoots", json::object()), kOrganizationsNotInUse);
  EXPECT_CODE(Call("CreateAccount", {{"Email", "a@b.co"}, {"AccountName", "x"}}),
              kOrganizationsNotInUse);
  auto r = t_.identity().OrgOf(kAccount);
  ASSERT_RESULT_OK(r);
  EXPECT_FALSE(r->has_value());
}

TEST_F(OrganizationsServiceTest, CreateOrganizationMakesTheCallerManagementWithScps) {
  json org = Must("CreateOrganization", json::object())["Organization"];
  std::string id = org["Id"];
  EXPECT_TRUE(id.starts_with("o-"));
  EXPECT_EQ(id.size(), 12u);
  EXPECT_EQ(org["FeatureSet"], "ALL");
  EXPECT_EQ(org["MasterAccountId"], kAccount);
  EXPECT_EQ(org["Arn"], "arn:aws:organizations::111122223333:organization/" + id);
  uint64_t v = Version();
  EXPECT_CODE(Call("CreateOrganization", json::object()), kAlreadyInOrganization);
  EXPECT_EQ(Version(), v);

  json roots = Must("ListRoots", json::object())["Roots"];
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0]["PolicyTypes"],
            json::parse(R"([{"Type":"SERVICE_CONTROL_POLICY","Status":"ENABLED"}])"));
  std::string root = roots[0]["Id"];
  EXPECT_CODE(Call("EnablePolicyType", {{"RootId", root}, {"PolicyType", "SERVICE_CONTROL_POLICY"}}),
              kPolicyTypeAlreadyEnabled);
  json for_root = Must("ListPoliciesForTarget",
                       {{"TargetId", root}, {"Filter", "SERVICE_CONTROL_POLICY"}})["Policies"];
  ASSERT_EQ(for_root.size(), 1u);
  EXPECT_EQ(for_root[0]["Id"], kFullAwsAccessId);
  EXPECT_EQ(for_root[0]["AwsManaged"], true);

  auto ctx = t_.identity().OrgOf(kAccount);
  ASSERT_TRUE(ctx.ok() && ctx->has_value());
  EXPECT_TRUE((*ctx)->is_management_account);
  EXPECT_EQ((*ctx)->org_paths, std::vector<std::string>{id + "/" + root + "/"});
}

TEST_F(OrganizationsServiceTest, ConsolidatedBillingEnablesNoPolicyType) {
  json org = Must("CreateOrganization", {{"FeatureSet", "CONSOLIDATED_BILLING"}})["Organization"];
  EXPECT_TRUE(org["AvailablePolicyTypes"].empty());
  EXPECT_CODE(Call("CreatePolicy", {{"Content", kDenyScp}, {"Description", "d"}, {"Name", "n"},
                                    {"Type", "SERVICE_CONTROL_POLICY"}}),
              kPolicyTypeNotAvailableForOrganization);
}

TEST_F(OrganizationsServiceTest, CreateAccountIsPolledToSuccessAndGetsTheAccessRole) {
  Must("CreateOrganization", json::object());
  json status = Must("CreateAccount", {{"Email", "dev@example.com"}, {"AccountName", "dev"}})
                    ["CreateAccountStatus"];
  EXPECT_EQ(status["State"], "IN_PROGRESS");
  EXPECT_TRUE(status["Id"].get<std::string>().starts_with("car-"));
  EXPECT_FALSE(status.contains("AccountId"));
  json done = Must("DescribeCreateAccountStatus", {{"CreateAccountRequestId", status["Id"]}})
                  ["CreateAccountStatus"];
  EXPECT_EQ(done["State"], "SUCCEEDED");
  std::string account = done["AccountId"];
  EXPECT_EQ(account.size(), 12u);
  EXPECT_NE(account, kAccount);

  json described = Must("DescribeAccount", {{"AccountId", account}})["Account"];
  EXPECT_EQ(described["Email"], "dev@example.com");
  EXPECT_EQ(described["JoinedMethod"], "CREATED");
  EXPECT_EQ(described["Status"], "ACTIVE");
  EXPECT_EQ(Must("ListAccounts", json::object())["Accounts"].size(), 2u);
  EXPECT_CODE(Call("DescribeAccount", {{"AccountId", "000000000000"}}), kAccountNotFound);
  EXPECT_CODE(Call("DescribeCreateAccountStatus", {{"CreateAccountRequestId", "car-nope0000"}}),
              kCreateAccountStatusNotFound);

  // The member account's administration role trusts the management account.
  auto s = t_.identity().Snapshot();
  const store::IamRoleRecord* role = s->Role(account, "OrganizationAccountAccessRole");
  ASSERT_NE(role, nullptr);
  EXPECT_NE(role->trust_policy.find("arn:aws:iam::111122223333:root"), std::string::npos);
  identity::Principal p;
  p.type = identity::PrincipalType::kAssumedRole;
  p.account_id = account;
  p.name = "OrganizationAccountAccessRole";
  auto pp = t_.identity().PoliciesOf(p);
  ASSERT_RESULT_OK(pp);
  ASSERT_EQ(pp->identity_policies.size(), 1u);
  EXPECT_EQ(pp->identity_policies[0].name, "AdministratorAccess");

  // The same email again fails asynchronously.
  json again = Must("CreateAccount", {{"Email", "DEV@example.com"}, {"AccountName", "dup"}})
                   ["CreateAccountStatus"];
  json failed = Must("DescribeCreateAccountStatus", {{"CreateAccountRequestId", again["Id"]}})
                    ["CreateAccountStatus"];
  EXPECT_EQ(failed["State"], "FAILED");
  EXPECT_EQ(failed["FailureReason"], "EMAIL_ALREADY_EXISTS");
  EXPECT_EQ(Must("ListAccounts", json::object())["Accounts"].size(), 2u);
  json listed = Must("ListCreateAccountStatus", {{"States", {"FAILED"}}})["CreateAccountStatuses"];
  EXPECT_EQ(listed.size(), 1u);

  uint64_t v = Version();
  EXPECT_CODE(Call("CreateAccount", {{"Email", "not-an-email"}, {"AccountName", "x"}}),
              kInvalidInput);
  EXPECT_EQ(Version(), v);
}

TEST_F(OrganizationsServiceTest, MembersSeeTheOrganizationButCannotManageIt) {
  std::string member = OrgWithMember();
  api::CallContext member_ctx = ctx_;
  member_ctx.account_id = member;
  auto described = ops_.Call(member_ctx, "DescribeOrganization", json::object());
  ASSERT_RESULT_OK(described);
  EXPECT_EQ((*described)["Organization"]["MasterAccountId"], kAccount);
  EXPECT_CODE(ops_.Call(member_ctx, "CreateAccount", {{"Email", "x@y.io"}, {"AccountName", "x"}}),
              kAccessDenied);
  EXPECT_CODE(ops_.Call(member_ctx, "CreateOrganization", json::object()), kAlreadyInOrganization);
}

TEST_F(OrganizationsServiceTest, ScpsAttachDetachAndReachOrgContext) {
  std::string member = OrgWithMember();
  std::string root = Must("ListRoots", json::object())["Roots"][0]["Id"];
  json ou = Must("CreateOrganizationalUnit", {{"ParentId", root}, {"Name", "eng"}})
                ["OrganizationalUnit"];
  std::string ou_id = ou["Id"];
  EXPECT_TRUE(ou_id.starts_with("ou-" + root.substr(2) + "-"));
  EXPECT_CODE(Call("CreateOrganizationalUnit", {{"ParentId", root}, {"Name", "eng"}}),
              kDuplicateOrganizationalUnit);
  EXPECT_CODE(Call("CreateOrganizationalUnit", {{"ParentId", "ou-zzzz-zzzzzzzz"}, {"Name", "x"}}),
              kParentNotFound);
  Must("MoveAccount", {{"AccountId", member}, {"SourceParentId", root}, {"DestinationParentId", ou_id}});

  EXPECT_CODE(Call("CreatePolicy", {{"Content", "{bad"}, {"Description", "d"}, {"Name", "deny"},
                                    {"Type", "SERVICE_CONTROL_POLICY"}}),
              kMalformedPolicyDocument);
  json policy = Must("CreatePolicy", {{"Content", kDenyScp}, {"Description", "no deletes"},
                                      {"Name", "deny"}, {"Type", "SERVICE_CONTROL_POLICY"}})
                    ["Policy"];
  std::string pid = policy["PolicySummary"]["Id"];
  EXPECT_TRUE(pid.starts_with("p-"));
  EXPECT_EQ(policy["Content"], kDenyScp);
  EXPECT_CODE(Call("CreatePolicy", {{"Content", kDenyScp}, {"Description", "d"}, {"Name", "deny"},
                                    {"Type", "SERVICE_CONTROL_POLICY"}}),
              kDuplicatePolicy);
  EXPECT_CODE(Call("CreatePolicy", {{"Content", std::string(5121, ' ')}, {"Description", "d"},
                                    {"Name", "big"}, {"Type", "SERVICE_CONTROL_POLICY"}}),
              kConstraintViolation);

  EXPECT_CODE(Call("AttachPolicy", {{"PolicyId", "p-zzzzzzzz"}, {"TargetId", ou_id}}),
              kPolicyNotFound);
  EXPECT_CODE(Call("AttachPolicy", {{"PolicyId", pid}, {"TargetId", "999999999999"}}),
              kTargetNotFound);
  Must("AttachPolicy", {{"PolicyId", pid}, {"TargetId", ou_id}});
  uint64_t v = Version();
  EXPECT_CODE(Call("AttachPolicy", {{"PolicyId", pid}, {"TargetId", ou_id}}),
              kDuplicatePolicyAttachment);
  EXPECT_EQ(Version(), v);

  auto ctx = t_.identity().OrgOf(member);
  ASSERT_TRUE(ctx.ok() && ctx->has_value());
  const identity::OrgContext& org = **ctx;
  EXPECT_FALSE(org.is_management_account);
  EXPECT_TRUE(org.scps_enabled);
  EXPECT_EQ(org.org_paths[0], org.org_id + "/" + root + "/" + ou_id + "/");
  ASSERT_EQ(org.scp_levels.size(), 3u);
  EXPECT_EQ(org.scp_levels[1].size(), 2u);  // FullAWSAccess + deny on the OU
  EXPECT_EQ(org.scp_levels[2].size(), 1u);  // FullAWSAccess on the account

  EXPECT_CODE(Call("DeletePolicy", {{"PolicyId", pid}}), kPolicyInUse);
  EXPECT_CODE(Call("DetachPolicy", {{"PolicyId", kFullAwsAccessId}, {"TargetId", member}}),
              kConstraintViolation);  // the last SCP of the account
  Must("DetachPolicy", {{"PolicyId", pid}, {"TargetId", ou_id}});
  EXPECT_CODE(Call("DetachPolicy", {{"PolicyId", pid}, {"TargetId", ou_id}}), kPolicyNotAttached);
  EXPECT_EQ(Must("ListTargetsForPolicy", {{"PolicyId", kFullAwsAccessId}})["Targets"].size(), 4u);
  Must("DeletePolicy", {{"PolicyId", pid}});
  EXPECT_CODE(Call("DescribePolicy", {{"PolicyId", pid}}), kPolicyNotFound);
  EXPECT_CODE(Call("DeletePolicy", {{"PolicyId", kFullAwsAccessId}}), kAccessDenied);

  // Disabling SCPs detaches them all; attaching then needs the type enabled again.
  Must("DisablePolicyType", {{"RootId", root}, {"PolicyType", "SERVICE_CONTROL_POLICY"}});
  EXPECT_CODE(Call("AttachPolicy", {{"PolicyId", kFullAwsAccessId}, {"TargetId", ou_id}}),
              kPolicyTypeNotEnabled);
  EXPECT_FALSE((*t_.identity().OrgOf(member))->scps_enabled);
  Must("EnablePolicyType", {{"RootId", root}, {"PolicyType", "SERVICE_CONTROL_POLICY"}});
  EXPECT_EQ(Must("ListTargetsForPolicy", {{"PolicyId", kFullAwsAccessId}})["Targets"].size(), 4u);
  EXPECT_CODE(Call("EnablePolicyType", {{"RootId", "r-zzzz"}, {"PolicyType", "SERVICE_CONTROL_POLICY"}}),
              kRootNotFound);
}

}  // namespace
}  // namespace openpca::services::organizations

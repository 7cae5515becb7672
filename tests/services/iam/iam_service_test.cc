#include "services/iam/iam_operations.h"

#include <gtest/gtest.h>

#include "../../identity/identity_test_util.h"
#include "identity/names.h"
#include "../service_test_util.h"

namespace openpca::services::iam {
namespace {

using identity::testing::kAccount;
using identity::testing::TestIdentity;
using nlohmann::json;

const char* kDoc =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}]})";
const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]})";

class IamServiceTest : public ::testing::Test {
 protected:
  IamServiceTest() : ops_(IamOperations(t_.identity(), identity::PolicyHooks{})) {
    ctx_ = t_.AdminContext();
  }
  Result<json> Call(const std::string& op, const json& input) { return ops_.Call(ctx_, op, input); }
  void Ok(const std::string& op, const json& input) {
    auto r = Call(op, input);
    ASSERT_TRUE(r.ok()) << op << ": " << r.status().ToString();
  }
  uint64_t Version() { return t_.identity().Snapshot()->version; }
  size_t Users() { return t_.identity().Snapshot()->T<store::IamUserRecord>().size(); }

  TestIdentity t_;
  testing::Operations ops_;
  api::CallContext ctx_;
};

TEST_F(IamServiceTest, TableHasEveryOperation) {
  for (const char* name : {"CreateUser", "GetUser", "ListUsers", "DeleteUser", "TagUser",
                           "UntagUser", "ListUserTags", "CreateAccessKey", "ListAccessKeys",
                           "DeleteAccessKey", "UpdateAccessKey", "CreateGroup", "GetGroup",
                           "AddUserToGroup", "RemoveUserFromGroup", "ListGroupsForUser",
                           "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy",
                           "ListUserPolicies", "PutGroupPolicy", "PutRolePolicy", "GetRolePolicy",
                           "DeleteRolePolicy", "CreateRole", "GetRole", "DeleteRole", "TagRole",
                           "UntagRole", "ListRoleTags", "ListRoles", "UpdateRole",
                           "UpdateAssumeRolePolicy", "CreatePolicy", "GetPolicy",
                           "GetPolicyVersion", "DeletePolicy", "CreatePolicyVersion",
                           "ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion",
                           "ListPolicies", "AttachUserPolicy", "AttachGroupPolicy",
                           "AttachRolePolicy", "DetachUserPolicy", "DetachGroupPolicy",
                           "DetachRolePolicy", "ListAttachedUserPolicies",
                           "ListAttachedGroupPolicies", "ListAttachedRolePolicies",
                           "ListEntitiesForPolicy", "PutUserPermissionsBoundary",
                           "DeleteUserPermissionsBoundary", "PutRolePermissionsBoundary",
                           "DeleteRolePermissionsBoundary", "GetAccountSummary",
                           "SimulatePrincipalPolicy"}) {
    EXPECT_TRUE(ops_.Has(name)) << name;
  }
}

TEST_F(IamServiceTest, CreateUserReturnsTheModelShape) {
  auto r = Call("CreateUser", {{"UserName", "alice"},
                               {"Path", "/eng/"},
                               {"Tags", {{{"Key", "team"}, {"Value", "blue"}}}}});
  ASSERT_RESULT_OK(r);
  const json& u = (*r)["User"];
  EXPECT_EQ(u["UserName"], "alice");
  EXPECT_EQ(u["Path"], "/eng/");
  EXPECT_EQ(u["Arn"], "arn:aws:iam::111122223333:user/eng/alice");
  std::string id = u["UserId"];
  EXPECT_TRUE(id.starts_with("AIDA"));
  EXPECT_EQ(id.size(), 21u);
  EXPECT_EQ(u["CreateDate"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(u["Tags"], json::parse(R"([{"Key":"team","Value":"blue"}])"));
  auto got = Call("GetUser", {{"UserName", "ALICE"}});
  ASSERT_RESULT_OK(got);
  EXPECT_EQ((*got)["User"]["UserId"], id);
}

TEST_F(IamServiceTest, CreateUserRejectionsChangeNothing) {
  Ok("CreateUser", {{"UserName", "alice"}});
  size_t users = Users();
  uint64_t v = Version();
  EXPECT_CODE(Call("CreateUser", {{"UserName", "Alice"}}), kEntityAlreadyExists);
  EXPECT_CODE(Call("CreateUser", {{"UserName", "a b"}}), kValidation);
  EXPECT_CODE(Call("CreateUser", {{"UserName", std::string(65, 'x')}}), kValidation);
  EXPECT_CODE(Call("CreateUser", {{"UserName", "bob"}, {"Path", "eng"}}), kValidation);
  EXPECT_CODE(Call("CreateUser", {{"UserName", "bob"},
                                  {"PermissionsBoundary", "arn:aws:iam::111122223333:policy/nope"}}),
              kNoSuchEntity);
  EXPECT_CODE(Call("CreateUser", {{"UserName", "bob"}, {"PermissionsBoundary", "not-an-arn-at-all-x"}}),
              kInvalidInput);
  EXPECT_CODE(Call("CreateUser", {{"UserName", "bob"},
                                  {"Tags", {{{"Key", "k"}, {"Value", "1"}},
                                            {{"Key", "K"}, {"Value", "2"}}}}}),
              kInvalidInput);
  EXPECT_EQ(Users(), users);
  EXPECT_EQ(Version(), v);
}

TEST_F(IamServiceTest, GetUserWithoutNameIsTheCaller) {
  auto r = Call("GetUser", json::object());
  ASSERT_RESULT_OK(r);
  EXPECT_EQ((*r)["User"]["UserName"], "admin");
  EXPECT_CODE(Call("GetUser", {{"UserName", "ghost"}}), kNoSuchEntity);
}

TEST_F(IamServiceTest, DeleteUserNeedsKeysPoliciesAndGroupsGoneFirst) {
  Ok("CreateUser", {{"UserName", "bob"}});
  auto key = Call("CreateAccessKey", {{"UserName", "bob"}});
  ASSERT_RESULT_OK(key);
  std::string key_id = (*key)["AccessKey"]["AccessKeyId"];
  uint64_t v = Version();
  EXPECT_CODE(Call("DeleteUser", {{"UserName", "bob"}}), kDeleteConflict);
  EXPECT_EQ(Version(), v);
  Ok("DeleteAccessKey", {{"UserName", "bob"}, {"AccessKeyId", key_id}});

  Ok("PutUserPolicy", {{"UserName", "bob"}, {"PolicyName", "p"}, {"PolicyDocument", kDoc}});
  EXPECT_CODE(Call("DeleteUser", {{"UserName", "bob"}}), kDeleteConflict);
  Ok("DeleteUserPolicy", {{"UserName", "bob"}, {"PolicyName", "p"}});

  Ok("AttachUserPolicy",
     {{"UserName", "bob"}, {"PolicyArn", "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"}});
  EXPECT_CODE(Call("DeleteUser", {{"UserName", "bob"}}), kDeleteConflict);
  Ok("DetachUserPolicy",
     {{"UserName", "bob"}, {"PolicyArn", "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"}});

  Ok("CreateGroup", {{"GroupName", "g"}});
  Ok("AddUserToGroup", {{"GroupName", "g"}, {"UserName", "bob"}});
  EXPECT_CODE(Call("DeleteUser", {{"UserName", "bob"}}), kDeleteConflict);
  EXPECT_NE(t_.identity().Snapshot()->User(kAccount, "bob"), nullptr);
  Ok("RemoveUserFromGroup", {{"GroupName", "g"}, {"UserName", "bob"}});

  Ok("DeleteUser", {{"UserName", "bob"}});
  EXPECT_CODE(Call("GetUser", {{"UserName", "bob"}}), kNoSuchEntity);
  EXPECT_CODE(Call("DeleteUser", {{"UserName", "bob"}}), kNoSuchEntity);
}

TEST_F(IamServiceTest, AccessKeysQuotaStatusAndResolution) {
  Ok("CreateUser", {{"UserName", "carol"}});
  auto k1 = Call("CreateAccessKey", {{"UserName", "carol"}});
  auto k2 = Call("CreateAccessKey", {{"UserName", "carol"}});
  ASSERT_RESULT_OK(k1);
  ASSERT_RESULT_OK(k2);
  const json& key = (*k1)["AccessKey"];
  std::string id = key["AccessKeyId"], secret = key["SecretAccessKey"];
  EXPECT_TRUE(id.starts_with("AKIA"));
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(secret.size(), 40u);
  EXPECT_EQ(key["Status"], "Active");
  EXPECT_EQ(key["UserName"], "carol");
  uint64_t v = Version();
  EXPECT_CODE(Call("CreateAccessKey", {{"UserName", "carol"}}), kLimitExceeded);
  EXPECT_EQ(Version(), v);

  auto cred = t_.identity().ResolveCredential(id, std::nullopt);
  ASSERT_RESULT_OK(cred);
  EXPECT_EQ(cred->secret_access_key, secret);
  EXPECT_EQ(cred->principal.arn, "arn:aws:iam::111122223333:user/carol");

  auto list = Call("ListAccessKeys", {{"UserName", "carol"}});
  ASSERT_RESULT_OK(list);
  ASSERT_EQ((*list)["AccessKeyMetadata"].size(), 2u);
  EXPECT_FALSE((*list)["AccessKeyMetadata"][0].contains("SecretAccessKey"));

  EXPECT_CODE(Call("UpdateAccessKey", {{"UserName", "carol"}, {"AccessKeyId", id},
                                       {"Status", "Sleeping"}}),
              kValidation);
  Ok("UpdateAccessKey", {{"UserName", "carol"}, {"AccessKeyId", id}, {"Status", "Inactive"}});
  EXPECT_CODE(t_.identity().ResolveCredential(id, std::nullopt), kUnrecognizedClient);
  // A key of another user is not carol's.
  EXPECT_CODE(Call("DeleteAccessKey",
                   {{"UserName", "carol"}, {"AccessKeyId", t_.admin().access_key_id}}),
              kNoSuchEntity);
  Ok("DeleteAccessKey", {{"UserName", "carol"}, {"AccessKeyId", id}});
  EXPECT_CODE(t_.identity().ResolveCredential(id, std::nullopt), kUnrecognizedClient);
}

TEST_F(IamServiceTest, CreateAccessKeyWithoutUserNameIsForTheCaller) {
  auto r = Call("CreateAccessKey", json::object());
  ASSERT_RESULT_OK(r);
  EXPECT_EQ((*r)["AccessKey"]["UserName"], "admin");
}

TEST_F(IamServiceTest, UserTagsOverwriteUntagAndLimit) {
  Ok("CreateUser", {{"UserName", "dave"}, {"Tags", {{{"Key", "a"}, {"Value", "1"}}}}});
  Ok("TagUser", {{"UserName", "dave"},
                 {"Tags", {{{"Key", "A"}, {"Value", "2"}}, {{"Key", "b"}, {"Value", "3"}}}}});
  auto tags = Call("ListUserTags", {{"UserName", "dave"}});
  ASSERT_RESULT_OK(tags);
  EXPECT_EQ((*tags)["Tags"],
            json::parse(R"([{"Key":"A","Value":"2"},{"Key":"b","Value":"3"}])"));
  json many = json::array();
  for (int i = 0; i < 49; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", ""}});
  uint64_t v = Version();
  EXPECT_CODE(Call("TagUser", {{"UserName", "dave"}, {"Tags", many}}), kLimitExceeded);
  EXPECT_EQ(Version(), v);
  Ok("UntagUser", {{"UserName", "dave"}, {"TagKeys", {"a"}}});
  tags = Call("ListUserTags", {{"UserName", "dave"}});
  EXPECT_EQ((*tags)["Tags"].size(), 1u);
  EXPECT_CODE(Call("TagUser", {{"UserName", "nobody"}, {"Tags", json::array()}}), kNoSuchEntity);
}

TEST_F(IamServiceTest, GroupsAndMembership) {
  Ok("CreateUser", {{"UserName", "erin"}});
  auto g = Call("CreateGroup", {{"GroupName", "ops"}, {"Path", "/x/"}});
  ASSERT_RESULT_OK(g);
  EXPECT_EQ((*g)["Group"]["Arn"], "arn:aws:iam::111122223333:group/x/ops");
  EXPECT_TRUE((*g)["Group"]["GroupId"].get<std::string>().starts_with("AGPA"));
  EXPECT_CODE(Call("CreateGroup", {{"GroupName", "OPS"}}), kEntityAlreadyExists);
  Ok("AddUserToGroup", {{"GroupName", "ops"}, {"UserName", "erin"}});
  Ok("AddUserToGroup", {{"GroupName", "ops"}, {"UserName", "erin"}});  // idempotent
  EXPECT_CODE(Call("AddUserToGroup", {{"GroupName", "ops"}, {"UserName", "ghost"}}), kNoSuchEntity);
  EXPECT_CODE(Call("AddUserToGroup", {{"GroupName", "nope"}, {"UserName", "erin"}}), kNoSuchEntity);
  auto got = Call("GetGroup", {{"GroupName", "ops"}});
  ASSERT_RESULT_OK(got);
  ASSERT_EQ((*got)["Users"].size(), 1u);
  EXPECT_EQ((*got)["Users"][0]["UserName"], "erin");
  auto groups = Call("ListGroupsForUser", {{"UserName", "erin"}});
  ASSERT_RESULT_OK(groups);
  EXPECT_EQ((*groups)["Groups"][0]["GroupName"], "ops");
  EXPECT_CODE(Call("DeleteGroup", {{"GroupName", "ops"}}), kDeleteConflict);
  Ok("RemoveUserFromGroup", {{"GroupName", "ops"}, {"UserName", "erin"}});
  EXPECT_CODE(Call("RemoveUserFromGroup", {{"GroupName", "ops"}, {"UserName", "erin"}}),
              kNoSuchEntity);
  Ok("DeleteGroup", {{"GroupName", "ops"}});
}

TEST_F(IamServiceTest, GroupPoliciesReachItsMembers) {
  Ok("CreateUser", {{"UserName", "fay"}});
  Ok("CreateGroup", {{"GroupName", "readers"}});
  Ok("AddUserToGroup", {{"GroupName", "readers"}, {"UserName", "fay"}});
  Ok("PutGroupPolicy", {{"GroupName", "readers"}, {"PolicyName", "g"}, {"PolicyDocument", kDoc}});
  Ok("AttachGroupPolicy", {{"GroupName", "readers"},
                           {"PolicyArn", "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"}});
  identity::Principal p;
  p.type = identity::PrincipalType::kUser;
  p.account_id = kAccount;
  p.name = "fay";
  auto pp = t_.identity().PoliciesOf(p);
  ASSERT_RESULT_OK(pp);
  ASSERT_EQ(pp->identity_policies.size(), 2u);
  EXPECT_EQ(pp->identity_policies[0].source_type, "group");
  EXPECT_EQ(pp->identity_policies[1].name, "AWSPrivateCAReadOnly");
}

TEST_F(IamServiceTest, InlinePoliciesValidateEncodeAndLimit) {
  Ok("CreateUser", {{"UserName", "gus"}});
  uint64_t v = Version();
  EXPECT_CODE(Call("PutUserPolicy", {{"UserName", "gus"}, {"PolicyName", "p"},
                                     {"PolicyDocument", "{not json"}}),
              kMalformedPolicyDocument);
  EXPECT_CODE(Call("PutUserPolicy", {{"UserName", "gus"}, {"PolicyName", "p"},
                                     {"PolicyDocument", kTrust}}),
              kMalformedPolicyDocument);
  EXPECT_CODE(Call("PutUserPolicy", {{"UserName", "ghost"}, {"PolicyName", "p"},
                                     {"PolicyDocument", kDoc}}),
              kNoSuchEntity);
  std::string big = std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[)");
  for (int i = 0; i < 120; ++i) big += (i ? "," : "") + std::string("\"acm-pca:Action") + std::to_string(i) + "\"";
  big += R"(],"Resource":"*"}]})";
  ASSERT_GT(big.size(), 2048u);
  EXPECT_CODE(Call("PutUserPolicy", {{"UserName", "gus"}, {"PolicyName", "big"},
                                     {"PolicyDocument", big}}),
              kLimitExceeded);
  EXPECT_EQ(Version(), v);

  std::string spaced = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})";
  Ok("PutUserPolicy", {{"UserName", "gus"}, {"PolicyName", "p"}, {"PolicyDocument", spaced}});
  auto got = Call("GetUserPolicy", {{"UserName", "gus"}, {"PolicyName", "p"}});
  ASSERT_RESULT_OK(got);
  EXPECT_EQ((*got)["UserName"], "gus");
  std::string encoded = (*got)["PolicyDocument"];
  EXPECT_EQ(encoded.find(' '), std::string::npos);
  EXPECT_NE(encoded.find("%20"), std::string::npos);
  EXPECT_EQ(encoded.substr(0, 3), "%7B");
  auto names = Call("ListUserPolicies", {{"UserName", "gus"}});
  EXPECT_EQ((*names)["PolicyNames"], json::array({"p"}));
  EXPECT_CODE(Call("GetUserPolicy", {{"UserName", "gus"}, {"PolicyName", "q"}}), kNoSuchEntity);
  EXPECT_CODE(Call("DeleteUserPolicy", {{"UserName", "gus"}, {"PolicyName", "q"}}), kNoSuchEntity);
}

TEST_F(IamServiceTest, RolesCreateValidateUpdateAndDelete) {
  uint64_t v = Version();
  EXPECT_CODE(Call("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kDoc}}),
              kMalformedPolicyDocument);
  EXPECT_CODE(Call("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust},
                                  {"MaxSessionDuration", 1800}}),
              kValidation);
  EXPECT_CODE(Call("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust},
                                  {"MaxSessionDuration", 50000}}),
              kValidation);
  EXPECT_EQ(Version(), v);
  auto r = Call("CreateRole", {{"RoleName", "deploy"},
                               {"AssumeRolePolicyDocument", kTrust},
                               {"Description", "d"},
                               {"MaxSessionDuration", 7200},
                               {"Tags", {{{"Key", "env"}, {"Value", "prod"}}}}});
  ASSERT_RESULT_OK(r);
  const json& role = (*r)["Role"];
  EXPECT_EQ(role["Arn"], "arn:aws:iam::111122223333:role/deploy");
  EXPECT_TRUE(role["RoleId"].get<std::string>().starts_with("AROA"));
  EXPECT_EQ(role["MaxSessionDuration"], 7200);
  EXPECT_EQ(role["AssumeRolePolicyDocument"], identity::UrlEncode(kTrust));
  EXPECT_EQ(role["Tags"][0]["Key"], "env");
  EXPECT_CODE(Call("CreateRole", {{"RoleName", "DEPLOY"}, {"AssumeRolePolicyDocument", kTrust}}),
              kEntityAlreadyExists);

  Ok("UpdateRole", {{"RoleName", "deploy"}, {"MaxSessionDuration", 43200}});
  EXPECT_CODE(Call("UpdateRole", {{"RoleName", "deploy"}, {"MaxSessionDuration", 10}}),
              kValidation);
  EXPECT_CODE(Call("UpdateAssumeRolePolicy", {{"RoleName", "deploy"}, {"PolicyDocument", kDoc}}),
              kMalformedPolicyDocument);
  auto got = Call("GetRole", {{"RoleName", "deploy"}});
  ASSERT_RESULT_OK(got);
  EXPECT_EQ((*got)["Role"]["MaxSessionDuration"], 43200);
  EXPECT_EQ((*got)["Role"]["AssumeRolePolicyDocument"], identity::UrlEncode(kTrust));

  Ok("TagRole", {{"RoleName", "deploy"}, {"Tags", {{{"Key", "x"}, {"Value", "y"}}}}});
  auto tags = Call("ListRoleTags", {{"RoleName", "deploy"}});
  EXPECT_EQ((*tags)["Tags"].size(), 2u);
  Ok("UntagRole", {{"RoleName", "deploy"}, {"TagKeys", {"env"}}});
  tags = Call("ListRoleTags", {{"RoleName", "deploy"}});
  EXPECT_EQ((*tags)["Tags"].size(), 1u);

  Ok("PutRolePolicy", {{"RoleName", "deploy"}, {"PolicyName", "in"}, {"PolicyDocument", kDoc}});
  auto rp = Call("GetRolePolicy", {{"RoleName", "deploy"}, {"PolicyName", "in"}});
  ASSERT_RESULT_OK(rp);
  EXPECT_EQ((*rp)["RoleName"], "deploy");
  EXPECT_CODE(Call("DeleteRole", {{"RoleName", "deploy"}}), kDeleteConflict);
  Ok("DeleteRolePolicy", {{"RoleName", "deploy"}, {"PolicyName", "in"}});
  Ok("AttachRolePolicy", {{"RoleName", "deploy"},
                          {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  EXPECT_CODE(Call("DeleteRole", {{"RoleName", "deploy"}}), kDeleteConflict);
  Ok("DetachRolePolicy", {{"RoleName", "deploy"},
                          {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  Ok("DeleteRole", {{"RoleName", "deploy"}});
  EXPECT_CODE(Call("GetRole", {{"RoleName", "deploy"}}), kNoSuchEntity);
  EXPECT_TRUE(t_.identity().Snapshot()->T<store::IamTagRecord>().empty());
}

TEST_F(IamServiceTest, ManagedPolicyVersionsAndDefaults) {
  auto created = Call("CreatePolicy", {{"PolicyName", "ca-admin"}, {"Path", "/pki/"},
                                       {"PolicyDocument", kDoc}, {"Description", "d"}});
  ASSERT_RESULT_OK(created);
  const json& p = (*created)["Policy"];
  std::string arn = p["Arn"];
  EXPECT_EQ(arn, "arn:aws:iam::111122223333:policy/pki/ca-admin");
  EXPECT_EQ(p["DefaultVersionId"], "v1");
  EXPECT_EQ(p["AttachmentCount"], 0);
  EXPECT_EQ(p["IsAttachable"], true);
  EXPECT_TRUE(p["PolicyId"].get<std::string>().starts_with("ANPA"));
  EXPECT_CODE(Call("CreatePolicy", {{"PolicyName", "CA-ADMIN"}, {"PolicyDocument", kDoc}}),
              kEntityAlreadyExists);
  EXPECT_CODE(Call("CreatePolicy", {{"PolicyName", "x"}, {"PolicyDocument", kTrust}}),
              kMalformedPolicyDocument);

  for (int i = 2; i <= 5; ++i) {
    auto v = Call("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kDoc},
                                          {"SetAsDefault", i == 3}});
    ASSERT_RESULT_OK(v);
    EXPECT_EQ((*v)["PolicyVersion"]["VersionId"], "v" + std::to_string(i));
  }
  uint64_t ver = Version();
  EXPECT_CODE(Call("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kDoc}}),
              kLimitExceeded);
  EXPECT_EQ(Version(), ver);
  auto got = Call("GetPolicy", {{"PolicyArn", arn}});
  EXPECT_EQ((*got)["Policy"]["DefaultVersionId"], "v3");
  EXPECT_CODE(Call("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v3"}}),
              kDeleteConflict);
  Ok("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v1"}});
  EXPECT_CODE(Call("GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v1"}}), kNoSuchEntity);
  EXPECT_CODE(Call("GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "1"}}), kValidation);
  auto v3 = Call("GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v3"}});
  ASSERT_RESULT_OK(v3);
  EXPECT_EQ((*v3)["PolicyVersion"]["IsDefaultVersion"], true);
  EXPECT_EQ((*v3)["PolicyVersion"]["Document"], identity::UrlEncode(kDoc));
  Ok("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v5"}});
  EXPECT_CODE(Call("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v9"}}),
              kNoSuchEntity);
  auto versions = Call("ListPolicyVersions", {{"PolicyArn", arn}});
  EXPECT_EQ((*versions)["Versions"].size(), 4u);
  EXPECT_EQ((*versions)["Versions"][0]["VersionId"], "v5");

  // Versions must go before the policy.
  EXPECT_CODE(Call("DeletePolicy", {{"PolicyArn", arn}}), kDeleteConflict);
  for (const char* id : {"v2", "v3", "v4"}) {
    Ok("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", id}});
  }
  Ok("DeletePolicy", {{"PolicyArn", arn}});
  EXPECT_CODE(Call("GetPolicy", {{"PolicyArn", arn}}), kNoSuchEntity);
  EXPECT_TRUE(t_.identity().Snapshot()->T<store::IamPolicyVersionRecord>().empty());
}

TEST_F(IamServiceTest, AttachmentsCountsAndConflicts) {
  auto created = Call("CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", kDoc}});
  std::string arn = (*created)["Policy"]["Arn"];
  Ok("CreateUser", {{"UserName", "hal"}});
  EXPECT_CODE(Call("AttachUserPolicy", {{"UserName", "hal"},
                                        {"PolicyArn", "arn:aws:iam::111122223333:policy/none"}}),
              kNoSuchEntity);
  EXPECT_CODE(Call("AttachUserPolicy", {{"UserName", "hal"}, {"PolicyArn", "garbage"}}),
              kInvalidInput);
  EXPECT_CODE(Call("AttachUserPolicy", {{"UserName", "ghost"}, {"PolicyArn", arn}}),
              kNoSuchEntity);
  Ok("AttachUserPolicy", {{"UserName", "hal"}, {"PolicyArn", arn}});
  EXPECT_EQ((*Call("GetPolicy", {{"PolicyArn", arn}}))["Policy"]["AttachmentCount"], 1);
  auto attached = Call("ListAttachedUserPolicies", {{"UserName", "hal"}});
  EXPECT_EQ((*attached)["AttachedPolicies"],
            json::parse(R"([{"PolicyName":"p","PolicyArn":")" + arn + R"("}])"));
  auto entities = Call("ListEntitiesForPolicy", {{"PolicyArn", arn}});
  EXPECT_EQ((*entities)["PolicyUsers"][0]["UserName"], "hal");
  EXPECT_CODE(Call("DeletePolicy", {{"PolicyArn", arn}}), kDeleteConflict);

  // Ten attached policies at most.
  for (int i = 0; i < 9; ++i) {
    auto c = Call("CreatePolicy", {{"PolicyName", "q" + std::to_string(i)}, {"PolicyDocument", kDoc}});
    Ok("AttachUserPolicy", {{"UserName", "hal"}, {"PolicyArn", (*c)["Policy"]["Arn"]}});
  }
  uint64_t v = Version();
  EXPECT_CODE(Call("AttachUserPolicy", {{"UserName", "hal"},
                                        {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}}),
              kLimitExceeded);
  EXPECT_EQ(Version(), v);

  auto local = Call("ListPolicies", {{"Scope", "Local"}});
  EXPECT_EQ((*local)["Policies"].size(), 10u);
  auto aws = Call("ListPolicies", {{"Scope", "AWS"}});
  EXPECT_EQ((*aws)["Policies"].size(), 7u);
  auto attached_only = Call("ListPolicies", {{"Scope", "AWS"}, {"OnlyAttached", true}});
  ASSERT_EQ((*attached_only)["Policies"].size(), 1u);  // admin's AdministratorAccess
  EXPECT_EQ((*attached_only)["Policies"][0]["PolicyName"], "AdministratorAccess");
  EXPECT_CODE(Call("ListPolicies", {{"Scope", "Mine"}}), kValidation);
  auto aws_policy = Call("GetPolicy", {{"PolicyArn", "arn:aws:iam::aws:policy/AWSPrivateCAUser"}});
  ASSERT_RESULT_OK(aws_policy);
  EXPECT_EQ((*aws_policy)["Policy"]["DefaultVersionId"], "v2");
  EXPECT_CODE(Call("DeletePolicy", {{"PolicyArn", "arn:aws:iam::aws:policy/AWSPrivateCAUser"}}),
              kUnmodifiableEntity);
}

TEST_F(IamServiceTest, PermissionsBoundaries) {
  auto created = Call("CreatePolicy", {{"PolicyName", "cap"}, {"PolicyDocument", kDoc}});
  std::string arn = (*created)["Policy"]["Arn"];
  Ok("CreateUser", {{"UserName", "ida"}});
  Ok("PutUserPermissionsBoundary", {{"UserName", "ida"}, {"PermissionsBoundary", arn}});
  auto u = Call("GetUser", {{"UserName", "ida"}});
  EXPECT_EQ((*u)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"], arn);
  EXPECT_EQ((*Call("GetPolicy", {{"PolicyArn", arn}}))["Policy"]["PermissionsBoundaryUsageCount"], 1);
  EXPECT_CODE(Call("DeletePolicy", {{"PolicyArn", arn}}), kDeleteConflict);
  identity::Principal p;
  p.type = identity::PrincipalType::kUser;
  p.account_id = kAccount;
  p.name = "ida";
  auto pp = t_.identity().PoliciesOf(p);
  ASSERT_TRUE(pp->permissions_boundary.has_value());
  EXPECT_EQ(pp->permissions_boundary->document, kDoc);
  Ok("DeleteUserPermissionsBoundary", {{"UserName", "ida"}});
  u = Call("GetUser", {{"UserName", "ida"}});
  EXPECT_FALSE((*u)["User"].contains("PermissionsBoundary"));
  Ok("DeletePolicy", {{"PolicyArn", arn}});
}

TEST_F(IamServiceTest, ListUsersPagesWithMarker) {
  for (const char* n : {"u1", "u2", "u3"}) Ok("CreateUser", {{"UserName", n}});
  auto first = Call("ListUsers", {{"MaxItems", 2}});
  ASSERT_RESULT_OK(first);
  EXPECT_EQ((*first)["Users"].size(), 2u);
  EXPECT_EQ((*first)["IsTruncated"], true);
  auto second = Call("ListUsers", {{"MaxItems", 2}, {"Marker", (*first)["Marker"]}});
  ASSERT_RESULT_OK(second);
  EXPECT_EQ((*second)["Users"].size(), 2u);  // 4 users with admin
  EXPECT_EQ((*second)["IsTruncated"], false);
  EXPECT_FALSE((*second).contains("Marker"));
  EXPECT_FALSE((*first)["Users"][0].contains("Tags"));
  auto eng = Call("ListUsers", {{"PathPrefix", "/eng/"}});
  EXPECT_TRUE((*eng)["Users"].empty());
}

TEST_F(IamServiceTest, AccountSummaryCounts) {
  Ok("CreateUser", {{"UserName", "j"}});
  Ok("CreateGroup", {{"GroupName", "g"}});
  Ok("CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", kDoc}});
  auto r = Call("GetAccountSummary", json::object());
  ASSERT_RESULT_OK(r);
  const json& m = (*r)["SummaryMap"];
  EXPECT_EQ(m["Users"], 2);
  EXPECT_EQ(m["Groups"], 1);
  EXPECT_EQ(m["Policies"], 1);
  EXPECT_EQ(m["PolicyVersionsInUse"], 1);
  EXPECT_EQ(m["AccessKeysPerUserQuota"], 2);
  EXPECT_EQ(m["AccountAccessKeysPresent"], 0);
}

TEST(IamSimulateTest, HookReceivesTheEntitysPoliciesAndContext) {
  TestIdentity t;
  identity::SimulateRequest seen;
  identity::PolicyHooks hooks;
  hooks.simulate = [&](const identity::SimulateRequest& req) -> Result<std::string> {
    seen = req;
    return std::string(
        R"({"EvaluationResults":[{"EvalActionName":"acm-pca:IssueCertificate","EvalResourceName":"*","EvalDecision":"allowed"}]})");
  };
  testing::Operations ops(IamOperations(t.identity(), hooks));
  api::CallContext ctx = t.AdminContext();
  auto r = ops.Call(ctx, "SimulatePrincipalPolicy",
                    {{"PolicySourceArn", "arn:aws:iam::111122223333:user/admin"},
                     {"ActionNames", {"acm-pca:IssueCertificate"}},
                     {"PolicyInputList", {kDoc}},
                     {"ContextEntries",
                      {{{"ContextKeyName", "aws:SourceIp"},
                        {"ContextKeyValues", {"10.0.0.1"}},
                        {"ContextKeyType", "ip"}}}}});
  ASSERT_RESULT_OK(r);
  EXPECT_EQ((*r)["EvaluationResults"][0]["EvalDecision"], "allowed");
  EXPECT_EQ((*r)["IsTruncated"], false);
  EXPECT_EQ(seen.source_type, "user");
  ASSERT_EQ(seen.identity_policies.size(), 2u);  // AdministratorAccess + the input policy
  EXPECT_EQ(seen.identity_policies[0].name, "AdministratorAccess");
  EXPECT_EQ(seen.resource_arns, std::vector<std::string>{"*"});
  EXPECT_NE(seen.context_entries_json.find("aws:SourceIp"), std::string::npos);
  EXPECT_CODE(ops.Call(ctx, "SimulatePrincipalPolicy",
                       {{"PolicySourceArn", "arn:aws:iam::111122223333:user/ghost"},
                        {"ActionNames", {"s3:GetObject"}}}),
              kNoSuchEntity);
}

}  // namespace
}  // namespace openpca::services::iam

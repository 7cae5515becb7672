// CloudTrail records: identity shapes (root, IAM user, assumed role with its session issuer,
// unknown), lowerCamelCase members and the redaction of every model-sensitive member (through
// api::ServiceModel::RecordForm on the embedded models), secrets hidden by name whatever the
// model says, cross-account copies sharing sharedEventID, outcomes, service events.
#include <gtest/gtest.h>

#include <functional>

#include "api/model.h"
#include "audit/record_builder.h"
#include "common/random.h"

namespace openpca::audit {
namespace {

constexpr char kCaller[] = "111122223333";
constexpr char kOwner[] = "444455556666";
constexpr char kCaArn[] =
    "arn:aws:acm-pca:us-east-1:444455556666:certificate-authority/"
    "11223344-1234-1122-2233-112233445566";

CallFacts Facts(IdentityType type) {
  CallFacts f;
  f.service = "acm-pca";
  f.operation = "IssueCertificate";
  f.request_id = "req-1";
  f.region = "us-east-1";
  f.event_time_ms = 1517005123456;  // 2018-01-26T22:18:43.456Z
  f.identity.type = type;
  f.identity.account_id = kCaller;
  f.identity.access_key_id = "AKIAEXAMPLE";
  f.source_ip = "127.0.0.1";
  f.user_agent = "aws-cli/2.0";
  f.host_header = "localhost:8443";
  f.request_parameters = {{"certificateAuthorityArn", kCaArn}};
  f.resource_arn = kCaArn;
  return f;
}

TEST(RecordBuilderTest, AssumedRoleHasSessionIssuerAndAttributes) {
  OpenSslRandom random;
  CallFacts f = Facts(IdentityType::kAssumedRole);
  f.identity.arn = "arn:aws:sts::111122223333:assumed-role/Issuer/build-7";
  f.identity.principal_id = "AROAEXAMPLE:build-7";
  f.identity.role_arn = "arn:aws:iam::111122223333:role/Issuer";
  f.identity.role_name = "Issuer";
  f.identity.role_id = "AROAEXAMPLE";
  f.identity.session_name = "build-7";
  f.identity.temporary = true;
  f.identity.session_created_at_s = 1383354388;  // 2013-11-02T01:06:28Z
  auto drafts = BuildCallRecords(f, /*cross_account_copy=*/false, "000000000000", random);
  ASSERT_EQ(drafts.size(), 1u);
  const nlohmann::json& r = drafts[0].record;
  const nlohmann::json& u = r["userIdentity"];
  EXPECT_EQ(u["type"], "AssumedRole");
  EXPECT_EQ(u["principalId"], "AROAEXAMPLE:build-7");
  EXPECT_EQ(u["sessionContext"]["sessionIssuer"]["type"], "Role");
  EXPECT_EQ(u["sessionContext"]["sessionIssuer"]["principalId"], "AROAEXAMPLE");
  EXPECT_EQ(u["sessionContext"]["sessionIssuer"]["userName"], "Issuer");
  EXPECT_EQ(u["sessionContext"]["sessionIssuer"]["accountId"], kCaller);
  EXPECT_EQ(u["sessionContext"]["attributes"]["creationDate"], "2013-11-02T01:06:28Z");
  EXPECT_EQ(u["sessionContext"]["attributes"]["mfaAuthenticated"], "false");
  EXPECT_FALSE(u.contains("userName"));
  EXPECT_EQ(drafts[0].row.username, "build-7");
  EXPECT_EQ(r["eventTime"], "2018-01-26T22:18:43Z");
  EXPECT_EQ(r["eventVersion"], "1.08");
  EXPECT_EQ(r["eventSource"], "acm-pca.amazonaws.com");
  EXPECT_EQ(r["eventType"], "AwsApiCall");
  EXPECT_EQ(r["eventCategory"], "Management");
  EXPECT_EQ(r["managementEvent"], true);
  EXPECT_EQ(r["readOnly"], false);
  EXPECT_EQ(r["requestID"], "req-1");
  EXPECT_EQ(r["recipientAccountId"], kCaller);
  EXPECT_EQ(r["resources"][0]["type"], "AWS::ACMPCA::CertificateAuthority");
  EXPECT_EQ(r["resources"][0]["accountId"], kOwner);
  EXPECT_EQ(r["tlsDetails"]["clientProvidedHostHeader"], "localhost:8443");
  EXPECT_FALSE(r["tlsDetails"].contains("tlsVersion"));
  EXPECT_FALSE(r.contains("sharedEventID"));
}

TEST(RecordBuilderTest, UserRootAndUnknownIdentities) {
  OpenSslRandom random;
  CallFacts user = Facts(IdentityType::kIamUser);
  user.identity.arn = "arn:aws:iam::111122223333:user/alice";
  user.identity.principal_id = "AIDAEXAMPLE";
  user.identity.user_name = "alice";
  const nlohmann::json u = BuildCallRecords(user, false, "", random)[0].record["userIdentity"];
  EXPECT_EQ(u["type"], "IAMUser");
  EXPECT_EQ(u["userName"], "alice");
  EXPECT_EQ(u["principalId"], "AIDAEXAMPLE");
  EXPECT_FALSE(u.contains("sessionContext"));

  CallFacts root = Facts(IdentityType::kRoot);
  root.identity.principal_id = kCaller;
  auto root_draft = BuildCallRecords(root, false, "", random)[0];
  EXPECT_EQ(root_draft.record["userIdentity"]["type"], "Root");
  EXPECT_EQ(root_draft.row.username, "root");

  CallFacts unknown = Facts(IdentityType::kUnknown);
  unknown.identity.account_id = "";
  unknown.request_parameters = nullptr;
  auto d = BuildCallRecords(unknown, true, "999988887777", random);
  ASSERT_EQ(d.size(), 1u);  // never a copy for an unauthenticated call
  EXPECT_EQ(d[0].record["userIdentity"]["type"], "Unknown");
  EXPECT_EQ(d[0].record["userIdentity"]["accessKeyId"], "AKIAEXAMPLE");
  EXPECT_FALSE(d[0].record["userIdentity"].contains("arn"));
  EXPECT_EQ(d[0].record["recipientAccountId"], "999988887777");
  EXPECT_TRUE(d[0].record["requestParameters"].is_null());
}

TEST(RecordBuilderTest, CrossAccountCallGetsOneCopyPerAccountWithSharedEventId) {
  OpenSslRandom random;
  CallFacts f = Facts(IdentityType::kIamUser);
  auto drafts = BuildCallRecords(f, /*cross_account_copy=*/true, "", random);
  ASSERT_EQ(drafts.size(), 2u);
  EXPECT_EQ(drafts[0].record["recipientAccountId"], kCaller);
  EXPECT_EQ(drafts[1].record["recipientAccountId"], kOwner);
  EXPECT_EQ(drafts[0].row.recipient_account_id, kCaller);
  EXPECT_EQ(drafts[1].row.recipient_account_id, kOwner);
  EXPECT_EQ(drafts[0].record["sharedEventID"], drafts[1].record["sharedEventID"]);
  EXPECT_NE(drafts[0].record["eventID"], drafts[1].record["eventID"]);
  EXPECT_EQ(drafts[0].row.event_id, drafts[0].record["eventID"].get<std::string>());
  EXPECT_EQ(drafts[1].row.event_id, drafts[1].record["eventID"].get<std::string>());
  // Same account: one record.
  f.resource_arn = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x";
  EXPECT_EQ(BuildCallRecords(f, true, "", random).size(), 1u);
}

TEST(RecordBuilderTest, OutcomeErrorAndReadOnlyResponse) {
  OpenSslRandom random;
  CallFacts f = Facts(IdentityType::kIamUser);
  auto d = BuildCallRecords(f, false, "", random)[0];
  CallOutcome denied;
  denied.ok = false;
  denied.error_code = "AccessDeniedException";
  denied.error_message = std::string(3000, 'x');
  ApplyOutcome(d, denied);
  EXPECT_EQ(d.record["errorCode"], "AccessDeniedException");
  EXPECT_EQ(d.record["errorMessage"].get<std::string>().size(), kMaxTextBytes);
  EXPECT_TRUE(d.record["responseElements"].is_null());

  auto ok = BuildCallRecords(f, false, "", random)[0];
  CallOutcome issued;
  issued.response_elements = {{"certificateArn", "arn:x"}};
  ApplyOutcome(ok, issued);
  EXPECT_EQ(ok.record["responseElements"]["certificateArn"], "arn:x");
  EXPECT_FALSE(ok.record.contains("errorCode"));

  f.operation = "GetCertificate";
  auto read = BuildCallRecords(f, false, "", random)[0];
  ApplyOutcome(read, issued);
  EXPECT_TRUE(read.record["responseElements"].is_null());
  EXPECT_EQ(read.record["readOnly"], true);
  EXPECT_TRUE(read.row.read_only);
}

TEST(RecordBuilderTest, SecretsAreHiddenByNameAtEveryDepth) {
  nlohmann::json v = {
      {"credentials",
       {{"accessKeyId", "ASIA"}, {"secretAccessKey", "s3cr3t"}, {"sessionToken", "tok"}}},
      {"list", {{{"password", "p"}}, {{"privateKey", "k"}}}},
      {"passphrase", "pp"},
      {"idempotencyToken", "keep"}};
  ScrubSecrets(v);
  const std::string text = v.dump();
  for (const char* secret : {"s3cr3t", "\"tok\"", "\"p\"", "\"k\"", "\"pp\""}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(v["credentials"]["accessKeyId"], "ASIA");
  EXPECT_EQ(v["idempotencyToken"], "keep");
  EXPECT_EQ(v["credentials"]["secretAccessKey"], kHidden);
}

TEST(RecordBuilderTest, UserAgentBoundedOnCharacterBoundary) {
  std::string agent = std::string(1023, 'a') + "\xc3\xa9";  // é across the 1 KB limit
  EXPECT_EQ(Truncate(agent, kMaxTextBytes).size(), 1023u);
}

TEST(RecordBuilderTest, ServiceEventShape) {
  OpenSslRandom random;
  DraftEvent d = BuildServiceRecord(
      ServiceEventOn("GenerateCRL", kCaArn, {{"crlNumber", 7}}), 1517005123000, random);
  EXPECT_EQ(d.record["eventType"], "AwsServiceEvent");
  EXPECT_EQ(d.record["userIdentity"]["invokedBy"], "acm-pca.amazonaws.com");
  EXPECT_EQ(d.record["userIdentity"]["accountId"], kOwner);
  EXPECT_EQ(d.record["sourceIPAddress"], "acm-pca.amazonaws.com");
  EXPECT_EQ(d.record["recipientAccountId"], kOwner);
  EXPECT_EQ(d.record["awsRegion"], "us-east-1");
  EXPECT_EQ(d.record["serviceEventDetails"]["crlNumber"], 7);
  EXPECT_EQ(d.row.resources.size(), 1u);
  EXPECT_EQ(d.row.access_key_id, "");
}

// Every shape an embedded model marks sensitive, reached from an operation's input or output, is
// replaced by HIDDEN_DUE_TO_SECURITY_REASONS, and member names are lowerCamelCase at every depth.
TEST(RecordFormTest, CamelCaseAndSensitiveMembersHidden) {
  const api::ServiceModel& iam = api::ServiceModel::Get("iam");
  nlohmann::json form = iam.RecordForm(
      "CreateLoginProfile", {{"UserName", "alice"}, {"Password", "Pa$$w0rd!"}}, false);
  EXPECT_EQ(form["userName"], "alice");
  EXPECT_EQ(form["password"], "HIDDEN_DUE_TO_SECURITY_REASONS");

  nlohmann::json key_out = iam.RecordForm(
      "CreateAccessKey",
      {{"AccessKey",
        {{"UserName", "alice"}, {"AccessKeyId", "AKIA"}, {"SecretAccessKey", "s3cr3t"},
         {"Status", "Active"}}}},
      true);
  EXPECT_EQ(key_out["accessKey"]["accessKeyId"], "AKIA");
  EXPECT_EQ(key_out["accessKey"]["secretAccessKey"], "HIDDEN_DUE_TO_SECURITY_REASONS");

  const api::ServiceModel& pca = api::ServiceModel::AcmPca();
  nlohmann::json issue = pca.RecordForm(
      "IssueCertificate",
      {{"CertificateAuthorityArn", kCaArn},
       {"Validity", {{"Value", 365}, {"Type", "DAYS"}}},
       {"SigningAlgorithm", "SHA256WITHRSA"},
       {"NotAModelMember", "x"}},
      false);
  EXPECT_EQ(issue["certificateAuthorityArn"], kCaArn);
  EXPECT_EQ(issue["validity"]["value"], 365);
  EXPECT_EQ(issue["validity"]["type"], "DAYS");
  EXPECT_FALSE(issue.contains("NotAModelMember"));
  EXPECT_FALSE(issue.contains("CertificateAuthorityArn"));

  const api::ServiceModel& acm = api::ServiceModel::Get("acm");
  nlohmann::json import = acm.RecordForm(
      "ImportCertificate", {{"Certificate", "Y2VydA=="}, {"PrivateKey", "a2V5"}}, false);
  EXPECT_EQ(import["privateKey"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(import["certificate"], "Y2VydA==");
}

}  // namespace
}  // namespace openpca::audit

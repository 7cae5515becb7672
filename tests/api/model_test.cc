#include "api/model.h"

#include <string>

#include <gtest/gtest.h>

namespace openpca::api {
namespace {

using nlohmann::json;

constexpr char kCaArn[] =
    "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/"
    "11111111-2222-3333-4444-555555555555";

json ValidIssue() {
  return {
      {"CertificateAuthorityArn", kCaArn},
      {"Csr", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"},
      {"SigningAlgorithm", "SHA256WITHRSA"},
      {"Validity", {{"Value", 365}, {"Type", "DAYS"}}},
      {"IdempotencyToken", "token-1"},
  };
}

Status Validate(std::string_view op, const json& input) {
  return ServiceModel::AcmPca().ValidateInput(op, input);
}

TEST(ServiceModelTest, EmbeddedModelLoadsWithAllOperations) {
  const ServiceModel& m = ServiceModel::AcmPca();
  EXPECT_EQ(m.OperationNames().size(), 23u);
  EXPECT_TRUE(m.HasOperation("IssueCertificate"));
  EXPECT_TRUE(m.HasOperation("ListCertificateAuthorities"));
  EXPECT_FALSE(m.HasOperation("issueCertificate"));
  EXPECT_EQ(m.target_prefix(), "ACMPrivateCA");
  EXPECT_EQ(m.signing_name(), "acm-pca");
}

TEST(ServiceModelTest, ParseRejectsBrokenModels) {
  EXPECT_EQ(ServiceModel::Parse("not json").status().code(), ErrorCode::kInternal);
  EXPECT_EQ(ServiceModel::Parse(R"j({"metadata":{},"operations":{},"shapes":{
              "S":{"type":"string","pattern":"(?<=x)"}}})j")
                .status()
                .code(),
            ErrorCode::kInternal);
  EXPECT_EQ(ServiceModel::Parse(R"({"metadata":{},"operations":{},"shapes":{
              "L":{"type":"list","member":{"shape":"Missing"}}}})")
                .status()
                .code(),
            ErrorCode::kInternal);
}

TEST(ValidatorTest, ValidInputPasses) {
  EXPECT_TRUE(Validate("IssueCertificate", ValidIssue()).ok());
  EXPECT_TRUE(Validate("ListCertificateAuthorities", json::object()).ok());
}

TEST(ValidatorTest, UnknownOperation) {
  EXPECT_EQ(Validate("Nope", json::object()).code(), ErrorCode::kUnknownOperation);
}

TEST(ValidatorTest, MissingRequiredMember) {
  json in = ValidIssue();
  in.erase("Csr");
  Status s = Validate("IssueCertificate", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_EQ(s.message(),
            "1 validation error detected: Value null at 'csr' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(ValidatorTest, NullRequiredIsMissingAndNullOptionalIsAbsent) {
  json in = ValidIssue();
  in["TemplateArn"] = nullptr;
  in["ApiPassthrough"] = nullptr;
  EXPECT_TRUE(Validate("IssueCertificate", in).ok());
  in["Validity"] = nullptr;
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kValidation);
}

TEST(ValidatorTest, UnknownMembersAreIgnored) {
  json in = ValidIssue();
  in["SomethingNew"] = {{"x", 1}};
  EXPECT_TRUE(Validate("IssueCertificate", in).ok());
}

TEST(ValidatorTest, TooLong) {
  json in = ValidIssue();
  in["CertificateAuthorityArn"] = std::string(kCaArn) + std::string(150, 'a');
  Status s = Validate("IssueCertificate", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_NE(s.message().find("at 'certificateAuthorityArn' failed to satisfy constraint: Member "
                             "must have length less than or equal to 200"),
            std::string::npos)
      << s.message();
}

TEST(ValidatorTest, BadPattern) {
  json in = ValidIssue();
  in["CertificateAuthorityArn"] = "arn:aws:acm:us-east-1:111122223333:certificate/x";
  Status s = Validate("IssueCertificate", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_EQ(s.message(),
            "1 validation error detected: Value 'arn:aws:acm:us-east-1:111122223333:certificate/x'"
            " at 'certificateAuthorityArn' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: "
            R"(arn:[\w+=/,.@-]+:acm-pca:[\w+=/,.@-]*:[0-9]*:[\w+=,.@-]+(/[\w+=,.@-]+)*)");
}

TEST(ValidatorTest, BadEnum) {
  json in = ValidIssue();
  in["Validity"]["Type"] = "WEEKS";
  Status s = Validate("IssueCertificate", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_NE(s.message().find("Value 'WEEKS' at 'validity.type' failed to satisfy constraint: "
                             "Member must satisfy enum value set: [END_DATE, ABSOLUTE, DAYS, "
                             "MONTHS, YEARS]"),
            std::string::npos)
      << s.message();
}

TEST(ValidatorTest, WrongJsonTypeIsSerialization) {
  json in = ValidIssue();
  in["Validity"]["Value"] = "365";
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in = ValidIssue();
  in["SigningAlgorithm"] = 5;
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in = ValidIssue();
  in["Validity"] = json::array();
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in = ValidIssue();
  in["ApiPassthrough"] = {{"Extensions", {{"KeyUsage", {{"DigitalSignature", "yes"}}}}}};
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  EXPECT_EQ(Validate("IssueCertificate", json::array()).code(), ErrorCode::kSerialization);
}

TEST(ValidatorTest, SerializationWinsOverEarlierConstraintViolations) {
  json in = ValidIssue();
  in["CertificateAuthorityArn"] = "bad";
  in["Validity"]["Value"] = true;
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
}

TEST(ValidatorTest, Integers) {
  json in = {{"MaxResults", 10}};
  EXPECT_TRUE(Validate("ListCertificateAuthorities", in).ok());
  in["MaxResults"] = 1.5;
  EXPECT_EQ(Validate("ListCertificateAuthorities", in).code(), ErrorCode::kSerialization);
  in["MaxResults"] = 1e20;
  EXPECT_EQ(Validate("ListCertificateAuthorities", in).code(), ErrorCode::kSerialization);
  in["MaxResults"] = 4294967296LL;  // beyond int32
  EXPECT_EQ(Validate("ListCertificateAuthorities", in).code(), ErrorCode::kSerialization);
  in["MaxResults"] = 0;
  Status s = Validate("ListCertificateAuthorities", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_NE(s.message().find("Value '0' at 'maxResults' failed to satisfy constraint: Member "
                             "must have value greater than or equal to 1"),
            std::string::npos)
      << s.message();
  in["MaxResults"] = 1001;
  EXPECT_EQ(Validate("ListCertificateAuthorities", in).code(), ErrorCode::kValidation);

  json issue = ValidIssue();
  issue["Validity"]["Value"] = 0;  // PositiveLong
  EXPECT_EQ(Validate("IssueCertificate", issue).code(), ErrorCode::kValidation);
  issue["Validity"]["Value"] = 4102444800LL;  // a long, fine
  EXPECT_TRUE(Validate("IssueCertificate", issue).ok());
}

TEST(ValidatorTest, BlobMustBeStrictBase64AndLengthIsDecoded) {
  json in = ValidIssue();
  in["Csr"] = "not base64!";
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in["Csr"] = "QUJD=";  // bad length
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in["Csr"] = "QQ=A";  // padding in the middle
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in["Csr"] = 42;
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kSerialization);
  in["Csr"] = "";  // decodes to 0 bytes, min 1
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kValidation);
  // CsrBlob max is 32768 decoded bytes: 43692 base64 chars decode to 32768 (with "==").
  std::string max_ok(43688, 'A');
  max_ok += "AA==";  // 32766 + 1 = 32767 bytes
  in["Csr"] = max_ok;
  EXPECT_TRUE(Validate("IssueCertificate", in).ok());
  std::string too_big(43692, 'A');  // 32769 bytes
  in["Csr"] = too_big;
  Status s = Validate("IssueCertificate", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_NE(s.message().find("length less than or equal to 32768"), std::string::npos);
}

TEST(ValidatorTest, NestedStructureAndListPaths) {
  json in = ValidIssue();
  in["ApiPassthrough"] = {
      {"Extensions",
       {{"CustomExtensions",
         {{{"ObjectIdentifier", "1.2.3.4"}, {"Value", "AAAA"}}, {{"Value", "AAAA"}}}},
        {"ExtendedKeyUsage", {{{"ExtendedKeyUsageType", "SERVER_AUTHX"}}}}}}};
  Status s = Validate("IssueCertificate", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_EQ(s.message().rfind("2 validation errors detected: ", 0), 0u) << s.message();
  EXPECT_NE(
      s.message().find("Value null at 'apiPassthrough.extensions.customExtensions.2.member."
                       "objectIdentifier' failed to satisfy constraint: Member must not be null"),
      std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("at 'apiPassthrough.extensions.extendedKeyUsage.1.member."
                             "extendedKeyUsageType'"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("; Value"), std::string::npos);
}

TEST(ValidatorTest, ListLengthBounds) {
  json in = {{"CertificateAuthorityArn", kCaArn}, {"Tags", json::array()}};
  Status s = Validate("TagCertificateAuthority", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_NE(s.message().find("at 'tags' failed to satisfy constraint: Member must have length "
                             "greater than or equal to 1"),
            std::string::npos)
      << s.message();
  json tags = json::array();
  for (int i = 0; i < 51; ++i) tags.push_back({{"Key", "k" + std::to_string(i)}});
  in["Tags"] = tags;
  EXPECT_EQ(Validate("TagCertificateAuthority", in).code(), ErrorCode::kValidation);
}

TEST(ValidatorTest, TagPatternsAndUnicode) {
  json in = {{"CertificateAuthorityArn", kCaArn},
             {"Tags", {{{"Key", "env"}, {"Value", "prod"}}, {{"Key", "bad*key"}}}}};
  Status s = Validate("TagCertificateAuthority", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_NE(s.message().find("Value 'bad*key' at 'tags.2.member.key' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: "),
            std::string::npos)
      << s.message();

  in["Tags"] = {{{"Key", "\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87 \xE5\x90\x8D\xE5\x89\x8D"},
                 {"Value", "\xD9\xA1\xD9\xA2 caf\xC3\xA9"}}};
  EXPECT_TRUE(Validate("TagCertificateAuthority", in).ok());
}

TEST(ValidatorTest, StringLengthCountsCodePoints) {
  std::string e_acute;
  for (int i = 0; i < 256; ++i) e_acute += "\xC3\xA9";  // 256 code points, 512 bytes
  json in = {{"CertificateAuthorityArn", kCaArn}, {"Tags", {{{"Key", "k"}, {"Value", e_acute}}}}};
  EXPECT_TRUE(Validate("TagCertificateAuthority", in).ok());
  in["Tags"][0]["Value"] = e_acute + "\xC3\xA9";
  EXPECT_EQ(Validate("TagCertificateAuthority", in).code(), ErrorCode::kValidation);
}

TEST(ValidatorTest, InvalidUtf8IsSerialization) {
  json in = {{"CertificateAuthorityArn", kCaArn}, {"Tags", {{{"Key", "\xC3"}}}}};
  EXPECT_EQ(Validate("TagCertificateAuthority", in).code(), ErrorCode::kSerialization);
}

TEST(ValidatorTest, LargePolicyAndLatin1Range) {
  std::string policy(81920, 'x');
  json in = {{"ResourceArn", kCaArn}, {"Policy", policy}};
  EXPECT_TRUE(Validate("PutPolicy", in).ok());
  in["Policy"] = policy + "x";
  EXPECT_EQ(Validate("PutPolicy", in).code(), ErrorCode::kValidation);
  in["Policy"] = "{\"S\":\"caf\xC3\xA9\"}";
  EXPECT_TRUE(Validate("PutPolicy", in).ok());
  in["Policy"] = "{\"S\":\"\xC4\x80\"}";  // U+0100 is outside the pattern
  EXPECT_EQ(Validate("PutPolicy", in).code(), ErrorCode::kValidation);
}

TEST(ValidatorTest, CountsAllViolationsButListsAtMostTen) {
  json in = {{"CertificateAuthorityArn", kCaArn}, {"Tags", json::array()}};
  for (int i = 0; i < 12; ++i) in["Tags"].push_back({{"Key", "*"}});
  Status s = Validate("TagCertificateAuthority", in);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_EQ(s.message().rfind("12 validation errors detected: ", 0), 0u) << s.message();
  size_t listed = 0;
  for (size_t pos = 0; (pos = s.message().find("failed to satisfy", pos)) != std::string::npos;
       ++pos) {
    ++listed;
  }
  EXPECT_EQ(listed, 10u);
}

TEST(ValidatorTest, CustomObjectIdentifierPattern) {
  json in = ValidIssue();
  in["ApiPassthrough"]["Extensions"]["CertificatePolicies"] = {{{"CertPolicyId", "2.5.29.32.0"}}};
  EXPECT_TRUE(Validate("IssueCertificate", in).ok());
  in["ApiPassthrough"]["Extensions"]["CertificatePolicies"][0]["CertPolicyId"] = "9.9";
  EXPECT_EQ(Validate("IssueCertificate", in).code(), ErrorCode::kValidation);
}

TEST(PruneInputTest, DropsNullsAndMembersTheModelLacksAtEveryLevel) {
  json in = ValidIssue();
  in["Surplus"] = "x";
  in["TemplateArn"] = nullptr;
  in["Validity"]["Extra"] = 1;
  in["ApiPassthrough"] = {
      {"Extensions",
       {{"CustomExtensions",
         json::array({{{"ObjectIdentifier", "1.2.3.4"}, {"Value", "AQI="}, {"Critical", nullptr},
                       {"Unknown", true}}})}}},
      {"Subject", {{"CommonName", "leaf"}, {"Country", nullptr}}},
      {"Nope", json::object()}};
  ASSERT_TRUE(Validate("IssueCertificate", in).ok());
  ServiceModel::AcmPca().PruneInput("IssueCertificate", in);

  json want = ValidIssue();
  want["ApiPassthrough"] = {
      {"Extensions",
       {{"CustomExtensions", json::array({{{"ObjectIdentifier", "1.2.3.4"}, {"Value", "AQI="}}})}}},
      {"Subject", {{"CommonName", "leaf"}}}};
  EXPECT_EQ(in, want);
}

TEST(PruneInputTest, ListElementsArePrunedEach) {
  json in = {{"CertificateAuthorityConfiguration",
              {{"KeyAlgorithm", "EC_prime256v1"},
               {"SigningAlgorithm", "SHA256WITHECDSA"},
               {"Subject", {{"CommonName", "x"}}}}},
             {"CertificateAuthorityType", "ROOT"},
             {"Tags", json::array({{{"Key", "k"}, {"Value", nullptr}, {"Other", 1}}})}};
  ASSERT_TRUE(Validate("CreateCertificateAuthority", in).ok());
  ServiceModel::AcmPca().PruneInput("CreateCertificateAuthority", in);
  EXPECT_EQ(in["Tags"], json::array({{{"Key", "k"}}}));
  EXPECT_EQ(in["CertificateAuthorityConfiguration"]["Subject"], json({{"CommonName", "x"}}));
}

}  // namespace
}  // namespace openpca::api

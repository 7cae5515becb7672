#include "audit/reports/report_rows.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "audit_test_util.h"

namespace openpca::audit {
namespace {

constexpr char kCaArn[] =
    "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/"
    "11111111-2222-3333-4444-555555555555";

AuditReportRow FullRow() {
  AuditReportRow row;
  row.aws_account_id = "111122223333";
  row.requested_by_service_principal = "acm.amazonaws.com";
  row.certificate_arn = std::string(kCaArn) + "/certificate/e8cb";
  row.serial = "e8:cb";
  row.subject = "CN=www.example1.com,OU=Sales,O=Example Company,C=US";
  row.not_before = "2020-02-26T18:39:57+0000";
  row.not_after = "2021-02-26T19:39:57+0000";
  row.issued_at = "2020-02-26T19:39:58+0000";
  row.revoked_at = "2020-02-26T20:00:36+0000";
  row.revocation_reason = "KEY_COMPROMISE";
  row.template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
  return row;
}

AuditReportRow MinimalRow() {
  AuditReportRow row = FullRow();
  row.requested_by_service_principal.reset();
  row.revoked_at.reset();
  row.revocation_reason.reset();
  return row;
}

TEST(ReportRowsTest, TimesAreUtcWithNumericZone) {
  EXPECT_EQ(ReportTime(1582742397), "2020-02-26T18:39:57+0000");
  EXPECT_EQ(ReportTime(0), "1970-01-01T00:00:00+0000");
  EXPECT_EQ(ReportTime(4102444799), "2099-12-31T23:59:59+0000");
}

TEST(ReportRowsTest, SerialsAreColonSeparatedLowerCaseBytes) {
  EXPECT_EQ(SerialWithColons("e8cbd2bedb122329f97706bcfec990f8"),
            "e8:cb:d2:be:db:12:23:29:f9:77:06:bc:fe:c9:90:f8");
  EXPECT_EQ(SerialWithColons("ABC"), "0a:bc");
  EXPECT_EQ(SerialWithColons("01"), "01");
}

TEST(ReportRowsTest, RevocationReasonsByAwsName) {
  EXPECT_EQ(RevocationReasonName(0), "UNSPECIFIED");
  EXPECT_EQ(RevocationReasonName(1), "KEY_COMPROMISE");
  EXPECT_EQ(RevocationReasonName(2), "CERTIFICATE_AUTHORITY_COMPROMISE");
  EXPECT_EQ(RevocationReasonName(3), "AFFILIATION_CHANGED");
  EXPECT_EQ(RevocationReasonName(4), "SUPERSEDED");
  EXPECT_EQ(RevocationReasonName(5), "CESSATION_OF_OPERATION");
  EXPECT_EQ(RevocationReasonName(9), "PRIVILEGE_WITHDRAWN");
  EXPECT_EQ(RevocationReasonName(10), "A_A_COMPROMISE");
  EXPECT_FALSE(RevocationReasonName(6).has_value());  // certificateHold: not an AWS reason
  EXPECT_FALSE(RevocationReasonName(7).has_value());
  EXPECT_FALSE(RevocationReasonName(8).has_value());
}

TEST(ReportRowsTest, CsvFieldsAreQuotedAsRfc4180Asks) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("CN=a,O=b"), "\"CN=a,O=b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

TEST(ReportRowsTest, CsvHeaderAndRowsInColumnOrder) {
  EXPECT_EQ(CsvHeader(),
            "awsAccountId,requestedByServicePrincipal,certificateArn,serial,subject,notBefore,"
            "notAfter,issuedAt,revokedAt,revocationReason,templateArn\r\n");
  EXPECT_EQ(CsvLine(FullRow()),
            std::string("111122223333,acm.amazonaws.com,") + kCaArn +
                "/certificate/e8cb,e8:cb,\"CN=www.example1.com,OU=Sales,O=Example Company,C=US\","
                "2020-02-26T18:39:57+0000,2021-02-26T19:39:57+0000,2020-02-26T19:39:58+0000,"
                "2020-02-26T20:00:36+0000,KEY_COMPROMISE,"
                "arn:aws:acm-pca:::template/EndEntityCertificate/V1\r\n");
  // Absent values are empty fields; the field count stays 11.
  EXPECT_EQ(CsvLine(MinimalRow()),
            std::string("111122223333,,") + kCaArn +
                "/certificate/e8cb,e8:cb,\"CN=www.example1.com,OU=Sales,O=Example Company,C=US\","
                "2020-02-26T18:39:57+0000,2021-02-26T19:39:57+0000,2020-02-26T19:39:58+0000,,,"
                "arn:aws:acm-pca:::template/EndEntityCertificate/V1\r\n");
}

TEST(ReportRowsTest, JsonOmitsAbsentKeysAndKeepsColumnOrder) {
  std::string text = JsonObject(MinimalRow());
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"awsAccountId", "certificateArn", "serial", "subject",
                                            "notBefore", "notAfter", "issuedAt", "templateArn"}));
  EXPECT_EQ(text.find("requestedByServicePrincipal"), std::string::npos);
  EXPECT_EQ(text.find("revokedAt"), std::string::npos);
  EXPECT_EQ(text.find("revocationReason"), std::string::npos);
  EXPECT_EQ(j["subject"], "CN=www.example1.com,OU=Sales,O=Example Company,C=US");

  nlohmann::ordered_json full = nlohmann::ordered_json::parse(JsonObject(FullRow()));
  EXPECT_EQ(full.size(), 11u);
  EXPECT_EQ(full.begin().key(), "awsAccountId");
  EXPECT_EQ(full["requestedByServicePrincipal"], "acm.amazonaws.com");
  EXPECT_EQ(full["revokedAt"], "2020-02-26T20:00:36+0000");
  EXPECT_EQ(full["revocationReason"], "KEY_COMPROMISE");
}

TEST(ReportRowsTest, JsonEscapesWhatJsonRequires) {
  AuditReportRow row = MinimalRow();
  row.subject = "CN=\"quoted\\\"";
  nlohmann::json j = nlohmann::json::parse(JsonObject(row));
  EXPECT_EQ(j["subject"], "CN=\"quoted\\\"");
}

TEST(ReportRowsTest, RowOfAStoredCertificate) {
  store::CertificateRecord cert;
  cert.ca_id = "11111111-2222-3333-4444-555555555555";
  cert.serial_hex = "4a0b0c";
  cert.der = testing::MakeCertificateDer("leaf.example.com", "Example, Inc.", "4a0b0c");
  cert.not_before_s = 1582738797;
  cert.not_after_s = 1614368397;
  cert.issued_at_ms = 1582742398999;  // the row truncates to whole seconds
  cert.template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
  cert.revoked_at_ms = 1582743636000;
  cert.revocation_reason = 4;

  Result<AuditReportRow> row = RowOf(ReportedCa{kCaArn, "111122223333"}, cert);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->aws_account_id, "111122223333");
  EXPECT_FALSE(row->requested_by_service_principal.has_value());
  EXPECT_EQ(row->certificate_arn, std::string(kCaArn) + "/certificate/4a0b0c");
  EXPECT_EQ(row->serial, "4a:0b:0c");
  EXPECT_EQ(row->subject, "CN=leaf.example.com,O=Example\\, Inc.");
  EXPECT_EQ(row->not_before, "2020-02-26T17:39:57+0000");
  EXPECT_EQ(row->not_after, "2021-02-26T19:39:57+0000");
  EXPECT_EQ(row->issued_at, "2020-02-26T18:39:58+0000");
  EXPECT_EQ(row->revoked_at, "2020-02-26T19:00:36+0000");
  EXPECT_EQ(row->revocation_reason, "SUPERSEDED");
  EXPECT_EQ(row->template_arn, "arn:aws:acm-pca:::template/EndEntityCertificate/V1");

  cert.revoked_at_ms.reset();
  cert.revocation_reason.reset();
  cert.requested_by_service_principal = "acm.amazonaws.com";
  row = RowOf(ReportedCa{kCaArn, "111122223333"}, cert);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->requested_by_service_principal, "acm.amazonaws.com");
  EXPECT_FALSE(row->revoked_at.has_value());
  EXPECT_FALSE(row->revocation_reason.has_value());
}

TEST(ReportRowsTest, CorruptDerIsAnInternalError) {
  store::CertificateRecord cert;
  cert.serial_hex = "01";
  cert.der = {0x30, 0x03, 0x02, 0x01};
  EXPECT_EQ(RowOf(ReportedCa{kCaArn, "111122223333"}, cert).status().code(),
            ErrorCode::kInternal);
}

}  // namespace
}  // namespace openpca::audit

// The generator end to end on a real SQLite store and bucket store: content, formats, failures,
// and reports left CREATING by a previous run.
#include "audit/reports/report_generator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit_test_util.h"
#include "store/sqlite/sqlite_audit_report_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::audit {
namespace {

namespace fs = std::filesystem;
constexpr char kCaId[] = "11111111-2222-3333-4444-555555555555";
constexpr char kAccount[] = "111122223333";
constexpr char kBucket[] = "audit-bucket";

class ReportGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "openpca-audit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto db = store::SqliteStore::Open((dir_ / "openpca.db").string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    reports_ = std::make_unique<store::SqliteAuditReportStore>(*db_);
    scan_ = std::make_unique<store::SqliteCertificateScan>(*db_);
    buckets_ = std::make_unique<objects::BucketStore>((dir_ / "buckets").string(), clock_);
    ASSERT_TRUE(buckets_->CreateBucket(kBucket).ok());

    store::CaRecord ca;
    ca.id = kCaId;
    ca.arn = std::string("arn:aws:acm-pca:us-east-1:") + kAccount + ":certificate-authority/" + kCaId;
    ca.account_id = kAccount;
    ca.type = "ROOT";
    ca.status = "ACTIVE";
    ca.version = 1;
    ca_arn_ = ca.arn;
    ASSERT_TRUE(db_->InsertCa(ca, {}, std::nullopt).ok());
    AddCertificate("0a01", "one.example.com", "", false);
    AddCertificate("0b02", "two, with comma", "acm.amazonaws.com", false);
    AddCertificate("0c03", "three.example.com", "", true);
    ASSERT_TRUE(db_->RevokeCertificate(kCaId, "0c03", 1582743636000, 1).ok());
  }

  void TearDown() override {
    generator_.reset();
    reports_.reset();
    scan_.reset();
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void AddCertificate(const std::string& serial, const std::string& cn,
                      const std::string& principal, bool ca_template) {
    store::CertificateRecord cert;
    cert.ca_id = kCaId;
    cert.serial_hex = serial;
    cert.der = testing::MakeCertificateDer(cn, "Example", serial);
    cert.not_before_s = 1582738797;
    cert.not_after_s = 1614368397;
    cert.issued_at_ms = 1582742398000;
    cert.template_arn = ca_template
                            ? "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"
                            : "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
    cert.requested_by_service_principal = principal;
    ASSERT_TRUE(db_->InsertCertificate(cert, std::nullopt).ok());
  }

  void MakeGenerator(std::function<Status(const std::string&, const std::string&,
                                          const std::string&, const std::string&)>
                         may_write = nullptr) {
    ReportGeneratorDeps deps;
    deps.cas = db_.get();
    deps.certificates = scan_.get();
    deps.reports = reports_.get();
    deps.buckets = buckets_.get();
    deps.clock = &clock_;
    deps.may_write = std::move(may_write);
    generator_ = std::make_unique<AuditReportGenerator>(std::move(deps));
  }

  store::AuditReportRecord Report(const std::string& id, const std::string& format) {
    store::AuditReportRecord r;
    r.id = id;
    r.ca_id = kCaId;
    r.bucket = kBucket;
    r.format = format;
    r.object_key = std::string("audit-report/") + kCaId + "/" + id +
                   (format == "JSON" ? ".json" : ".csv");
    r.status = "CREATING";
    r.created_at_ms = ToUnixMillis(clock_.Now());
    return r;
  }

  std::string Status(const store::AuditReportRecord& r) {
    auto got = reports_->GetAuditReport(kCaId, r.id);
    return got.ok() ? got->status : got.status().ToString();
  }

  fs::path dir_;
  FakeClock clock_{FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteAuditReportStore> reports_;
  std::unique_ptr<store::SqliteCertificateScan> scan_;
  std::unique_ptr<objects::BucketStore> buckets_;
  std::unique_ptr<AuditReportGenerator> generator_;
  std::string ca_arn_;
};

TEST_F(ReportGeneratorTest, JsonReportListsEveryCertificate) {
  MakeGenerator();
  store::AuditReportRecord r = Report("aaaaaaaa-0000-4000-8000-000000000001", "JSON");
  ASSERT_TRUE(reports_->InsertAuditReport(r, 0).ok());
  ASSERT_TRUE(generator_->Generate(r).ok());
  EXPECT_EQ(Status(r), "SUCCESS");
  auto text = buckets_->Read(kBucket, r.object_key);
  ASSERT_TRUE(text.ok());
  nlohmann::json j = nlohmann::json::parse(*text);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["serial"], "0a:01");
  EXPECT_EQ(j[0]["certificateArn"], ca_arn_ + "/certificate/0a01");
  EXPECT_EQ(j[0]["subject"], "CN=one.example.com,O=Example");
  EXPECT_FALSE(j[0].contains("requestedByServicePrincipal"));
  EXPECT_FALSE(j[0].contains("revokedAt"));
  EXPECT_EQ(j[1]["requestedByServicePrincipal"], "acm.amazonaws.com");
  EXPECT_EQ(j[2]["revocationReason"], "KEY_COMPROMISE");
  EXPECT_EQ(j[2]["revokedAt"], "2020-02-26T19:00:36+0000");
  EXPECT_EQ(j[2]["templateArn"],
            "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1");
  auto head = buckets_->Head(kBucket, r.object_key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->content_type, "application/json");
  EXPECT_FALSE(head->public_read);
}

TEST_F(ReportGeneratorTest, CsvReportHasHeaderAndOneLinePerCertificate) {
  MakeGenerator();
  store::AuditReportRecord r = Report("aaaaaaaa-0000-4000-8000-000000000002", "CSV");
  ASSERT_TRUE(reports_->InsertAuditReport(r, 0).ok());
  ASSERT_TRUE(generator_->Generate(r).ok());
  auto text = buckets_->Read(kBucket, r.object_key);
  ASSERT_TRUE(text.ok());
  std::string expected(CsvHeader());
  expected += "111122223333,," + ca_arn_ +
              "/certificate/0a01,0a:01,\"CN=one.example.com,O=Example\",2020-02-26T17:39:57+0000,"
              "2021-02-26T19:39:57+0000,2020-02-26T18:39:58+0000,,,"
              "arn:aws:acm-pca:::template/EndEntityCertificate/V1\r\n";
  EXPECT_EQ(text->substr(0, expected.size()), expected);
  EXPECT_NE(text->find("\"CN=two\\, with comma,O=Example\""), std::string::npos) << *text;
  size_t lines = 0;
  for (size_t p = text->find("\r\n"); p != std::string::npos; p = text->find("\r\n", p + 2)) ++lines;
  EXPECT_EQ(lines, 4u);
}

TEST_F(ReportGeneratorTest, RefusedBucketFailsTheReportAndWritesNothing) {
  MakeGenerator([](const std::string&, const std::string&, const std::string&,
                   const std::string&) { return ::openpca::Status(ErrorCode::kAccessDenied, "no"); });
  store::AuditReportRecord r = Report("aaaaaaaa-0000-4000-8000-000000000003", "JSON");
  ASSERT_TRUE(reports_->InsertAuditReport(r, 0).ok());
  EXPECT_EQ(generator_->Generate(r).code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(Status(r), "FAILED");
  auto page = buckets_->List(kBucket, "", "", "", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  // Finished reports are not finished again.
  EXPECT_EQ(reports_->FinishAuditReport(kCaId, r.id, "SUCCESS", 1).code(),
            ErrorCode::kInvalidState);
}

TEST_F(ReportGeneratorTest, MissingBucketFailsTheReport) {
  MakeGenerator();
  store::AuditReportRecord r = Report("aaaaaaaa-0000-4000-8000-000000000004", "CSV");
  r.bucket = "no-such-bucket";
  ASSERT_TRUE(reports_->InsertAuditReport(r, 0).ok());
  EXPECT_EQ(generator_->Generate(r).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(Status(r), "FAILED");
  EXPECT_FALSE(buckets_->BucketExists("no-such-bucket"));
}

TEST_F(ReportGeneratorTest, StartFinishesReportsLeftCreating) {
  store::AuditReportRecord r = Report("aaaaaaaa-0000-4000-8000-000000000005", "JSON");
  ASSERT_TRUE(reports_->InsertAuditReport(r, 0).ok());
  MakeGenerator();
  ASSERT_TRUE(generator_->Start().ok());
  // Wait for the worker (no timing assertion: the deadline only bounds a hung test).
  for (int i = 0; i < 1000 && Status(r) == "CREATING"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Status(r), "SUCCESS");
  auto text = buckets_->Read(kBucket, r.object_key);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(nlohmann::json::parse(*text).size(), 3u);
}

TEST_F(ReportGeneratorTest, EmptyCaGivesAnEmptyArray) {
  MakeGenerator();
  store::CaRecord other;
  other.id = "99999999-2222-3333-4444-555555555555";
  other.arn = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/" + other.id;
  other.account_id = kAccount;
  other.type = "ROOT";
  other.status = "ACTIVE";
  other.version = 1;
  ASSERT_TRUE(db_->InsertCa(other, {}, std::nullopt).ok());
  store::AuditReportRecord r = Report("aaaaaaaa-0000-4000-8000-000000000006", "JSON");
  r.ca_id = other.id;
  ASSERT_TRUE(reports_->InsertAuditReport(r, 0).ok());
  ASSERT_TRUE(generator_->Generate(r).ok());
  EXPECT_EQ(*buckets_->Read(kBucket, r.object_key), "[]");
}

}  // namespace
}  // namespace openpca::audit

// SqliteAuditReportStore (the one-report-per-interval rule, status transitions, restart listing)
// and SqliteCertificateScan (every certificate, in order, with the service principal column).
#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite/sqlite_audit_report_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace openpca::store {
namespace {

using testing::MakeCa;
using testing::MakeCertificate;
using testing::TempDir;

class AuditReportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteStore::Open(dir_.File("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    reports_ = std::make_unique<SqliteAuditReportStore>(*db_);
    scan_ = std::make_unique<SqliteCertificateScan>(*db_);
    ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
    ASSERT_OK(db_->InsertCa(MakeCa("ca2"), {}, std::nullopt));
  }

  static AuditReportRecord Report(std::string id, std::string ca_id, int64_t created_at_ms) {
    AuditReportRecord r;
    r.id = std::move(id);
    r.ca_id = std::move(ca_id);
    r.bucket = "bucket";
    r.object_key = "audit-report/" + r.ca_id + "/" + r.id + ".json";
    r.format = "JSON";
    r.status = "CREATING";
    r.created_at_ms = created_at_ms;
    return r;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> db_;
  std::unique_ptr<SqliteAuditReportStore> reports_;
  std::unique_ptr<SqliteCertificateScan> scan_;
};

TEST_F(AuditReportStoreTest, InsertGetAndFinish) {
  ASSERT_OK(reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  auto got = reports_->GetAuditReport("ca1", "r1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "CREATING");
  EXPECT_EQ(got->bucket, "bucket");
  EXPECT_EQ(got->object_key, "audit-report/ca1/r1.json");
  EXPECT_EQ(got->format, "JSON");
  EXPECT_EQ(got->created_at_ms, 1000);
  EXPECT_FALSE(got->finished_at_ms.has_value());
  // Another CA's id does not find it.
  EXPECT_EQ(reports_->GetAuditReport("ca2", "r1").status().code(), ErrorCode::kResourceNotFound);

  ASSERT_OK(reports_->FinishAuditReport("ca1", "r1", "SUCCESS", 2000));
  got = reports_->GetAuditReport("ca1", "r1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "SUCCESS");
  EXPECT_EQ(got->finished_at_ms, 2000);
  EXPECT_EQ(reports_->FinishAuditReport("ca1", "r1", "FAILED", 3000).code(),
            ErrorCode::kInvalidState);
  EXPECT_EQ(reports_->FinishAuditReport("ca1", "nope", "FAILED", 3000).code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(AuditReportStoreTest, OneReportPerCaPerInterval) {
  ASSERT_OK(reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  // Still CREATING: refused whatever the interval.
  EXPECT_EQ(reports_->InsertAuditReport(Report("r2", "ca1", 900'000), 800'000).code(),
            ErrorCode::kRequestInProgress);
  ASSERT_OK(reports_->FinishAuditReport("ca1", "r1", "SUCCESS", 2000));
  // Finished, but created at or after not_before: refused, nothing written.
  EXPECT_EQ(reports_->InsertAuditReport(Report("r2", "ca1", 1500), 1000).code(),
            ErrorCode::kRequestInProgress);
  EXPECT_EQ(reports_->GetAuditReport("ca1", "r2").status().code(), ErrorCode::kResourceNotFound);
  // Other CAs are not affected.
  ASSERT_OK(reports_->InsertAuditReport(Report("r3", "ca2", 1500), 1000));
  // Once the interval has passed.
  ASSERT_OK(reports_->InsertAuditReport(Report("r2", "ca1", 1'801'001), 1001));
  // A failed report counts too.
  ASSERT_OK(reports_->FinishAuditReport("ca1", "r2", "FAILED", 1'801'002));
  EXPECT_EQ(reports_->InsertAuditReport(Report("r4", "ca1", 1'801'003), 1'801'001).code(),
            ErrorCode::kRequestInProgress);
}

TEST_F(AuditReportStoreTest, UnknownCaAndDuplicateId) {
  EXPECT_EQ(reports_->InsertAuditReport(Report("r1", "nope", 1000), 0).code(),
            ErrorCode::kResourceNotFound);
  ASSERT_OK(reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  EXPECT_EQ(reports_->InsertAuditReport(Report("r1", "ca2", 1000), 0).code(),
            ErrorCode::kInvalidArgs);
}

TEST_F(AuditReportStoreTest, CreatingReportsSurviveReopenAndGoWithTheCa) {
  ASSERT_OK(reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  ASSERT_OK(reports_->InsertAuditReport(Report("r2", "ca2", 500), 0));
  ASSERT_OK(reports_->FinishAuditReport("ca2", "r2", "SUCCESS", 600));
  ASSERT_OK(reports_->InsertAuditReport(Report("r3", "ca2", 1'000'000), 700));
  reports_.reset();
  scan_.reset();
  db_.reset();
  auto db = SqliteStore::Open(dir_.File("db"));
  ASSERT_TRUE(db.ok());
  db_ = std::move(db).value();
  reports_ = std::make_unique<SqliteAuditReportStore>(*db_);
  auto creating = reports_->ListCreatingAuditReports();
  ASSERT_TRUE(creating.ok());
  ASSERT_EQ(creating->size(), 2u);
  EXPECT_EQ((*creating)[0].id, "r1");
  EXPECT_EQ((*creating)[1].id, "r3");

  ASSERT_OK(db_->PurgeCa("ca1"));
  EXPECT_EQ(reports_->GetAuditReport("ca1", "r1").status().code(), ErrorCode::kResourceNotFound);
  creating = reports_->ListCreatingAuditReports();
  ASSERT_TRUE(creating.ok());
  ASSERT_EQ(creating->size(), 1u);
}

TEST_F(AuditReportStoreTest, ScanVisitsEveryCertificateOfTheCaInSerialOrder) {
  for (const char* serial : {"7f01", "0a02", "4c03"}) {
    CertificateRecord cert = MakeCertificate("ca1", serial);
    if (std::string(serial) == "0a02") cert.requested_by_service_principal = "acm.amazonaws.com";
    ASSERT_OK(db_->InsertCertificate(cert, std::nullopt));
  }
  ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca2", "1111"), std::nullopt));
  ASSERT_OK(db_->RevokeCertificate("ca1", "4c03", 5000, 9));

  std::vector<CertificateRecord> seen;
  ASSERT_OK(scan_->ForEachCertificate("ca1", [&](const CertificateRecord& c) {
    seen.push_back(c);
    return Status::Ok();
  }));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].serial_hex, "0a02");
  EXPECT_EQ(seen[0].requested_by_service_principal, "acm.amazonaws.com");
  EXPECT_EQ(seen[1].serial_hex, "4c03");
  EXPECT_EQ(seen[1].revoked_at_ms, 5000);
  EXPECT_EQ(seen[1].revocation_reason, 9);
  EXPECT_EQ(seen[1].requested_by_service_principal, "");
  EXPECT_EQ(seen[2].serial_hex, "7f01");
  EXPECT_EQ(seen[2].der, MakeCertificate("ca1", "7f01").der);

  // GetCertificate reads the new column too.
  auto got = db_->GetCertificate("ca1", "0a02");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->requested_by_service_principal, "acm.amazonaws.com");

  // The callback's error stops the scan.
  int calls = 0;
  Status stopped = scan_->ForEachCertificate("ca1", [&](const CertificateRecord&) {
    ++calls;
    return Status(ErrorCode::kServiceUnavailable, "stop");
  });
  EXPECT_EQ(stopped.code(), ErrorCode::kServiceUnavailable);
  EXPECT_EQ(calls, 1);

  calls = 0;
  ASSERT_OK(scan_->ForEachCertificate("unknown", [&](const CertificateRecord&) {
    ++calls;
    return Status::Ok();
  }));
  EXPECT_EQ(calls, 0);
}

TEST_F(AuditReportStoreTest, ScanSeesOneSnapshot) {
  ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "02"), std::nullopt));
  int calls = 0;
  ASSERT_OK(scan_->ForEachCertificate("ca1", [&](const CertificateRecord&) {
    // Committed while the scan runs: not part of it.
    if (calls++ == 0) EXPECT_OK(db_->InsertCertificate(MakeCertificate("ca1", "03"), std::nullopt));
    return Status::Ok();
  }));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace openpca::store

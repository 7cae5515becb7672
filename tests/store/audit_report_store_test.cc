// AuditReportStore and CertificateScan on SQLite and PostgreSQL, typed suites: the
// one-report-per-interval rule, status transitions, restart listing; every certificate of a CA,
// in order, with the service principal column, from one snapshot. On PostgreSQL also: servers
// inserting reports at once.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "store_test_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

AuditReportRecord Report(std::string id, std::string ca_id, int64_t created_at_ms) {
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

template <typename Factory>
class AuditReportStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    Attach();
    ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
    ASSERT_OK(db_->InsertCa(MakeCa("ca2"), {}, std::nullopt));
  }
  void Attach() {
    db_ = &this->store();
    reports_ = Factory::NewAuditReportStore(this->store());
  }

  Store* db_ = nullptr;
  std::unique_ptr<AuditReportStore> reports_;
};

TYPED_TEST_SUITE(AuditReportStoreTest, StoreImplementations);

TYPED_TEST(AuditReportStoreTest, InsertGetAndFinish) {
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  auto got = this->reports_->GetAuditReport("ca1", "r1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "CREATING");
  EXPECT_EQ(got->bucket, "bucket");
  EXPECT_EQ(got->object_key, "audit-report/ca1/r1.json");
  EXPECT_EQ(got->format, "JSON");
  EXPECT_EQ(got->created_at_ms, 1000);
  EXPECT_FALSE(got->finished_at_ms.has_value());
  // Another CA's id does not find it.
  EXPECT_EQ(this->reports_->GetAuditReport("ca2", "r1").status().code(),
            ErrorCode::kResourceNotFound);

  ASSERT_OK(this->reports_->FinishAuditReport("ca1", "r1", "SUCCESS", 2000));
  got = this->reports_->GetAuditReport("ca1", "r1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "SUCCESS");
  EXPECT_EQ(got->finished_at_ms, 2000);
  EXPECT_EQ(this->reports_->FinishAuditReport("ca1", "r1", "FAILED", 3000).code(),
            ErrorCode::kInvalidState);
  EXPECT_EQ(this->reports_->FinishAuditReport("ca1", "nope", "FAILED", 3000).code(),
            ErrorCode::kResourceNotFound);
}

TYPED_TEST(AuditReportStoreTest, OneReportPerCaPerInterval) {
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  // Still CREATING: refused whatever the interval.
  EXPECT_EQ(this->reports_->InsertAuditReport(Report("r2", "ca1", 900'000), 800'000).code(),
            ErrorCode::kRequestInProgress);
  ASSERT_OK(this->reports_->FinishAuditReport("ca1", "r1", "SUCCESS", 2000));
  // Finished, but created at or after not_before: refused, nothing written.
  EXPECT_EQ(this->reports_->InsertAuditReport(Report("r2", "ca1", 1500), 1000).code(),
            ErrorCode::kRequestInProgress);
  EXPECT_EQ(this->reports_->GetAuditReport("ca1", "r2").status().code(),
            ErrorCode::kResourceNotFound);
  // Other CAs are not affected.
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r3", "ca2", 1500), 1000));
  // Once the interval has passed.
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r2", "ca1", 1'801'001), 1001));
  // A failed report counts too.
  ASSERT_OK(this->reports_->FinishAuditReport("ca1", "r2", "FAILED", 1'801'002));
  EXPECT_EQ(this->reports_->InsertAuditReport(Report("r4", "ca1", 1'801'003), 1'801'001).code(),
            ErrorCode::kRequestInProgress);
}

TYPED_TEST(AuditReportStoreTest, UnknownCaAndDuplicateId) {
  EXPECT_EQ(this->reports_->InsertAuditReport(Report("r1", "nope", 1000), 0).code(),
            ErrorCode::kResourceNotFound);
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  EXPECT_EQ(this->reports_->InsertAuditReport(Report("r1", "ca2", 1000), 0).code(),
            ErrorCode::kInvalidArgs);
}

TYPED_TEST(AuditReportStoreTest, CreatingReportsSurviveReopenAndGoWithTheCa) {
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r1", "ca1", 1000), 0));
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r2", "ca2", 500), 0));
  ASSERT_OK(this->reports_->FinishAuditReport("ca2", "r2", "SUCCESS", 600));
  ASSERT_OK(this->reports_->InsertAuditReport(Report("r3", "ca2", 1'000'000), 700));
  this->reports_.reset();
  this->Reopen();
  this->Attach();
  auto creating = this->reports_->ListCreatingAuditReports();
  ASSERT_TRUE(creating.ok());
  ASSERT_EQ(creating->size(), 2u);
  EXPECT_EQ((*creating)[0].id, "r1");
  EXPECT_EQ((*creating)[1].id, "r3");

  ASSERT_OK(this->db_->PurgeCa("ca1"));
  EXPECT_EQ(this->reports_->GetAuditReport("ca1", "r1").status().code(),
            ErrorCode::kResourceNotFound);
  creating = this->reports_->ListCreatingAuditReports();
  ASSERT_TRUE(creating.ok());
  ASSERT_EQ(creating->size(), 1u);
}

template <typename Factory>
class CertificateScanTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    db_ = &this->store();
    scan_ = Factory::NewCertificateScan(this->store());
    ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
    ASSERT_OK(db_->InsertCa(MakeCa("ca2"), {}, std::nullopt));
  }

  Store* db_ = nullptr;
  std::unique_ptr<CertificateScan> scan_;
};

TYPED_TEST_SUITE(CertificateScanTest, StoreImplementations);

TYPED_TEST(CertificateScanTest, ScanVisitsEveryCertificateOfTheCaInSerialOrder) {
  for (const char* serial : {"7f01", "0a02", "4c03"}) {
    CertificateRecord cert = MakeCertificate("ca1", serial);
    if (std::string(serial) == "0a02") cert.requested_by_service_principal = "acm.amazonaws.com";
    ASSERT_OK(this->db_->InsertCertificate(cert, std::nullopt));
  }
  ASSERT_OK(this->db_->InsertCertificate(MakeCertificate("ca2", "1111"), std::nullopt));
  ASSERT_OK(this->db_->RevokeCertificate("ca1", "4c03", 5000, 9));

  std::vector<CertificateRecord> seen;
  ASSERT_OK(this->scan_->ForEachCertificate("ca1", [&](const CertificateRecord& c) {
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
  auto got = this->db_->GetCertificate("ca1", "0a02");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->requested_by_service_principal, "acm.amazonaws.com");

  // The callback's error stops the scan.
  int calls = 0;
  Status stopped = this->scan_->ForEachCertificate("ca1", [&](const CertificateRecord&) {
    ++calls;
    return Status(ErrorCode::kServiceUnavailable, "stop");
  });
  EXPECT_EQ(stopped.code(), ErrorCode::kServiceUnavailable);
  EXPECT_EQ(calls, 1);

  calls = 0;
  ASSERT_OK(this->scan_->ForEachCertificate("unknown", [&](const CertificateRecord&) {
    ++calls;
    return Status::Ok();
  }));
  EXPECT_EQ(calls, 0);
}

TYPED_TEST(CertificateScanTest, ScanSeesOneSnapshot) {
  ASSERT_OK(this->db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  ASSERT_OK(this->db_->InsertCertificate(MakeCertificate("ca1", "02"), std::nullopt));
  int calls = 0;
  ASSERT_OK(this->scan_->ForEachCertificate("ca1", [&](const CertificateRecord&) {
    // Committed while the scan runs: not part of it.
    if (calls++ == 0)
      EXPECT_OK(this->db_->InsertCertificate(MakeCertificate("ca1", "03"), std::nullopt));
    return Status::Ok();
  }));
  EXPECT_EQ(calls, 2);
}

// Servers sharing a database insert reports for one CA at once: exactly one gets through.
TEST(PgAuditReportStoreTest, ConcurrentInsertsFromTwoServersLetOneThrough) {
  PostgresStoreFactory factory;
  if (std::optional<std::string> why = factory.SkipReason()) {
    if (getenv("OPENPCA_REQUIRE_POSTGRES") != nullptr) FAIL() << *why;
    GTEST_SKIP() << *why;
  }
  std::unique_ptr<PgStore> servers[2];
  std::unique_ptr<PgAuditReportStore> reports[2];
  for (int i = 0; i < 2; ++i) {
    auto opened = PgStore::Open(factory.ConnInfo());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    servers[i] = std::move(opened).value();
    reports[i] = std::make_unique<PgAuditReportStore>(*servers[i]);
  }
  ASSERT_OK(servers[0]->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  constexpr int kPerServer = 8;
  std::atomic<int> inserted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < kPerServer; ++i) {
      threads.emplace_back([&, s, i] {
        Status st = reports[s]->InsertAuditReport(
            Report("r" + std::to_string(s) + "-" + std::to_string(i), "ca1", 1000), 0);
        if (st.ok()) {
          ++inserted;
        } else if (st.code() == ErrorCode::kRequestInProgress) {
          ++refused;
        } else {
          ADD_FAILURE() << st.ToString();
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(refused.load(), 2 * kPerServer - 1);
  auto creating = reports[1]->ListCreatingAuditReports();
  ASSERT_TRUE(creating.ok());
  EXPECT_EQ(creating->size(), 1u);
}

}  // namespace
}  // namespace openpca::store::testing

// StatsStore on SQLite and PostgreSQL, one typed suite: CA expiries across accounts and the
// per-CA expiry buckets of issued certificates, and the writer's batch-size histogram.
#include <gtest/gtest.h>

#include "metrics/histogram.h"
#include "store_test_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kDay = 86400;

template <typename Factory>
class StatsStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    db_ = &this->store();
    stats_ = Factory::NewStatsStore(this->store());
  }

  void AddCa(const std::string& id, const std::string& account, const std::string& status,
             std::optional<int64_t> not_after) {
    CaRecord ca = MakeCa(id, account);
    ca.status = status;
    ca.not_after_s = not_after;
    ASSERT_TRUE(db_->InsertCa(ca, {}, std::nullopt).ok());
  }

  void AddCert(const std::string& ca, const std::string& serial, int64_t not_after) {
    CertificateRecord cert = MakeCertificate(ca, serial);
    cert.not_after_s = not_after;
    ASSERT_TRUE(db_->InsertCertificate(cert, std::nullopt).ok());
  }

  Store* db_ = nullptr;
  std::unique_ptr<StatsStore> stats_;
};

TYPED_TEST_SUITE(StatsStoreTest, StoreImplementations);

TYPED_TEST(StatsStoreTest, ListsCasWithCertificatesOfEveryAccount) {
  this->AddCa("a", "111122223333", "ACTIVE", kNow + 10 * kDay);
  this->AddCa("b", "444455556666", "DISABLED", kNow - kDay);
  this->AddCa("c", "111122223333", "PENDING_CERTIFICATE", std::nullopt);
  this->AddCa("d", "111122223333", "DELETED", kNow + kDay);
  Result<std::vector<CaExpiryRecord>> cas = this->stats_->ListCaExpiries();
  ASSERT_TRUE(cas.ok()) << cas.status().ToString();
  ASSERT_EQ(cas->size(), 2u);
  EXPECT_EQ((*cas)[0].ca_id, "a");
  EXPECT_EQ((*cas)[0].not_after_s, kNow + 10 * kDay);
  EXPECT_EQ((*cas)[1].ca_id, "b");
  EXPECT_EQ((*cas)[1].status, "DISABLED");
}

TYPED_TEST(StatsStoreTest, CountsUnrevokedUnexpiredCertificatesPerCaAndBucket) {
  this->AddCa("a", "111122223333", "ACTIVE", kNow + 1000 * kDay);
  this->AddCa("b", "111122223333", "ACTIVE", kNow + 1000 * kDay);
  this->AddCert("a", "01", kNow + kDay);        // bucket 0 (<= 7 days; the bound is inclusive)
  this->AddCert("a", "02", kNow + 7 * kDay);    // bucket 0
  this->AddCert("a", "03", kNow + 8 * kDay);    // bucket 1 (<= 90 days)
  this->AddCert("a", "04", kNow + 400 * kDay);  // bucket 2 (beyond)
  this->AddCert("a", "05", kNow - 1);           // expired: not counted
  this->AddCert("a", "06", kNow + 2 * kDay);    // revoked below: not counted
  this->AddCert("b", "01", kNow + 30 * kDay);   // bucket 1
  ASSERT_TRUE(this->db_->RevokeCertificate("a", "06", kNow * 1000, 1).ok());
  const int64_t bounds[] = {7 * kDay, 90 * kDay};
  Result<std::vector<ExpiryBucketCount>> counts =
      this->stats_->CountCertificatesByExpiry(kNow, bounds);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 4u);
  EXPECT_EQ((*counts)[0].ca_id, "a");
  EXPECT_EQ((*counts)[0].bucket, 0u);
  EXPECT_EQ((*counts)[0].count, 2);
  EXPECT_EQ((*counts)[0].seconds_left, 8 * kDay);
  EXPECT_EQ((*counts)[1].bucket, 1u);
  EXPECT_EQ((*counts)[1].count, 1);
  EXPECT_EQ((*counts)[2].bucket, 2u);
  EXPECT_EQ((*counts)[2].count, 1);
  EXPECT_EQ((*counts)[3].ca_id, "b");
  EXPECT_EQ((*counts)[3].bucket, 1u);
  EXPECT_EQ((*counts)[3].seconds_left, 30 * kDay);
}

TYPED_TEST(StatsStoreTest, WriterObservesEveryBatchSize) {
  metrics::Histogram sizes({1, 8, 64});
  TypeParam::Writer(this->store()).SetBatchSizeHistogram(&sizes);
  this->AddCa("a", "111122223333", "ACTIVE", std::nullopt);
  this->AddCa("b", "111122223333", "ACTIVE", std::nullopt);
  TypeParam::Writer(this->store()).SetBatchSizeHistogram(nullptr);
  metrics::HistogramSnapshot s = sizes.Snapshot();
  EXPECT_EQ(s.Count(), 2u);  // one batch per insert, each of one job
  EXPECT_EQ(s.counts[0], 2u);
  EXPECT_DOUBLE_EQ(s.sum, 2);
  EXPECT_EQ(TypeParam::Writer(this->store()).queue_depth(), 0u);
}

}  // namespace
}  // namespace openpca::store::testing

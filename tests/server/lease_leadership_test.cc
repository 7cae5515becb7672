// LeaseLeadership over a real SQLite lease table: one server holds a job, the other does not;
// the job moves when its holder stops renewing (dies) or stops (orderly hand-over); housekeeping
// runs its pass only where it holds the job.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "server/housekeeping.h"
#include "server/lease_leadership.h"
#include "store/sqlite/sqlite_lease_store.h"
#include "store/sqlite/sqlite_store.h"
#include "../store/test_util.h"

namespace openpca::server {
namespace {

using std::chrono::seconds;

class LeaseLeadershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::SqliteStore::Open(dir_.File("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    leases_ = std::make_unique<store::SqliteLeaseStore>(*db_);
  }
  std::unique_ptr<LeaseLeadership> Server(const char* id) {
    return std::make_unique<LeaseLeadership>(*leases_, id, clock_, seconds(30),
                                             spdlog::default_logger());
  }

  store::testing::TempDir dir_;
  FakeClock clock_{FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteLeaseStore> leases_;
};

TEST_F(LeaseLeadershipTest, OneServerHoldsEachJob) {
  auto a = Server("a");
  auto b = Server("b");
  EXPECT_TRUE(a->Holds("crl-sweep"));
  EXPECT_FALSE(b->Holds("crl-sweep"));
  EXPECT_TRUE(b->Holds("acm-renewal"));  // jobs are leased one by one
  EXPECT_FALSE(a->Holds("acm-renewal"));
  clock_.Advance(seconds(20));  // a renews past half of the term
  EXPECT_TRUE(a->Holds("crl-sweep"));
  clock_.Advance(seconds(20));  // 40 s after a took it: renewed at 20 s, so still a's
  EXPECT_FALSE(b->Holds("crl-sweep"));
  auto stored = leases_->GetLease("crl-sweep");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->holder, "a");
  EXPECT_EQ((*stored)->fencing_token, 1);
}

TEST_F(LeaseLeadershipTest, JobMovesWhenItsHolderStopsRenewing) {
  auto a = Server("a");
  auto b = Server("b");
  ASSERT_TRUE(a->Holds("trail-delivery"));
  clock_.Advance(seconds(29));
  EXPECT_FALSE(b->Holds("trail-delivery"));
  clock_.Advance(seconds(1));  // a's term is over: a "died" without renewing
  EXPECT_TRUE(b->Holds("trail-delivery"));
  EXPECT_FALSE(a->Holds("trail-delivery"));  // a comes back and finds it taken
  EXPECT_EQ((*leases_->GetLease("trail-delivery"))->fencing_token, 2);
}

TEST_F(LeaseLeadershipTest, StopHandsJobsOverAtOnce) {
  auto a = Server("a");
  auto b = Server("b");
  ASSERT_TRUE(a->Holds("housekeeping"));
  a->Stop();
  EXPECT_FALSE(a->Holds("housekeeping"));
  EXPECT_TRUE(b->Holds("housekeeping"));
}

TEST_F(LeaseLeadershipTest, HousekeepingPurgesOnlyWhereItHoldsTheJob) {
  // An expired claim to purge.
  ASSERT_TRUE(db_->InsertCa(store::testing::MakeCa("ca1"), {}, std::nullopt).ok());
  ASSERT_TRUE(db_->InsertCertificate(store::testing::MakeCertificate("ca1", "01"),
                                     store::IdempotencyClaim{"scope", "arn:x", 1})
                  .ok());
  auto a = Server("a");
  auto b = Server("b");
  ASSERT_TRUE(a->Holds("housekeeping"));
  Housekeeping on_b(*db_, clock_, std::chrono::milliseconds(10), spdlog::default_logger());
  on_b.SetLeadership(b.get());
  on_b.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // several rounds on b
  on_b.Stop();
  auto claim = db_->FindIdempotencyClaim("scope", 0);
  ASSERT_TRUE(claim.ok() && claim->has_value()) << "b purged without holding the job";

  Housekeeping on_a(*db_, clock_, std::chrono::milliseconds(10), spdlog::default_logger());
  on_a.SetLeadership(a.get());
  on_a.Start();
  for (int i = 0; i < 200; ++i) {
    if (!db_->FindIdempotencyClaim("scope", 0)->has_value()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  on_a.Stop();
  EXPECT_FALSE(db_->FindIdempotencyClaim("scope", 0)->has_value());
}

}  // namespace
}  // namespace openpca::server

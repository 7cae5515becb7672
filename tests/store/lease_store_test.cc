// LeaseStore on SQLite and PostgreSQL: who holds a lease, renewal, expiry and takeover with a
// fencing token that grows at every change of holder, release, and servers racing for one lease.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_lease_store.h"
#include "store/sqlite/sqlite_lease_store.h"
#include "store_test_fixture.h"

namespace openpca::store::testing {
namespace {

std::unique_ptr<LeaseStore> LeasesOf(Store& store) {
  if (auto* sqlite = dynamic_cast<SqliteStore*>(&store)) {
    return std::make_unique<SqliteLeaseStore>(*sqlite);
  }
  return std::make_unique<PgLeaseStore>(dynamic_cast<PgStore&>(store));
}

template <typename Factory>
class LeaseStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    leases_ = LeasesOf(this->store());
  }
  std::unique_ptr<LeaseStore> leases_;
};

TYPED_TEST_SUITE(LeaseStoreTest, StoreImplementations);

constexpr int64_t kTerm = 30'000;

TYPED_TEST(LeaseStoreTest, FirstHolderGetsTokenOneAndRenewsKeepingIt) {
  auto a = this->leases_->AcquireLease("crl-sweep", "server-a", 1'000, kTerm);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->holder, "server-a");
  EXPECT_EQ((*a)->expires_at_ms, 31'000);
  EXPECT_EQ((*a)->fencing_token, 1);

  auto renewed = this->leases_->AcquireLease("crl-sweep", "server-a", 20'000, kTerm);
  ASSERT_TRUE(renewed.ok() && renewed->has_value());
  EXPECT_EQ((*renewed)->expires_at_ms, 50'000);
  EXPECT_EQ((*renewed)->fencing_token, 1);
}

TYPED_TEST(LeaseStoreTest, AnotherHolderWaitsForExpiryThenTakesOverWithANewToken) {
  ASSERT_TRUE(this->leases_->AcquireLease("renewals", "server-a", 1'000, kTerm)->has_value());
  auto refused = this->leases_->AcquireLease("renewals", "server-b", 30'999, kTerm);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->has_value());
  auto stored = this->leases_->GetLease("renewals");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->holder, "server-a");  // the refused attempt changed nothing
  EXPECT_EQ((*stored)->expires_at_ms, 31'000);

  auto taken = this->leases_->AcquireLease("renewals", "server-b", 31'000, kTerm);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->holder, "server-b");
  EXPECT_EQ((*taken)->fencing_token, 2);
  // The old holder finds it gone.
  EXPECT_FALSE(this->leases_->AcquireLease("renewals", "server-a", 31'001, kTerm)->has_value());
  // Leases are independent of each other.
  EXPECT_TRUE(this->leases_->AcquireLease("purge", "server-a", 31'001, kTerm)->has_value());
}

TYPED_TEST(LeaseStoreTest, ReleaseHandsTheLeaseOverAtOnceAndOnlyByItsHolder) {
  ASSERT_TRUE(this->leases_->AcquireLease("ocsp", "server-a", 1'000, kTerm)->has_value());
  ASSERT_TRUE(this->leases_->ReleaseLease("ocsp", "server-b").ok());  // not the holder
  EXPECT_FALSE(this->leases_->AcquireLease("ocsp", "server-b", 2'000, kTerm)->has_value());
  ASSERT_TRUE(this->leases_->ReleaseLease("ocsp", "server-a").ok());
  // Free at once, even for a server whose clock is behind the releaser's.
  auto taken = this->leases_->AcquireLease("ocsp", "server-b", 500, kTerm);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->fencing_token, 2);
}

TYPED_TEST(LeaseStoreTest, RejectsEmptyNamesAndTerms) {
  EXPECT_EQ(this->leases_->AcquireLease("", "a", 0, kTerm).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(this->leases_->AcquireLease("x", "", 0, kTerm).status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(this->leases_->AcquireLease("x", "a", 0, 0).status().code(), ErrorCode::kInvalidArgs);
  EXPECT_FALSE(this->leases_->GetLease("x")->has_value());
}

TYPED_TEST(LeaseStoreTest, ServersRacingForAnExpiredLeaseYieldExactlyOneHolder) {
  ASSERT_TRUE(this->leases_->AcquireLease("delivery", "old", 0, 10)->has_value());
  // Four "servers", each with its own store on the same database.
  constexpr int kServers = 4;
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<std::unique_ptr<LeaseStore>> leases;
  for (int i = 0; i < kServers; ++i) {
    auto opened = this->factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    stores.push_back(std::move(opened).value());
    leases.push_back(LeasesOf(*stores.back()));
  }
  std::atomic<int> winners{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      auto got = leases[i]->AcquireLease("delivery", "server-" + std::to_string(i), 1'000, kTerm);
      if (!got.ok()) {
        failures.fetch_add(1);
      } else if (got->has_value()) {
        winners.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(winners.load(), 1);
  auto stored = this->leases_->GetLease("delivery");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->fencing_token, 2);
  EXPECT_NE((*stored)->holder, "old");
}

}  // namespace
}  // namespace openpca::store::testing

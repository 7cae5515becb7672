// Housekeeping's pass over a real SQLite database: expired idempotency claims of acm-pca (Store)
// and of ACM (AcmStore) are purged in one pass; live ones stay.
#include "server/housekeeping.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include <spdlog/spdlog.h>

#include "store/sqlite/sqlite_acm_store.h"
#include "store/sqlite/sqlite_store.h"
#include "../store/test_util.h"

namespace openpca::server {
namespace {

constexpr int64_t kNowMs = 1'800'000'000'000;

TEST(HousekeepingTest, OnePassPurgesExpiredClaimsOfAcmPcaAndOfAcm) {
  store::testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  store::SqliteAcmStore acm(**db);
  ASSERT_TRUE((*db)->InsertCa(store::testing::MakeCa("ca1"), {}, std::nullopt).ok());
  ASSERT_TRUE((*db)->InsertCertificate(store::testing::MakeCertificate("ca1", "01"),
                                       store::IdempotencyClaim{"pca-expired", "arn:1", kNowMs})
                  .ok());
  ASSERT_TRUE(acm.PutDaysBeforeExpiry("111122223333", 30, kNowMs - 10,
                                      store::IdempotencyClaim{"acm-expired", "", kNowMs})
                  .ok());
  ASSERT_TRUE(acm.PutDaysBeforeExpiry("444455556666", 30, kNowMs - 10,
                                      store::IdempotencyClaim{"acm-live", "", kNowMs + 1})
                  .ok());

  FakeClock clock{FromUnixMillis(kNowMs)};
  Housekeeping housekeeping(**db, clock, std::chrono::minutes(10), spdlog::default_logger());
  housekeeping.SetAcmStore(&acm);
  Result<int64_t> purged = housekeeping.RunOnce();
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 2);
  EXPECT_FALSE((*db)->FindIdempotencyClaim("pca-expired", 0)->has_value());
  EXPECT_FALSE(acm.FindIdempotencyClaim("acm-expired", 0)->has_value());
  EXPECT_TRUE(acm.FindIdempotencyClaim("acm-live", kNowMs)->has_value());
}

}  // namespace
}  // namespace openpca::server

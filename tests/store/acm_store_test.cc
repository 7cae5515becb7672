// AcmStore on every implementation: certificates with every column, idempotency claims, optimistic
// updates (a managed renewal is claimed once, also by two stores on one database), the scheduler's
// and the metrics' range scans, expiry-event days and account configuration.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "domain_store_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

std::string Arn(std::string_view id) {
  return "arn:aws:acm:us-east-1:111122223333:certificate/" + std::string(id);
}

AcmCertificateRecord MakeAcmCertificate(std::string_view id, int64_t created_at_ms = 1000) {
  AcmCertificateRecord c;
  c.arn = Arn(id);
  c.account_id = "111122223333";
  c.region = "us-east-1";
  c.type = "PRIVATE";
  c.status = "PENDING_VALIDATION";
  c.domain_name = "www.example.test";
  c.sans = {"www.example.test", "example.test"};
  c.key_algorithm = "EC_prime256v1";
  c.ca_arn = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca1";
  c.created_at_ms = created_at_ms;
  c.tags = {Tag{"env", std::string("test")}, Tag{"bare", std::nullopt}};
  return c;
}

// An issued certificate expiring at `not_after_s`, due for renewal at `next_renewal_s`.
AcmCertificateRecord Issued(std::string_view id, int64_t not_after_s,
                            std::optional<int64_t> next_renewal_s) {
  AcmCertificateRecord c = MakeAcmCertificate(id);
  c.status = "ISSUED";
  c.not_before_s = not_after_s - 395 * 86400;
  c.not_after_s = not_after_s;
  c.next_renewal_s = next_renewal_s;
  return c;
}

template <typename Factory>
class AcmStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    acm_ = Factory::Acm(this->store());
  }

  std::unique_ptr<AcmStore> acm_;  // destroyed before the Store it uses
};

TYPED_TEST_SUITE(AcmStoreTest, DomainStoreImplementations);

TYPED_TEST(AcmStoreTest, EveryColumnRoundTrips) {
  AcmStore& acm = *this->acm_;
  AcmCertificateRecord c = MakeAcmCertificate("c1");
  c.status = "ISSUED";
  c.failure_reason = "";
  c.pca_certificate_arn = c.ca_arn + "/certificate/0a";
  c.serial_hex = "0a1b";
  c.certificate_der = {0x30, 0x82, 0x00, 0x01, 0xff};
  c.chain_pem = "-----BEGIN CERTIFICATE-----\n...\n";
  c.sealed_key = {0x00, 0x00, 0x10, 0xee};
  c.not_before_s = 1'700'000'000;
  c.not_after_s = 1'734'128'000;
  c.issued_at_ms = 1'700'000'000'500;
  c.revoked_at_ms = 1'700'000'100'000;
  c.revocation_reason = "KEY_COMPROMISE";
  c.export_option = "DISABLED";
  c.ct_logging = "DISABLED";
  c.exported = true;
  c.in_use_by = {"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x"};
  c.renewal_status = "PENDING_AUTO_RENEWAL";
  c.renewal_reason = "PCA_ACCESS_DENIED";
  c.renewal_updated_at_ms = 1'700'000'200'000;
  c.next_renewal_s = 1'728'944'000;
  c.last_expiry_event_day = 19'700;
  c.version = 42;  // ignored: an insert stores version 1
  ASSERT_OK(acm.InsertCertificate(c, std::nullopt));

  Result<AcmCertificateRecord> got = acm.GetCertificate(c.arn);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->account_id, c.account_id);
  EXPECT_EQ(got->region, c.region);
  EXPECT_EQ(got->type, c.type);
  EXPECT_EQ(got->status, c.status);
  EXPECT_EQ(got->domain_name, c.domain_name);
  EXPECT_EQ(got->sans, c.sans);
  EXPECT_EQ(got->key_algorithm, c.key_algorithm);
  EXPECT_EQ(got->ca_arn, c.ca_arn);
  EXPECT_EQ(got->pca_certificate_arn, c.pca_certificate_arn);
  EXPECT_EQ(got->serial_hex, c.serial_hex);
  EXPECT_EQ(got->certificate_der, c.certificate_der);
  EXPECT_EQ(got->chain_pem, c.chain_pem);
  EXPECT_EQ(got->sealed_key, c.sealed_key);
  EXPECT_EQ(got->not_before_s, c.not_before_s);
  EXPECT_EQ(got->not_after_s, c.not_after_s);
  EXPECT_EQ(got->created_at_ms, c.created_at_ms);
  EXPECT_EQ(got->issued_at_ms, c.issued_at_ms);
  EXPECT_EQ(got->imported_at_ms, std::nullopt);
  EXPECT_EQ(got->revoked_at_ms, c.revoked_at_ms);
  EXPECT_EQ(got->revocation_reason, c.revocation_reason);
  EXPECT_EQ(got->export_option, c.export_option);
  EXPECT_EQ(got->ct_logging, c.ct_logging);
  EXPECT_TRUE(got->exported);
  EXPECT_EQ(got->in_use_by, c.in_use_by);
  EXPECT_EQ(got->renewal_status, c.renewal_status);
  EXPECT_EQ(got->renewal_reason, c.renewal_reason);
  EXPECT_EQ(got->renewal_updated_at_ms, c.renewal_updated_at_ms);
  EXPECT_EQ(got->next_renewal_s, c.next_renewal_s);
  EXPECT_EQ(got->last_expiry_event_day, c.last_expiry_event_day);
  ASSERT_EQ(got->tags.size(), 2u);
  EXPECT_EQ(got->tags[0].value, std::optional<std::string>("test"));
  EXPECT_EQ(got->tags[1].value, std::nullopt);
  EXPECT_EQ(got->version, 1);

  EXPECT_EQ(acm.GetCertificate(Arn("none")).status().code(), ErrorCode::kResourceNotFound);
}

TYPED_TEST(AcmStoreTest, InsertIsOncePerArnAndPerLiveIdempotencyToken) {
  AcmStore& acm = *this->acm_;
  const IdempotencyClaim claim{"RequestCertificate|111122223333|us-east-1|tok", Arn("c1"), 5000};
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c1"), claim));
  EXPECT_EQ(acm.InsertCertificate(MakeAcmCertificate("c1"), std::nullopt).code(),
            ErrorCode::kAlreadyExists);
  // The token is live until 5000: a second request with it inserts nothing.
  IdempotencyClaim again = claim;
  again.result = Arn("c2");
  EXPECT_EQ(acm.InsertCertificate(MakeAcmCertificate("c2", 4000), again).code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(acm.GetCertificate(Arn("c2")).status().code(), ErrorCode::kResourceNotFound);
  auto live = acm.FindIdempotencyClaim(claim.scope_key, 4999);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->result, Arn("c1"));
  EXPECT_EQ((*live)->expires_at_ms, 5000);
  EXPECT_FALSE(acm.FindIdempotencyClaim(claim.scope_key, 5000)->has_value());
  // Once expired, the token may be claimed again.
  again.expires_at_ms = 9000;
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c2", 5000), again));
  EXPECT_EQ((*acm.FindIdempotencyClaim(claim.scope_key, 5000))->result, Arn("c2"));
}

TYPED_TEST(AcmStoreTest, UpdateIsACompareAndSwapOnTheVersion) {
  AcmStore& acm = *this->acm_;
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c1"), std::nullopt));
  AcmCertificateRecord read = *acm.GetCertificate(Arn("c1"));
  AcmCertificateRecord first = read;
  first.status = "ISSUED";
  first.renewal_status = "PENDING_AUTO_RENEWAL";
  ASSERT_OK(acm.UpdateCertificate(first));
  AcmCertificateRecord stale = read;
  stale.status = "FAILED";
  EXPECT_EQ(acm.UpdateCertificate(stale).code(), ErrorCode::kConcurrentModification);
  AcmCertificateRecord now = *acm.GetCertificate(Arn("c1"));
  EXPECT_EQ(now.status, "ISSUED");
  EXPECT_EQ(now.renewal_status, "PENDING_AUTO_RENEWAL");
  EXPECT_EQ(now.version, 2);

  AcmCertificateRecord missing = MakeAcmCertificate("none");
  missing.version = 1;
  EXPECT_EQ(acm.UpdateCertificate(missing).code(), ErrorCode::kResourceNotFound);
}

TYPED_TEST(AcmStoreTest, UpdateNeverMovesTheExpiryEventDayBack) {
  AcmStore& acm = *this->acm_;
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c1"), std::nullopt));
  AcmCertificateRecord read = *acm.GetCertificate(Arn("c1"));
  Result<bool> claimed = acm.ClaimExpiryEventDay(Arn("c1"), 20'000);
  ASSERT_TRUE(claimed.ok());
  EXPECT_TRUE(*claimed);
  EXPECT_FALSE(*acm.ClaimExpiryEventDay(Arn("c1"), 20'000));
  EXPECT_FALSE(*acm.ClaimExpiryEventDay(Arn("c1"), 19'999));
  EXPECT_TRUE(*acm.ClaimExpiryEventDay(Arn("c1"), 20'001));
  EXPECT_FALSE(*acm.ClaimExpiryEventDay(Arn("none"), 20'002));
  // The claim does not change the version: an update from the earlier read still applies, but keeps
  // the later day.
  read.in_use_by = {"arn:x"};
  ASSERT_OK(acm.UpdateCertificate(read));
  AcmCertificateRecord now = *acm.GetCertificate(Arn("c1"));
  EXPECT_EQ(now.last_expiry_event_day, 20'001);
  EXPECT_EQ(now.in_use_by, (std::vector<std::string>{"arn:x"}));
}

TYPED_TEST(AcmStoreTest, ARenewalIsClaimedOnceByTwoStoresOnOneDatabase) {
  // A second store on the same database: another server.
  Result<std::unique_ptr<Store>> other_db = this->factory_.Open();
  ASSERT_TRUE(other_db.ok()) << other_db.status().ToString();
  std::unique_ptr<AcmStore> other = TypeParam::Acm(**other_db);
  AcmStore* stores[2] = {this->acm_.get(), other.get()};
  ASSERT_OK(stores[0]->InsertCertificate(Issued("c1", 2'000'000'000, 1'990'000'000), std::nullopt));

  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    // Both schedulers see the renewal due in the same version of the record...
    AcmCertificateRecord seen = *stores[0]->GetCertificate(Arn("c1"));
    ASSERT_EQ(*stores[1]->GetCertificate(Arn("c1"))->next_renewal_s, *seen.next_renewal_s);
    // ...and claim it at once.
    std::latch start(2);
    Status results[2];
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        AcmCertificateRecord claim = seen;
        claim.renewal_status = "PENDING_AUTO_RENEWAL";
        claim.renewal_updated_at_ms = 1000 * round + i;
        claim.next_renewal_s = *seen.next_renewal_s + 3600;
        start.arrive_and_wait();
        results[i] = stores[i]->UpdateCertificate(claim);
      });
    }
    for (std::thread& t : threads) t.join();
    int won = 0;
    for (const Status& s : results) {
      if (s.ok()) {
        ++won;
      } else {
        EXPECT_EQ(s.code(), ErrorCode::kConcurrentModification) << s.ToString();
      }
    }
    EXPECT_EQ(won, 1) << "round " << round;
    AcmCertificateRecord after = *stores[1]->GetCertificate(Arn("c1"));
    EXPECT_EQ(after.version, seen.version + 1);
    EXPECT_EQ(*after.next_renewal_s, *seen.next_renewal_s + 3600);
  }
  other.reset();  // before its Store
}

TYPED_TEST(AcmStoreTest, DeleteAndListByAccountAndRegionOldestFirst) {
  AcmStore& acm = *this->acm_;
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("b", 2000), std::nullopt));
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("a", 3000), std::nullopt));
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c", 1000), std::nullopt));
  AcmCertificateRecord elsewhere = MakeAcmCertificate("d");
  elsewhere.arn = "arn:aws:acm:eu-west-1:111122223333:certificate/d";
  elsewhere.region = "eu-west-1";
  ASSERT_OK(acm.InsertCertificate(elsewhere, std::nullopt));
  auto list = acm.ListCertificates("111122223333", "us-east-1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].arn, Arn("c"));
  EXPECT_EQ((*list)[1].arn, Arn("b"));
  EXPECT_EQ((*list)[2].arn, Arn("a"));
  EXPECT_TRUE(acm.ListCertificates("444455556666", "us-east-1")->empty());
  ASSERT_OK(acm.DeleteCertificate(Arn("b")));
  EXPECT_EQ(acm.DeleteCertificate(Arn("b")).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(acm.ListCertificates("111122223333", "us-east-1")->size(), 2u);
}

TYPED_TEST(AcmStoreTest, RenewalAndExpiryScansAreRangesInOrder) {
  AcmStore& acm = *this->acm_;
  ASSERT_OK(acm.InsertCertificate(Issued("late", 5000, 4000), std::nullopt));
  ASSERT_OK(acm.InsertCertificate(Issued("soon", 3000, 2000), std::nullopt));
  ASSERT_OK(acm.InsertCertificate(Issued("mid", 4000, 3000), std::nullopt));
  ASSERT_OK(acm.InsertCertificate(Issued("ineligible", 3500, std::nullopt), std::nullopt));
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("pending"), std::nullopt));

  EXPECT_EQ(*acm.DueForRenewal(3000, 10), (std::vector<std::string>{Arn("soon"), Arn("mid")}));
  EXPECT_EQ(*acm.DueForRenewal(9000, 1), (std::vector<std::string>{Arn("soon")}));
  EXPECT_TRUE(acm.DueForRenewal(1999, 10)->empty());

  // (from, to]: 3000 is out, 5000 is in.
  EXPECT_EQ(*acm.ExpiringBetween(3000, 5000, 10),
            (std::vector<std::string>{Arn("ineligible"), Arn("mid"), Arn("late")}));
  EXPECT_EQ(*acm.ExpiringBetween(2999, 5000, 2),
            (std::vector<std::string>{Arn("soon"), Arn("ineligible")}));
  EXPECT_EQ(*acm.NotAftersBetween(0, 4000, 10), (std::vector<int64_t>{3000, 3500, 4000}));
  EXPECT_EQ(*acm.NotAftersBetween(0, 9000, 1), (std::vector<int64_t>{3000}));
  EXPECT_EQ(*acm.CountExpiringBetween(3000, 5000), 3);
  EXPECT_EQ(*acm.CountExpiringBetween(5000, 9000), 0);
}

TYPED_TEST(AcmStoreTest, DaysBeforeExpiryPerAccountWithItsToken) {
  AcmStore& acm = *this->acm_;
  EXPECT_FALSE(acm.GetDaysBeforeExpiry("111122223333")->has_value());
  EXPECT_EQ(*acm.MaxDaysBeforeExpiry(45), 45);
  const IdempotencyClaim claim{"PutAccountConfiguration|111122223333|tok", "", 2000};
  ASSERT_OK(acm.PutDaysBeforeExpiry("111122223333", 30, 1000, claim));
  EXPECT_EQ(acm.PutDaysBeforeExpiry("111122223333", 60, 1500, claim).code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(acm.GetDaysBeforeExpiry("111122223333")->value_or(0), 30);
  ASSERT_OK(acm.PutDaysBeforeExpiry("111122223333", 60, 2000,
                                    claim));  // the token expired
  ASSERT_OK(acm.PutDaysBeforeExpiry("444455556666", 50, 2000, std::nullopt));
  EXPECT_EQ(acm.GetDaysBeforeExpiry("111122223333")->value_or(0), 60);
  EXPECT_EQ(*acm.MaxDaysBeforeExpiry(45), 60);
  EXPECT_EQ(*acm.MaxDaysBeforeExpiry(90), 90);
}

// Claims of both ACM operations expire alike; a purge takes those expired at `now` (the window is
// over at expires_at_ms, as FindIdempotencyClaim says), never a live one, and at most `limit`.
TYPED_TEST(AcmStoreTest, PurgeDeletesExpiredClaimsOnlyAndAtMostTheLimit) {
  AcmStore& acm = *this->acm_;
  const std::string request = "RequestCertificate|111122223333|us-east-1|";
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c1"),
                                  IdempotencyClaim{request + "a", Arn("c1"), 1000}));
  ASSERT_OK(acm.InsertCertificate(MakeAcmCertificate("c2"),
                                  IdempotencyClaim{request + "b", Arn("c2"), 3000}));
  ASSERT_OK(acm.PutDaysBeforeExpiry(
      "111122223333", 30, 500,
      IdempotencyClaim{"PutAccountConfiguration|111122223333|t", "", 1000}));

  EXPECT_EQ(acm.PurgeExpiredIdempotencyClaims(999, 10).value(), 0);  // none expired yet
  EXPECT_EQ(acm.PurgeExpiredIdempotencyClaims(1000, 1).value(), 1);  // the limit holds
  EXPECT_EQ(acm.PurgeExpiredIdempotencyClaims(1000, 10).value(), 1);
  EXPECT_EQ(acm.PurgeExpiredIdempotencyClaims(1000, 10).value(), 0);
  EXPECT_FALSE(acm.FindIdempotencyClaim(request + "a", 0)->has_value());
  EXPECT_FALSE(acm.FindIdempotencyClaim("PutAccountConfiguration|111122223333|t", 0)->has_value());
  auto live = acm.FindIdempotencyClaim(request + "b", 1000);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->result, Arn("c2"));
  // Purging claims leaves what they pointed at.
  EXPECT_TRUE(acm.GetCertificate(Arn("c1")).ok());
  EXPECT_EQ(acm.GetDaysBeforeExpiry("111122223333")->value_or(0), 30);
  EXPECT_EQ(acm.PurgeExpiredIdempotencyClaims(1000, 0).status().code(), ErrorCode::kInvalidArgs);
}

}  // namespace
}  // namespace openpca::store::testing

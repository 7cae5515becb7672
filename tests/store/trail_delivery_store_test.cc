// TrailDeliveryStore on SQLite and PostgreSQL, one typed suite: trails and their limits, the
// epoch that logging and validation changes increase, delivery and digest commits (cursor,
// outbox, digest chains) refused at a stale epoch, the outbox and the digest keys.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store_test_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

constexpr char kAccount[] = "123456789012";

std::string Arn(const std::string& region, const std::string& name,
                const std::string& account = kAccount) {
  return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name;
}

TrailRecord Trail(const std::string& name, const std::string& region = "us-east-1",
                  bool multi_region = false) {
  TrailRecord t;
  t.arn = Arn(region, name);
  t.account_id = kAccount;
  t.home_region = region;
  t.name = name;
  t.s3_bucket = "trail-bucket";
  t.multi_region = multi_region;
  t.created_ms = 1000;
  return t;
}

DigestLogEntry Log(const std::string& region, const std::string& key) {
  DigestLogEntry l;
  l.region = region;
  l.s3_bucket = "trail-bucket";
  l.s3_object = key;
  l.hash_hex = "ab" + key;
  l.oldest_event_ms = 1;
  l.newest_event_ms = 2;
  return l;
}

OutboxObject Object(const std::string& arn, const std::string& key) {
  OutboxObject o;
  o.trail_arn = arn;
  o.kind = "log";
  o.bucket = "trail-bucket";
  o.key = key;
  o.body = Bytes{0, 1, 2, 0xff};
  o.content_type = "application/json";
  o.metadata = {{"signature", "00ff"}, {"x", ""}};
  return o;
}

std::vector<std::string> Keys(const std::vector<DigestLogEntry>& logs) {
  std::vector<std::string> out;
  for (const auto& l : logs) out.push_back(l.s3_object);
  return out;
}

template <typename Factory>
class TrailDeliveryStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    trails_ = Factory::NewTrailDeliveryStore(this->store());
  }

  TrailRecord Get(const std::string& arn) {
    auto t = trails_->GetTrail(arn);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(t.ok() && t->has_value()) << arn;
    return t.ok() && t->has_value() ? **t : TrailRecord{};
  }
  std::vector<OutboxObject> Outbox() {
    auto o = trails_->ListOutbox(0, 100);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : std::vector<OutboxObject>();
  }

  std::unique_ptr<TrailDeliveryStore> trails_;
};

TYPED_TEST_SUITE(TrailDeliveryStoreTest, StoreImplementations);

TYPED_TEST(TrailDeliveryStoreTest, TrailRoundTripsAndLists) {
  TrailRecord t = Trail("audit");
  t.s3_key_prefix = "prefix";
  t.sns_topic_name = "topic";
  t.include_global_service_events = false;
  t.log_file_validation = true;
  t.tags = {{"team", "blue"}, {"empty", ""}};
  t.latest_delivery_error = "e1";
  t.latest_digest_delivery_error = "e2";
  t.cursor_seq = 7;
  ASSERT_OK(this->trails_->InsertTrail(t, 5));
  TrailRecord got = this->Get(t.arn);
  EXPECT_EQ(got.account_id, kAccount);
  EXPECT_EQ(got.home_region, "us-east-1");
  EXPECT_EQ(got.name, "audit");
  EXPECT_EQ(got.s3_key_prefix, "prefix");
  EXPECT_EQ(got.sns_topic_name, "topic");
  EXPECT_FALSE(got.include_global_service_events);
  EXPECT_TRUE(got.log_file_validation);
  EXPECT_EQ(got.tags, t.tags);
  EXPECT_EQ(got.created_ms, 1000);
  EXPECT_EQ(got.cursor_seq, 7);
  EXPECT_EQ(got.latest_delivery_error, "e1");
  EXPECT_EQ(got.latest_digest_delivery_error, "e2");
  EXPECT_FALSE(got.logging);

  TrailRecord other = Trail("other");
  other.account_id = "999988887777";
  other.arn = Arn("us-east-1", "other", other.account_id);
  ASSERT_OK(this->trails_->InsertTrail(other, 5));
  ASSERT_OK(this->trails_->InsertTrail(Trail("a-first"), 5));
  auto mine = this->trails_->ListTrails(kAccount);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].name, "a-first");  // by ARN
  EXPECT_EQ((*mine)[1].name, "audit");
  EXPECT_EQ(this->trails_->ListTrails("")->size(), 3u);
  EXPECT_FALSE(this->trails_->GetTrail(Arn("us-east-1", "nope"))->has_value());
}

TYPED_TEST(TrailDeliveryStoreTest, RefusesDuplicatesAndTheSixthTrail) {
  ASSERT_OK(this->trails_->InsertTrail(Trail("audit", "us-east-1", /*multi_region=*/true), 5));
  EXPECT_EQ(this->trails_->InsertTrail(Trail("audit"), 5).code(), ErrorCode::kTrailAlreadyExists);
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(this->trails_->InsertTrail(Trail("t" + std::to_string(i)), 5));
  }
  EXPECT_EQ(this->trails_->InsertTrail(Trail("sixth"), 5).code(),
            ErrorCode::kMaximumNumberOfTrailsExceeded);
  // The multi-region trail "audit" counts in eu-west-1 too, and holds its name there.
  EXPECT_EQ(this->trails_->InsertTrail(Trail("audit", "eu-west-1"), 5).code(),
            ErrorCode::kTrailAlreadyExists);
  // A multi-region trail takes a name used by a trail of another region.
  ASSERT_OK(this->trails_->InsertTrail(Trail("west", "eu-west-1"), 5));
  EXPECT_EQ(this->trails_->InsertTrail(Trail("west", "ap-south-1", true), 5).code(),
            ErrorCode::kTrailAlreadyExists);
  EXPECT_EQ(this->trails_->ListTrails(kAccount)->size(), 6u);
}

TYPED_TEST(TrailDeliveryStoreTest, LoggingAndValidationChangesIncreaseTheEpoch) {
  TrailRecord t = Trail("audit");
  t.log_file_validation = true;
  ASSERT_OK(this->trails_->InsertTrail(t, 5));
  ASSERT_OK(this->trails_->SetLogging(t.arn, true, 2000));
  TrailRecord got = this->Get(t.arn);
  EXPECT_TRUE(got.logging);
  EXPECT_EQ(got.epoch, 1);
  EXPECT_EQ(got.start_logging_ms, 2000);
  EXPECT_EQ(got.chain_started_ms, 2000);
  ASSERT_OK(this->trails_->SetLogging(t.arn, true, 2500));  // no change
  EXPECT_EQ(this->Get(t.arn).epoch, 1);

  // Validation off while logging: a final digest is owed.
  t.log_file_validation = false;
  ASSERT_OK(this->trails_->UpdateTrailConfig(t, 3000));
  got = this->Get(t.arn);
  EXPECT_EQ(got.epoch, 2);
  EXPECT_TRUE(got.final_digest_pending);
  // Validation on again: new chains start now and nothing is owed.
  ASSERT_OK(
      this->trails_->CommitDelivery(DeliveryCommit{t.arn, 2, 5, 0, {}, {Log("us-east-1", "k1")}}));
  t.log_file_validation = true;
  t.s3_bucket = "other-bucket";
  t.tags = {{"k", "v"}};
  ASSERT_OK(this->trails_->UpdateTrailConfig(t, 4000));
  got = this->Get(t.arn);
  EXPECT_EQ(got.epoch, 3);
  EXPECT_FALSE(got.final_digest_pending);
  EXPECT_EQ(got.chain_started_ms, 4000);
  EXPECT_EQ(got.s3_bucket, "other-bucket");
  EXPECT_EQ(got.tags, t.tags);
  EXPECT_TRUE(this->trails_->ListChains(t.arn)->empty());

  ASSERT_OK(this->trails_->SetLogging(t.arn, false, 5000));
  got = this->Get(t.arn);
  EXPECT_FALSE(got.logging);
  EXPECT_EQ(got.epoch, 4);
  EXPECT_EQ(got.stop_logging_ms, 5000);
  EXPECT_TRUE(got.final_digest_pending);

  ASSERT_OK(this->trails_->SetTags(t.arn, {{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(this->Get(t.arn).tags.size(), 2u);

  const std::string nope = Arn("us-east-1", "nope");
  TrailRecord missing = Trail("nope");
  EXPECT_EQ(this->trails_->SetLogging(nope, true, 1).code(), ErrorCode::kTrailNotFound);
  EXPECT_EQ(this->trails_->UpdateTrailConfig(missing, 1).code(), ErrorCode::kTrailNotFound);
  EXPECT_EQ(this->trails_->SetTags(nope, {}).code(), ErrorCode::kTrailNotFound);
  EXPECT_EQ(this->trails_->DeleteTrail(nope).code(), ErrorCode::kTrailNotFound);
}

TYPED_TEST(TrailDeliveryStoreTest, DeliveryMovesTheCursorQueuesObjectsAndChainsLogs) {
  TrailRecord t = Trail("audit");
  t.log_file_validation = true;
  ASSERT_OK(this->trails_->InsertTrail(t, 5));
  ASSERT_OK(this->trails_->SetLogging(t.arn, true, 2000));  // epoch 1

  // A delivery computed before the change is refused, and nothing of it is kept.
  EXPECT_EQ(this->trails_
                ->CommitDelivery(DeliveryCommit{
                    t.arn, 0, 9, 3000, {Object(t.arn, "stale")}, {Log("us-east-1", "stale")}})
                .code(),
            ErrorCode::kConcurrentModification);
  EXPECT_TRUE(this->Outbox().empty());
  EXPECT_EQ(this->Get(t.arn).cursor_seq, 0);
  EXPECT_EQ(this->trails_->CommitDelivery(DeliveryCommit{Arn("us-east-1", "gone"), 0, 1, 0, {}, {}})
                .code(),
            ErrorCode::kConcurrentModification);

  ASSERT_OK(this->trails_->CommitDelivery(
      DeliveryCommit{t.arn,
                     1,
                     10,
                     3000,
                     {Object(t.arn, "k1"), Object(t.arn, "k2")},
                     {Log("us-east-1", "k1"), Log("eu-west-1", "k2")}}));
  // Nothing delivered: LatestDeliveryTime stays.
  ASSERT_OK(this->trails_->CommitDelivery(
      DeliveryCommit{t.arn, 1, 12, 0, {Object(t.arn, "k3")}, {Log("us-east-1", "k3")}}));
  TrailRecord got = this->Get(t.arn);
  EXPECT_EQ(got.cursor_seq, 12);
  EXPECT_EQ(got.latest_delivery_ms, 3000);

  std::vector<OutboxObject> outbox = this->Outbox();
  ASSERT_EQ(outbox.size(), 3u);
  EXPECT_EQ(outbox[0].key, "k1");
  EXPECT_EQ(outbox[2].key, "k3");
  EXPECT_LT(outbox[0].id, outbox[1].id);
  EXPECT_EQ(outbox[0].body, (Bytes{0, 1, 2, 0xff}));
  EXPECT_EQ(outbox[0].metadata, Object(t.arn, "k1").metadata);
  EXPECT_EQ(outbox[0].content_type, "application/json");
  EXPECT_EQ(outbox[0].kind, "log");
  auto page = this->trails_->ListOutbox(outbox[0].id, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].key, "k2");
  ASSERT_OK(this->trails_->DeleteOutbox(outbox[1].id));
  EXPECT_EQ(this->Outbox().size(), 2u);

  auto chains = this->trails_->ListChains(t.arn);
  ASSERT_TRUE(chains.ok());
  ASSERT_EQ(chains->size(), 2u);
  EXPECT_EQ((*chains)[0].region, "eu-west-1");  // by region
  EXPECT_EQ(Keys((*chains)[0].pending_logs), std::vector<std::string>{"k2"});
  EXPECT_EQ((*chains)[1].window_start_ms, 2000);
  EXPECT_EQ(Keys((*chains)[1].pending_logs), (std::vector<std::string>{"k1", "k3"}));
  EXPECT_EQ((*chains)[1].pending_logs[0].hash_hex, "abk1");
  EXPECT_TRUE((*chains)[1].prev_key.empty());

  ASSERT_OK(this->trails_->SetDeliveryError(t.arn, false, "AccessDenied"));
  ASSERT_OK(this->trails_->SetDeliveryError(t.arn, true, "NoSuchBucket"));
  got = this->Get(t.arn);
  EXPECT_EQ(got.latest_delivery_error, "AccessDenied");
  EXPECT_EQ(got.latest_digest_delivery_error, "NoSuchBucket");

  // Deleting the trail takes its chains and queued objects with it.
  ASSERT_OK(this->trails_->DeleteTrail(t.arn));
  EXPECT_TRUE(this->Outbox().empty());
  EXPECT_TRUE(this->trails_->ListChains(t.arn)->empty());
}

TYPED_TEST(TrailDeliveryStoreTest, DigestsKeepLaterLogsPendingAndAFinalDigestEndsTheChains) {
  TrailRecord t = Trail("audit");
  t.log_file_validation = true;
  ASSERT_OK(this->trails_->InsertTrail(t, 5));
  ASSERT_OK(this->trails_->SetLogging(t.arn, true, 2000));  // epoch 1
  ASSERT_OK(this->trails_->CommitDelivery(
      DeliveryCommit{t.arn, 1, 5, 3000, {}, {Log("us-east-1", "k1"), Log("us-east-1", "k2")}}));
  // The digest is built from k1 and k2; k3 is delivered before it commits.
  DigestChainRecord built = this->trails_->ListChains(t.arn)->at(0);
  ASSERT_OK(this->trails_->CommitDelivery(
      DeliveryCommit{t.arn, 1, 6, 3100, {}, {Log("us-east-1", "k3")}}));
  built.window_start_ms = 3500;
  built.prev_bucket = "trail-bucket";
  built.prev_key = "digest-1";
  built.prev_hash_hex = "hash-1";
  built.prev_signature_hex = "sig-1";
  DigestChainRecord fresh;  // a region without a chain so far
  fresh.trail_arn = t.arn;
  fresh.region = "eu-west-1";
  fresh.window_start_ms = 3500;
  fresh.prev_key = "digest-eu";
  fresh.pending_logs = {Log("eu-west-1", "ignored")};

  EXPECT_EQ(this->trails_->CommitDigests(DigestCommit{t.arn, 0, 3500, {built}, {}, false}).code(),
            ErrorCode::kConcurrentModification);
  OutboxObject digest = Object(t.arn, "digest-1");
  digest.kind = "digest";
  ASSERT_OK(
      this->trails_->CommitDigests(DigestCommit{t.arn, 1, 3500, {built, fresh}, {digest}, false}));
  auto chains = this->trails_->ListChains(t.arn);
  ASSERT_TRUE(chains.ok());
  ASSERT_EQ(chains->size(), 2u);
  EXPECT_EQ((*chains)[0].region, "eu-west-1");
  EXPECT_TRUE((*chains)[0].pending_logs.empty());
  EXPECT_EQ((*chains)[1].prev_key, "digest-1");
  EXPECT_EQ((*chains)[1].prev_signature_hex, "sig-1");
  EXPECT_EQ((*chains)[1].window_start_ms, 3500);
  EXPECT_EQ(Keys((*chains)[1].pending_logs), std::vector<std::string>{"k3"});
  EXPECT_EQ(this->Get(t.arn).latest_digest_delivery_ms, 3500);
  ASSERT_EQ(this->Outbox().size(), 1u);
  EXPECT_EQ(this->Outbox()[0].kind, "digest");

  ASSERT_OK(this->trails_->SetLogging(t.arn, false, 4000));  // epoch 2, final digest owed
  EXPECT_TRUE(this->Get(t.arn).final_digest_pending);
  ASSERT_OK(this->trails_->CommitDigests(DigestCommit{t.arn, 2, 4100, {}, {}, true}));
  EXPECT_TRUE(this->trails_->ListChains(t.arn)->empty());
  TrailRecord got = this->Get(t.arn);
  EXPECT_FALSE(got.final_digest_pending);
  EXPECT_EQ(got.latest_digest_delivery_ms, 4100);
}

TYPED_TEST(TrailDeliveryStoreTest, DigestKeysListOldestFirstPerRegion) {
  DigestKeyRecord k1{"us-east-1", "key-2", Bytes{0x30, 1}, "f2", 200, 300};
  DigestKeyRecord k2{"us-east-1", "key-1", Bytes{0x30, 2}, "f1", 100, 200};
  DigestKeyRecord k3{"eu-west-1", "key-3", Bytes{0x30, 3}, "f3", 100, 200};
  ASSERT_OK(this->trails_->InsertDigestKey(k1));
  ASSERT_OK(this->trails_->InsertDigestKey(k2));
  ASSERT_OK(this->trails_->InsertDigestKey(k3));
  EXPECT_FALSE(this->trails_->InsertDigestKey(k1).ok());  // same key id
  auto keys = this->trails_->ListDigestKeys("us-east-1");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].key_id, "key-1");
  EXPECT_EQ((*keys)[0].public_key_pkcs1_der, (Bytes{0x30, 2}));
  EXPECT_EQ((*keys)[0].fingerprint, "f1");
  EXPECT_EQ((*keys)[0].valid_to_s, 200);
  EXPECT_EQ((*keys)[1].key_id, "key-2");
  EXPECT_TRUE(this->trails_->ListDigestKeys("ap-south-1")->empty());
}

// Servers sharing a database create trails of one account at once: the per-region limit holds.
TEST(PgTrailDeliveryStoreTest, ConcurrentInsertsFromTwoServersKeepTheLimit) {
  PostgresStoreFactory factory;
  if (std::optional<std::string> why = factory.SkipReason()) {
    if (getenv("OPENPCA_REQUIRE_POSTGRES") != nullptr) FAIL() << *why;
    GTEST_SKIP() << *why;
  }
  std::unique_ptr<PgStore> servers[2];
  std::unique_ptr<PgTrailDeliveryStore> trails[2];
  for (int i = 0; i < 2; ++i) {
    auto opened = PgStore::Open(factory.ConnInfo());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    servers[i] = std::move(opened).value();
    trails[i] = std::make_unique<PgTrailDeliveryStore>(*servers[i]);
  }
  constexpr int kPerServer = 6;
  std::vector<std::thread> threads;
  std::vector<Status> results(2 * kPerServer);
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < kPerServer; ++i) {
      threads.emplace_back([&, s, i] {
        results[s * kPerServer + i] =
            trails[s]->InsertTrail(Trail("t" + std::to_string(s) + "x" + std::to_string(i)), 5);
      });
    }
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const Status& st : results) {
    if (st.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(st.code(), ErrorCode::kMaximumNumberOfTrailsExceeded) << st.ToString();
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(trails[0]->ListTrails(kAccount)->size(), 5u);
}

}  // namespace
}  // namespace openpca::store::testing

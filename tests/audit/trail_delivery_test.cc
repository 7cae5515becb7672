// The trail delivery: key layout, the digest builder and its signing string, digest keys, and the
// worker end to end with a fake clock, a temp SQLite database, a software key store, a temp bucket
// folder and an in-memory event history.
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "audit/digest_builder.h"
#include "audit/digest_keys.h"
#include "audit/gzip.h"
#include "audit/trail_delivery.h"
#include "audit/trail_layout.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "objects/bucket_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_delivery_store.h"
#include "testing/test_files.h"
#include "x509/ossl.h"
#include "x509/rsa_public_key.h"

namespace openpca::audit {
namespace {

using nlohmann::json;

// 2024-03-05T06:07:08Z
constexpr int64_t kT0Ms = 1709618828000;

TEST(TrailLayoutTest, LogFileKey) {
  EXPECT_EQ(LogFileKey("", "123456789012", "eu-west-1", kT0Ms, "AbCdEfGhIjKlMnOp"),
            "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/03/05/"
            "123456789012_CloudTrail_eu-west-1_20240305T0607Z_AbCdEfGhIjKlMnOp.json.gz");
  EXPECT_EQ(LogFileKey("p/q", "123456789012", "us-east-1", kT0Ms, "x").substr(0, 12),
            "p/q/AWSLogs/");
}

TEST(TrailLayoutTest, DigestKeyEndsWithItsEndTimestamp) {
  std::string key = DigestFileKey("logs", "123456789012", "eu-west-1", "audit", "us-east-1",
                                  kT0Ms);
  EXPECT_EQ(key,
            "logs/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2024/03/05/"
            "123456789012_CloudTrail-Digest_eu-west-1_audit_us-east-1_20240305T060708Z.json.gz");
  // validate-logs reads the date as key[-24:-8].
  EXPECT_EQ(key.substr(key.size() - 24, 16), "20240305T060708Z");
  EXPECT_EQ(IsoSeconds(kT0Ms + 999), "2024-03-05T06:07:08Z");
}

TEST(TrailLayoutTest, TrailNamesAndArns) {
  EXPECT_TRUE(IsValidTrailName("abc"));
  EXPECT_TRUE(IsValidTrailName("My_trail-1.x"));
  EXPECT_FALSE(IsValidTrailName("ab"));
  EXPECT_FALSE(IsValidTrailName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidTrailName("-abc"));
  EXPECT_FALSE(IsValidTrailName("abc_"));
  EXPECT_FALSE(IsValidTrailName("a--b"));
  EXPECT_FALSE(IsValidTrailName("a._b"));
  EXPECT_FALSE(IsValidTrailName("a b c"));
  EXPECT_FALSE(IsValidTrailName("10.0.0.1"));
  auto parts = ParseTrailArn("arn:aws:cloudtrail:us-east-1:123456789012:trail/t1");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->region, "us-east-1");
  EXPECT_EQ(parts->account, "123456789012");
  EXPECT_EQ(parts->name, "t1");
  EXPECT_FALSE(ParseTrailArn("arn:aws:cloudtrail:us-east-1:1234:trail/t1").has_value());
  EXPECT_FALSE(ParseTrailArn("arn:aws:s3:us-east-1:123456789012:trail/t1").has_value());
  EXPECT_FALSE(ParseTrailArn("arn:aws:cloudtrail:us-east-1:123456789012:trail/").has_value());
}

TEST(GzipTest, RoundTripIsDeterministic) {
  std::string text(10000, 'x');
  auto a = Gzip(AsSpan(text));
  auto b = Gzip(AsSpan(text));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ((*a)[0], 0x1f);
  EXPECT_EQ((*a)[1], 0x8b);
  auto back = Gunzip(*a);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::string(AsStringView(*back)), text);
  EXPECT_EQ(Gunzip(AsSpan(text)).status().code(), ErrorCode::kInvalidArgs);
}

DigestInput SampleInput() {
  DigestInput in;
  in.account_id = "123456789012";
  in.start_ms = kT0Ms;
  in.end_ms = kT0Ms + 3600000;
  in.bucket = "b";
  in.key = "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/03/05/x.json.gz";
  in.fingerprint = "00112233445566778899aabbccddeeff";
  return in;
}

TEST(DigestBuilderTest, ChainStartHasNullPreviousFieldsAndLogFilesPresent) {
  DigestInput in = SampleInput();
  json j = json::parse(BuildDigestJson(in));
  EXPECT_EQ(j["awsAccountId"], "123456789012");
  EXPECT_EQ(j["digestStartTime"], "2024-03-05T06:07:08Z");
  EXPECT_EQ(j["digestEndTime"], "2024-03-05T07:07:08Z");
  EXPECT_EQ(j["digestS3Bucket"], "b");
  EXPECT_EQ(j["digestS3Object"], in.key);
  EXPECT_EQ(j["digestSignatureAlgorithm"], "SHA256withRSA");
  for (const char* f : {"previousDigestS3Bucket", "previousDigestS3Object",
                        "previousDigestHashValue", "previousDigestSignature", "newestEventTime",
                        "oldestEventTime"}) {
    ASSERT_TRUE(j.contains(f)) << f;
    EXPECT_TRUE(j[f].is_null()) << f;
  }
  ASSERT_TRUE(j["logFiles"].is_array());
  EXPECT_TRUE(j["logFiles"].empty());
}

TEST(DigestBuilderTest, SigningStringIsExact) {
  DigestInput in = SampleInput();
  std::string body = BuildDigestJson(in);
  EXPECT_EQ(DigestSigningString(in, body),
            "2024-03-05T07:07:08Z\nb/" + in.key + "\n" + Sha256Hex(AsSpan(body)) + "\nnull");
  in.prev_bucket = "b";
  in.prev_key = "k0";
  in.prev_hash_hex = "ab";
  in.prev_signature_hex = "cafe";
  in.logs.push_back({"us-east-1", "b", "l1", "00", kT0Ms + 1000, kT0Ms + 5000});
  in.logs.push_back({"us-east-1", "b", "l2", "11", kT0Ms + 500, kT0Ms + 9000});
  body = BuildDigestJson(in);
  EXPECT_TRUE(DigestSigningString(in, body).ends_with("\ncafe"));
  json j = json::parse(body);
  EXPECT_EQ(j["previousDigestS3Object"], "k0");
  EXPECT_EQ(j["previousDigestHashAlgorithm"], "SHA-256");
  EXPECT_EQ(j["oldestEventTime"], "2024-03-05T06:07:08Z");
  EXPECT_EQ(j["newestEventTime"], "2024-03-05T06:07:17Z");
  EXPECT_EQ(j["logFiles"][1]["s3Object"], "l2");
  EXPECT_EQ(j["logFiles"][1]["hashAlgorithm"], "SHA-256");
  EXPECT_EQ(Sha256Hex(AsSpan(std::string_view("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// The event history of a test: final records in seq order.
class FakeTrailStore : public store::TrailStore {
 public:
  Result<std::vector<store::StoredEvent>> ReadEventsAfter(int64_t after_seq, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<store::StoredEvent> out;
    for (const auto& e : events_) {
      if (e.seq > after_seq && static_cast<int>(out.size()) < limit) out.push_back(e);
    }
    return out;
  }
  Status AppendEvents(const std::vector<store::EventCommit>&) override {
    return InternalError("not offered");
  }
  Result<std::vector<store::PendingEvents>> ListPendingEvents() override {
    return std::vector<store::PendingEvents>();
  }
  Result<std::vector<store::StoredEvent>> LookupEvents(const store::EventQuery&) override {
    return std::vector<store::StoredEvent>();
  }
  Result<int64_t> IndexEvents(int) override { return int64_t{0}; }
  Result<int64_t> PurgeEventsBefore(int64_t, int) override { return int64_t{0}; }
  void Add(std::string account, std::string region, int64_t time_ms, std::string id) {
    std::lock_guard<std::mutex> lock(mu_);
    store::StoredEvent e;
    e.seq = static_cast<int64_t>(events_.size()) + 1;
    e.event_id = id;
    e.recipient_account_id = account;
    e.region = region;
    e.event_time_ms = time_ms;
    e.event_source = "acm-pca.amazonaws.com";
    e.record_json = json{{"eventID", id}, {"awsRegion", region}}.dump();
    events_.push_back(std::move(e));
  }

 private:
  std::mutex mu_;
  std::vector<store::StoredEvent> events_;
};

using test_files::TempDir;

constexpr char kAccount[] = "123456789012";
constexpr char kBucket[] = "trail-bucket";
const std::string kArn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/audit";

class TrailDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::SqliteStore::Open(dir_.path() + "/db.sqlite");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    trails_ = std::make_unique<store::SqliteTrailDeliveryStore>(*db_);
    auto box = keys::SecretBox::Create(Bytes(32, 7));
    ASSERT_TRUE(box.ok());
    auto ks = keys::SoftwareKeyStore::Open(dir_.path() + "/keys", std::move(box).value(),
                                           random_);
    ASSERT_TRUE(ks.ok()) << ks.status().ToString();
    key_store_ = std::move(ks).value();
    buckets_ = std::make_unique<objects::BucketStore>(dir_.path() + "/buckets", clock_);
    ASSERT_TRUE(buckets_->CreateBucket(kBucket).ok());
    digest_keys_ = std::make_unique<DigestKeys>(*trails_, *key_store_, clock_,
                                                std::chrono::hours(24));
    NewWorker();

    store::TrailRecord t;
    t.arn = kArn;
    t.account_id = kAccount;
    t.home_region = "us-east-1";
    t.name = "audit";
    t.s3_bucket = kBucket;
    t.multi_region = true;
    t.log_file_validation = true;
    t.created_ms = Now();
    ASSERT_TRUE(trails_->InsertTrail(t, 5).ok());
  }

  void NewWorker() {
    TrailDeliveryOptions options;
    options.delivery_interval = std::chrono::seconds(60);
    options.digest_interval = std::chrono::seconds(600);
    options.regions = {"us-east-1", "eu-west-1"};
    worker_ = std::make_unique<TrailDelivery>(*trails_, &history_, *buckets_, *digest_keys_,
                                              clock_, random_, nullptr, options);
  }

  int64_t Now() const { return ToUnixMillis(clock_.Now()); }
  void Advance(int seconds) { clock_.Advance(std::chrono::seconds(seconds)); }

  std::vector<std::string> Keys(const std::string& prefix) {
    auto page = buckets_->List(kBucket, prefix, "", "", 1000);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    for (const auto& o : page->objects) out.push_back(o.key);
    return out;
  }

  json ReadGzJson(const std::string& key) {
    auto raw = buckets_->Read(kBucket, key);
    EXPECT_TRUE(raw.ok());
    auto plain = Gunzip(AsSpan(*raw));
    EXPECT_TRUE(plain.ok());
    return json::parse(AsStringView(*plain));
  }

  // Event IDs of every delivered log file, in file order.
  std::vector<std::string> DeliveredIds(const std::string& region) {
    std::vector<std::string> ids;
    for (const auto& key : Keys("AWSLogs/123456789012/CloudTrail/" + region + "/")) {
      json file = ReadGzJson(key);
      for (const auto& r : file["Records"]) {
        ids.push_back(r["eventID"].get<std::string>());
      }
    }
    return ids;
  }

  // Verifies a digest object's signature metadata against ListDigestKeys' PKCS#1 key.
  bool SignatureVerifies(const std::string& region, const std::string& key) {
    auto info = buckets_->Head(kBucket, key);
    if (!info.ok()) return false;
    std::string sig_hex;
    for (const auto& [n, v] : info->metadata) {
      if (n == "signature") sig_hex = v;
    }
    auto raw = buckets_->Read(kBucket, key);
    auto plain = Gunzip(AsSpan(*raw));
    json j = json::parse(AsStringView(*plain));
    std::string to_sign = j["digestEndTime"].get<std::string>() + "\n" +
                          j["digestS3Bucket"].get<std::string>() + "/" +
                          j["digestS3Object"].get<std::string>() + "\n" + Sha256Hex(*plain) +
                          "\n" +
                          (j["previousDigestSignature"].is_null()
                               ? std::string("null")
                               : j["previousDigestSignature"].get<std::string>());
    auto keys = trails_->ListDigestKeys(region);
    auto sig = HexDecode(sig_hex);
    if (!keys.ok() || !sig.has_value()) return false;
    for (const auto& k : *keys) {
      if (k.fingerprint != j["digestPublicKeyFingerprint"]) continue;
      const unsigned char* p = k.public_key_pkcs1_der.data();
      x509::EvpPkeyPtr pub(
          d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(k.public_key_pkcs1_der.size())));
      if (pub == nullptr) return false;
      x509::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
      if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub.get()) != 1) {
        return false;
      }
      return EVP_DigestVerify(ctx.get(), sig->data(), sig->size(),
                              reinterpret_cast<const unsigned char*>(to_sign.data()),
                              to_sign.size()) == 1;
    }
    return false;
  }

  TempDir dir_;
  FakeClock clock_{FromUnixMillis(kT0Ms)};
  OpenSslRandom random_;
  FakeTrailStore history_;
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteTrailDeliveryStore> trails_;
  std::unique_ptr<keys::SoftwareKeyStore> key_store_;
  std::unique_ptr<objects::BucketStore> buckets_;
  std::unique_ptr<DigestKeys> digest_keys_;
  std::unique_ptr<TrailDelivery> worker_;
};

TEST_F(TrailDeliveryTest, NothingBeforeStartLogging) {
  history_.Add(kAccount, "us-east-1", Now(), "e0");
  ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_TRUE(Keys("AWSLogs/").empty());
}

TEST_F(TrailDeliveryTest, DeliversTheTrailsRecordsOnceAndChainsSignedDigests) {
  history_.Add(kAccount, "us-east-1", Now() - 1000, "before-start");
  Advance(1);
  ASSERT_TRUE(trails_->SetLogging(kArn, true, Now()).ok());
  Advance(1);
  history_.Add(kAccount, "us-east-1", Now(), "e1");
  history_.Add("999999999999", "us-east-1", Now(), "other-account");
  history_.Add(kAccount, "eu-west-1", Now(), "e2");
  ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_EQ(DeliveredIds("us-east-1"), std::vector<std::string>{"e1"});
  EXPECT_EQ(DeliveredIds("eu-west-1"), std::vector<std::string>{"e2"});
  EXPECT_TRUE(Keys("AWSLogs/123456789012/CloudTrail-Digest/").empty());

  // A restarted worker (same store) delivers nothing twice; new records once.
  NewWorker();
  history_.Add(kAccount, "us-east-1", Now(), "e3");
  Advance(61);
  ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_EQ(DeliveredIds("us-east-1"), (std::vector<std::string>{"e1", "e3"}));

  // The first digests: one per region, chain starts, listing that region's files.
  Advance(600);
  ASSERT_TRUE(worker_->RunOnce().ok());
  auto east = Keys("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/");
  auto west = Keys("AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/");
  ASSERT_EQ(east.size(), 1u);
  ASSERT_EQ(west.size(), 1u);
  json d1 = ReadGzJson(east[0]);
  EXPECT_TRUE(d1["previousDigestSignature"].is_null());
  EXPECT_EQ(d1["logFiles"].size(), 2u);
  EXPECT_EQ(d1["digestS3Object"], east[0]);
  EXPECT_TRUE(SignatureVerifies("us-east-1", east[0]));
  EXPECT_TRUE(SignatureVerifies("eu-west-1", west[0]));
  // Each listed hash is the SHA-256 of the uncompressed log file.
  for (const auto& lf : d1["logFiles"]) {
    auto raw = buckets_->Read(kBucket, lf["s3Object"].get<std::string>());
    auto plain = Gunzip(AsSpan(*raw));
    EXPECT_EQ(lf["hashValue"], Sha256Hex(*plain));
  }

  // The next digest (no new files) chains to the first.
  Advance(600);
  ASSERT_TRUE(worker_->RunOnce().ok());
  east = Keys("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/");
  ASSERT_EQ(east.size(), 2u);
  json d2 = ReadGzJson(east[1]);
  EXPECT_EQ(d2["previousDigestS3Object"], east[0]);
  EXPECT_EQ(d2["digestStartTime"], d1["digestEndTime"]);
  EXPECT_TRUE(d2["logFiles"].empty());
  auto first = buckets_->Read(kBucket, east[0]);
  EXPECT_EQ(d2["previousDigestHashValue"], Sha256Hex(*Gunzip(AsSpan(*first))));
  auto info = buckets_->Head(kBucket, east[0]);
  EXPECT_EQ(d2["previousDigestSignature"], info->metadata[0].second);
  EXPECT_TRUE(SignatureVerifies("us-east-1", east[1]));

  // StopLogging: a final digest at once, then nothing more.
  history_.Add(kAccount, "us-east-1", Now(), "e4");
  Advance(1);
  ASSERT_TRUE(trails_->SetLogging(kArn, false, Now()).ok());
  Advance(1);
  history_.Add(kAccount, "us-east-1", Now(), "after-stop");
  ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_EQ(DeliveredIds("us-east-1"), (std::vector<std::string>{"e1", "e3", "e4"}));
  east = Keys("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/");
  ASSERT_EQ(east.size(), 3u);
  EXPECT_EQ(ReadGzJson(east[2])["logFiles"].size(), 1u);
  Advance(3600);
  ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_EQ(Keys("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/").size(), 3u);

  // StartLogging again: a new chain (its first digest has null previous fields).
  ASSERT_TRUE(trails_->SetLogging(kArn, true, Now()).ok());
  Advance(601);
  ASSERT_TRUE(worker_->RunOnce().ok());
  east = Keys("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/");
  ASSERT_EQ(east.size(), 4u);
  EXPECT_TRUE(ReadGzJson(east[3])["previousDigestS3Object"].is_null());
}

TEST_F(TrailDeliveryTest, OutboxKeepsObjectsUntilTheBucketTakesThem) {
  ASSERT_TRUE(trails_->SetLogging(kArn, true, Now()).ok());
  history_.Add(kAccount, "us-east-1", Now(), "e1");
  ASSERT_TRUE(buckets_->DeleteBucket(kBucket).ok());
  ASSERT_TRUE(worker_->RunOnce().ok());
  auto trail = trails_->GetTrail(kArn);
  ASSERT_TRUE(trail.ok() && trail->has_value());
  EXPECT_EQ((*trail)->latest_delivery_error, "NoSuchBucket");
  auto queued = trails_->ListOutbox(0, 10);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  // The bucket is back: the same object (same key, same bytes) is written, once.
  ASSERT_TRUE(buckets_->CreateBucket(kBucket).ok());
  NewWorker();  // a restart in between loses nothing
  ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_EQ(DeliveredIds("us-east-1"), std::vector<std::string>{"e1"});
  EXPECT_EQ(Keys("AWSLogs/").front(), (*queued)[0].key);
  EXPECT_TRUE(trails_->ListOutbox(0, 10)->empty());
}

TEST_F(TrailDeliveryTest, DigestKeysRotateAndStayListed) {
  auto k1 = digest_keys_->Current("us-east-1");
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  auto again = digest_keys_->Current("us-east-1");
  EXPECT_EQ(again->fingerprint, k1->fingerprint);
  clock_.Advance(std::chrono::hours(25));
  auto k2 = digest_keys_->Current("us-east-1");
  ASSERT_TRUE(k2.ok());
  EXPECT_NE(k2->fingerprint, k1->fingerprint);
  auto listed = trails_->ListDigestKeys("us-east-1");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& k : *listed) {
    // PKCS#1 RSAPublicKey of 2048 bits; fingerprint = MD5 of that DER.
    ASSERT_GE(k.public_key_pkcs1_der.size(), 4u);
    EXPECT_EQ(k.public_key_pkcs1_der[0], 0x30);
    EXPECT_EQ(k.public_key_pkcs1_der[1], 0x82);
    EXPECT_EQ(k.public_key_pkcs1_der[2], 0x01);
    EXPECT_EQ(k.public_key_pkcs1_der[3], 0x0a);
    EXPECT_EQ(k.fingerprint, DigestKeys::Fingerprint(k.public_key_pkcs1_der));
    EXPECT_EQ(k.fingerprint.size(), 32u);
  }
  EXPECT_EQ((*listed)[0].valid_to_s - (*listed)[0].valid_from_s, 24 * 3600);
  EXPECT_TRUE(trails_->ListDigestKeys("eu-west-1")->empty());
}

TEST_F(TrailDeliveryTest, StoreRefusesDuplicatesAndTheSixthTrail) {
  store::TrailRecord t;
  t.account_id = kAccount;
  t.home_region = "us-east-1";
  t.s3_bucket = kBucket;
  t.name = "audit";
  t.arn = kArn;
  EXPECT_EQ(trails_->InsertTrail(t, 5).code(), ErrorCode::kTrailAlreadyExists);
  for (int i = 0; i < 4; ++i) {
    t.name = "t" + std::to_string(i) + "x";
    t.arn = TrailArn("aws", "us-east-1", kAccount, t.name);
    ASSERT_TRUE(trails_->InsertTrail(t, 5).ok());
  }
  t.name = "sixth";
  t.arn = TrailArn("aws", "us-east-1", kAccount, t.name);
  EXPECT_EQ(trails_->InsertTrail(t, 5).code(), ErrorCode::kMaximumNumberOfTrailsExceeded);
  // The multi-region trail "audit" counts in eu-west-1 too, and holds its name there.
  t.home_region = "eu-west-1";
  t.name = "audit";
  t.arn = TrailArn("aws", "eu-west-1", kAccount, t.name);
  EXPECT_EQ(trails_->InsertTrail(t, 5).code(), ErrorCode::kTrailAlreadyExists);
  EXPECT_EQ(trails_->ListTrails(kAccount)->size(), 5u);
}

TEST(RsaPublicKeyTest, NonRsaKeysAreRefused) {
  EXPECT_EQ(x509::RsaPublicKeyPkcs1FromSpki(Bytes{1, 2, 3}).status().code(),
            ErrorCode::kInvalidArgs);
}

}  // namespace
}  // namespace openpca::audit

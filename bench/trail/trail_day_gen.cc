// trail_day_gen: one day of CloudTrail delivery into a (stopped) openpca data directory, fast.
//
//   trail_day_gen <data_dir> <account_id> <trail_name> <bucket> <day YYYY-MM-DD> <events_per_s>
//
// Inserts the trail (us-east-1, single region, log-file validation, logging from 00:00) and runs
// the real delivery worker (audit::TrailDelivery, with the server's key store and bucket store)
// over a generated event history of `events_per_s` records per second for the whole day, with a
// fake clock stepping through the day in delivery-interval steps (300 s; digests every 3600 s).
// The bucket must exist. Prints the counts and the time taken.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "audit/digest_keys.h"
#include "audit/trail_delivery.h"
#include "audit/trail_layout.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "objects/bucket_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_delivery_store.h"

using namespace openpca;

namespace {

// `per_second` records a second from `start_ms`, generated on demand: record seq n happens at
// start_ms + (n - 1) * 1000 / per_second, and only records up to the clock's now are final.
class GeneratedHistory : public store::TrailStore {
 public:
  GeneratedHistory(const Clock& clock, std::string account, int64_t start_ms, int per_second)
      : clock_(clock), account_(std::move(account)), start_ms_(start_ms), per_second_(per_second) {}

  Result<std::vector<store::StoredEvent>> ReadEventsAfter(int64_t after_seq, int limit) override {
    const int64_t now = ToUnixMillis(clock_.Now());
    std::vector<store::StoredEvent> out;
    for (int64_t seq = after_seq + 1; static_cast<int>(out.size()) < limit; ++seq) {
      int64_t t = start_ms_ + (seq - 1) * 1000 / per_second_;
      if (t > now || t >= start_ms_ + 86400000) break;
      out.push_back(Make(seq, t));
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
 private:
  store::StoredEvent Make(int64_t seq, int64_t t) const {
    store::StoredEvent e;
    e.seq = seq;
    char id[40];
    std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012lld", static_cast<long long>(seq));
    e.event_id = id;
    e.recipient_account_id = account_;
    e.region = "us-east-1";
    e.event_time_ms = t;
    e.event_source = "acm-pca.amazonaws.com";
    e.event_name = "IssueCertificate";
    // One record as CloudTrail writes an IssueCertificate call (~1 KB), formatted directly: the
    // generator must not be what the benchmark measures.
    const std::string time = audit::IsoSeconds(t);
    const std::string seq_text = std::to_string(seq);
    std::string& r = e.record_json;
    r.reserve(1100);
    r += "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",";
    r += "\"principalId\":\"AIDAEXAMPLEEXAMPLE01\",\"arn\":\"arn:aws:iam::" + account_;
    r += ":user/issuer\",\"accountId\":\"" + account_;
    r += "\",\"accessKeyId\":\"AKIAEXAMPLEEXAMPLE01\",\"userName\":\"issuer\"},";
    r += "\"eventTime\":\"" + time + "\",\"eventSource\":\"acm-pca.amazonaws.com\",";
    r += "\"eventName\":\"IssueCertificate\",\"awsRegion\":\"us-east-1\",";
    r += "\"sourceIPAddress\":\"10.0.0.1\",\"userAgent\":\"aws-cli/2.9.19 Python/3.11.2 ";
    r += "Linux/6.1 source/x86_64.debian.12 prompt/off\",\"requestParameters\":{";
    r += "\"certificateAuthorityArn\":\"arn:aws:acm-pca:us-east-1:" + account_;
    r += ":certificate-authority/11111111-2222-3333-4444-555555555555\",";
    r += "\"signingAlgorithm\":\"SHA256WITHECDSA\",\"validity\":{\"value\":30,";
    r += "\"type\":\"DAYS\"},\"idempotencyToken\":\"" + seq_text + "\"},";
    r += "\"responseElements\":{\"certificateArn\":\"arn:aws:acm-pca:us-east-1:" + account_;
    r += ":certificate-authority/11111111-2222-3333-4444-555555555555/certificate/" + seq_text;
    r += "\"},\"requestID\":\"" + std::string(id) + "\",\"eventID\":\"" + std::string(id);
    r += "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,";
    r += "\"recipientAccountId\":\"" + account_ + "\",\"eventCategory\":\"Management\"}";
    return e;
  }

  const Clock& clock_;
  std::string account_;
  int64_t start_ms_;
  int per_second_;
};

int64_t ParseDay(const std::string& day) {
  std::tm tm{};
  if (strptime(day.c_str(), "%Y-%m-%d", &tm) == nullptr) return -1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

int Fail(const Status& st) {
  std::cerr << "trail_day_gen: " << st.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: trail_day_gen <data_dir> <account_id> <trail_name> <bucket> "
                 "<YYYY-MM-DD> <events_per_s>\n";
    return 2;
  }
  const std::string data = argv[1];
  const std::string account = argv[2];
  const std::string name = argv[3];
  const std::string bucket = argv[4];
  const int64_t day_ms = ParseDay(argv[5]);
  const int per_second = std::atoi(argv[6]);
  if (day_ms < 0 || per_second < 1) return 2;

  auto started = std::chrono::steady_clock::now();
  auto db = store::SqliteStore::Open(data + "/openpca.db");
  if (!db.ok()) return Fail(db.status());
  store::SqliteTrailDeliveryStore trails(**db);
  auto box = keys::SecretBox::LoadOrCreateKeyFile(data + "/master.key");
  if (!box.ok()) return Fail(box.status());
  OpenSslRandom random;
  auto key_store = keys::SoftwareKeyStore::Open(data + "/keys", std::move(box).value(), random);
  if (!key_store.ok()) return Fail(key_store.status());
  FakeClock clock(FromUnixMillis(day_ms));
  objects::BucketStore buckets(data + "/buckets", clock);
  if (!buckets.BucketExists(bucket)) {
    return Fail(Status(ErrorCode::kResourceNotFound, "no bucket " + bucket));
  }

  store::TrailRecord t;
  t.name = name;
  t.account_id = account;
  t.home_region = "us-east-1";
  t.arn = audit::TrailArn("aws", "us-east-1", account, name);
  t.s3_bucket = bucket;
  t.log_file_validation = true;
  t.created_ms = day_ms;
  if (Status st = trails.InsertTrail(t, 5); !st.ok()) return Fail(st);
  if (Status st = trails.SetLogging(t.arn, true, day_ms); !st.ok()) return Fail(st);

  GeneratedHistory history(clock, account, day_ms, per_second);
  audit::DigestKeys digest_keys(trails, **key_store, clock, std::chrono::hours(720));
  audit::TrailDeliveryOptions options;
  options.delivery_interval = std::chrono::seconds(300);
  options.digest_interval = std::chrono::seconds(3600);
  options.regions = {"us-east-1"};
  options.max_records_per_file = 30000 + per_second * 300;
  audit::TrailDelivery delivery(trails, &history, buckets, digest_keys, clock, random, nullptr,
                                options);
  // One round at every delivery step of the day; the last one, at midnight, writes the 24th
  // digest.
  for (int64_t at = day_ms + 300000; at <= day_ms + 86400000; at += 300000) {
    clock.Set(FromUnixMillis(at));
    if (Status st = delivery.RunOnce(); !st.ok()) return Fail(st);
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto listed = buckets.List(bucket, "AWSLogs/", "", "", 1000000);
  size_t logs = 0, digests = 0;
  int64_t bytes = 0;
  if (listed.ok()) {
    for (const auto& o : listed->objects) {
      (o.key.find("CloudTrail-Digest/") != std::string::npos ? digests : logs)++;
      bytes += o.size;
    }
  }
  std::cout << "trail " << t.arn << ": " << static_cast<int64_t>(per_second) * 86400
            << " records, " << logs << " log files, " << digests << " digests, " << bytes
            << " bytes stored, generated in " << secs << " s\n";
  return 0;
}

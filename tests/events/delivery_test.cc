// The default event bus and the delivery worker over a real SQLite store, a fake clock and a fake
// HTTP sender: matching rules queue deliveries durably, the worker sends them with the
// connection's authorization, retries with backoff, dead-letters, and a new worker over the same
// database delivers what an earlier one left.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <filesystem>
#include <fstream>

#include "events/bus.h"
#include "events/delivery_worker.h"
#include "events/invocation.h"
#include "store/sqlite/sqlite_events_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::events {
namespace {

using nlohmann::json;

constexpr char kAccount[] = "111122223333";
constexpr char kRegion[] = "us-east-1";
constexpr char kDest[] = "arn:aws:events:us-east-1:111122223333:api-destination/hook/d1";
constexpr char kConn[] = "arn:aws:events:us-east-1:111122223333:connection/c/c1";

class FakeSender final : public HttpSender {
 public:
  Result<int> Send(const HttpCall& call) override {
    calls.push_back(call);
    if (next < statuses.size()) return statuses[next++];
    return 200;
  }
  std::vector<HttpCall> calls;
  std::vector<int> statuses;
  size_t next = 0;
};

std::string Header(const HttpCall& call, const std::string& name) {
  for (const auto& [k, v] : call.headers) {
    if (k == name) return v;
  }
  return "";
}

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/openpca_events_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto db = store::SqliteStore::Open(dir_ + "/db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    store_ = std::make_unique<store::SqliteEventsStore>(*db_);
    auto box = keys::SecretBox::Create(Bytes(32, 7));
    ASSERT_TRUE(box.ok());
    box_ = std::move(box).value();
    dead_ = std::make_unique<DeadLetterLog>(dir_ + "/dead-letter.jsonl");

    store::EventConnectionRecord c;
    c.arn = kConn;
    c.account_id = kAccount;
    c.region = kRegion;
    c.name = "c";
    c.authorization_type = "API_KEY";
    c.state = "AUTHORIZED";
    c.document = {{"AuthParameters", {{"ApiKeyAuthParameters", {{"ApiKeyName", "x-api-key"}}}}}};
    std::string secret = json{{"ApiKeyValue", "s3cret"}}.dump();
    auto sealed = box_->Seal(AsSpan(secret), ConnectionSecretAad(kConn));
    ASSERT_TRUE(sealed.ok());
    c.sealed_secret = *sealed;
    ASSERT_TRUE(store_->InsertConnection(c).ok());
    store::ApiDestinationRecord d;
    d.arn = kDest;
    d.account_id = kAccount;
    d.region = kRegion;
    d.name = "hook";
    d.connection_arn = kConn;
    d.document = {{"InvocationEndpoint", "http://127.0.0.1:9/hook"},
                  {"HttpMethod", "POST"},
                  {"InvocationRateLimitPerSecond", 1000}};
    ASSERT_TRUE(store_->InsertApiDestination(d).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void AddRule(const std::string& name, const std::string& pattern, json retry = nullptr,
               const std::string& state = "ENABLED") {
    store::EventRuleRecord r;
    r.arn = RuleArn("aws", kRegion, kAccount, name);
    r.account_id = kAccount;
    r.region = kRegion;
    r.name = name;
    r.state = state;
    r.document = {{"EventPattern", pattern}};
    ASSERT_TRUE(store_->PutRule(r).ok());
    json target = {{"Id", "t1"}, {"Arn", kDest}};
    if (!retry.is_null()) target["RetryPolicy"] = retry;
    ASSERT_TRUE(store_->PutTargets(r.arn, {{r.arn, "t1", target, 0}}, 5).ok());
  }

  Event Issuance() {
    Event e;
    e.source = "aws.acm-pca";
    e.detail_type = "ACM Private CA Certificate Issuance";
    e.account = kAccount;
    e.region = kRegion;
    e.resources = {"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca1"};
    e.detail = {{"result", "success"}};
    return e;
  }

  size_t Queued() {
    auto due = store_->DueDeliveries(INT64_MAX, 1000);
    return due.ok() ? due->size() : 9999;
  }

  std::vector<json> DeadLetters() {
    std::vector<json> out;
    std::ifstream in(dir_ + "/dead-letter.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  DeliveryOptions Options() {
    DeliveryOptions o;
    o.backoff = Backoff{std::chrono::milliseconds(1000), std::chrono::milliseconds(60'000)};
    return o;
  }

  std::string dir_;
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteEventsStore> store_;
  std::unique_ptr<keys::SecretBox> box_;
  std::unique_ptr<DeadLetterLog> dead_;
  FakeClock clock_{FromUnixSeconds(1'700'000'000)};
  OpenSslRandom random_;
  FakeSender sender_;
};

TEST_F(DeliveryTest, MatchingRuleDeliversEnvelopeWithApiKey) {
  AddRule("r1",
          R"({"source": ["aws.acm-pca"], "detail-type": ["ACM Private CA Certificate Issuance"]})");
  AddRule("other", R"({"source": ["aws.acm"]})");
  EventBus bus(*store_, clock_, random_);
  ASSERT_TRUE(bus.Reload().ok());
  Result<std::string> id = bus.PublishWithId(Issuance());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(Queued(), 1u);  // only the matching rule's target

  DeliveryWorker worker(*store_, *box_, sender_, *dead_, clock_, Options());
  EXPECT_EQ(worker.RunOnce(), 1u);
  ASSERT_EQ(sender_.calls.size(), 1u);
  const HttpCall& call = sender_.calls[0];
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(Header(call, "x-api-key"), "s3cret");
  json body = json::parse(call.body);
  EXPECT_EQ(body["id"], *id);
  EXPECT_EQ(body["source"], "aws.acm-pca");
  EXPECT_EQ(body["detail"]["result"], "success");
  EXPECT_EQ(body["account"], kAccount);
  EXPECT_EQ(Queued(), 0u);
}

TEST_F(DeliveryTest, DisabledRuleAndOtherAccountQueueNothing) {
  AddRule("off", R"({"source": ["aws.acm-pca"]})", nullptr, "DISABLED");
  EventBus bus(*store_, clock_, random_);
  ASSERT_TRUE(bus.Reload().ok());
  ASSERT_TRUE(bus.PublishWithId(Issuance()).ok());
  Event other = Issuance();
  other.account = "444455556666";
  ASSERT_TRUE(bus.PublishWithId(other).ok());
  EXPECT_EQ(Queued(), 0u);
}

TEST_F(DeliveryTest, RulesAreKnownPerAccountAndRegionAndPublishWithoutThemDrawsNoId) {
  // Every identifier the bus draws is counted: Publish with no rule in scope must draw none.
  struct CountingRandom final : Random {
    OpenSslRandom source;
    int calls = 0;
    Bytes RandomBytes(size_t n) override {
      ++calls;
      return source.RandomBytes(n);
    }
  } counting;
  EventBus bus(*store_, clock_, counting);
  ASSERT_TRUE(bus.Reload().ok());
  EXPECT_FALSE(bus.HasRulesIn(kAccount, kRegion));
  bus.Publish(Issuance());
  EXPECT_EQ(counting.calls, 0);
  EXPECT_EQ(Queued(), 0u);

  AddRule("off", R"({"source": ["aws.acm-pca"]})", nullptr, "DISABLED");
  ASSERT_TRUE(bus.Reload().ok());
  EXPECT_FALSE(bus.HasRulesIn(kAccount, kRegion));  // a disabled rule receives nothing
  AddRule("r1", R"({"source": ["aws.acm-pca"]})");
  EXPECT_FALSE(bus.HasRulesIn(kAccount, kRegion));  // until the next Reload
  ASSERT_TRUE(bus.Reload().ok());
  EXPECT_TRUE(bus.HasRulesIn(kAccount, kRegion));
  EXPECT_FALSE(bus.HasRulesIn(kAccount, "eu-west-1"));
  EXPECT_FALSE(bus.HasRulesIn("444455556666", kRegion));
  bus.Publish(Issuance());
  EXPECT_GT(counting.calls, 0);
  EXPECT_EQ(Queued(), 1u);  // the enabled rule's target only
}

TEST_F(DeliveryTest, RetriesWithBackoffThenDeliversOnce) {
  AddRule("r1", R"({"source": ["aws.acm-pca"]})");
  EventBus bus(*store_, clock_, random_);
  ASSERT_TRUE(bus.Reload().ok());
  ASSERT_TRUE(bus.PublishWithId(Issuance()).ok());
  sender_.statuses = {503, 500, 204};
  DeliveryWorker worker(*store_, *box_, sender_, *dead_, clock_, Options());
  EXPECT_EQ(worker.RunOnce(), 1u);  // 503
  EXPECT_EQ(worker.RunOnce(), 0u);  // not due for 1 s
  clock_.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(worker.RunOnce(), 0u);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(worker.RunOnce(), 1u);  // 500
  clock_.Advance(std::chrono::milliseconds(1999));
  EXPECT_EQ(worker.RunOnce(), 0u);  // second delay is 2 s
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(worker.RunOnce(), 1u);  // 204
  EXPECT_EQ(sender_.calls.size(), 3u);
  EXPECT_EQ(Queued(), 0u);
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(DeliveryTest, ExhaustedRetriesGoToDeadLetterLog0600) {
  AddRule("r1", R"({"source": ["aws.acm-pca"]})", {{"MaximumRetryAttempts", 1}});
  EventBus bus(*store_, clock_, random_);
  ASSERT_TRUE(bus.Reload().ok());
  ASSERT_TRUE(bus.PublishWithId(Issuance()).ok());
  sender_.statuses = {500, 500, 500};
  DeliveryWorker worker(*store_, *box_, sender_, *dead_, clock_, Options());
  EXPECT_EQ(worker.RunOnce(), 1u);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(worker.RunOnce(), 1u);
  EXPECT_EQ(sender_.calls.size(), 2u);  // the attempt and one retry
  EXPECT_EQ(Queued(), 0u);
  std::vector<json> dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["target_arn"], kDest);
  EXPECT_EQ(dead[0]["attempts"], 2);
  EXPECT_EQ(dead[0]["event"]["source"], "aws.acm-pca");
  EXPECT_EQ(dead[0].dump().find("s3cret"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/dead-letter.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DeliveryTest, NonRetryableStatusIsDeadAtOnce) {
  AddRule("r1", R"({"source": ["aws.acm-pca"]})");
  EventBus bus(*store_, clock_, random_);
  ASSERT_TRUE(bus.Reload().ok());
  ASSERT_TRUE(bus.PublishWithId(Issuance()).ok());
  sender_.statuses = {400};
  DeliveryWorker worker(*store_, *box_, sender_, *dead_, clock_, Options());
  EXPECT_EQ(worker.RunOnce(), 1u);
  EXPECT_EQ(Queued(), 0u);
  EXPECT_EQ(DeadLetters().size(), 1u);
}

TEST_F(DeliveryTest, QueuedDeliverySurvivesANewWorker) {
  AddRule("r1", R"({"source": ["aws.acm-pca"]})");
  {
    EventBus bus(*store_, clock_, random_);
    ASSERT_TRUE(bus.Reload().ok());
    ASSERT_TRUE(bus.PublishWithId(Issuance()).ok());
  }
  // Reopen the database, as after a restart.
  store_.reset();
  db_.reset();
  auto db = store::SqliteStore::Open(dir_ + "/db");
  ASSERT_TRUE(db.ok());
  db_ = std::move(db).value();
  store_ = std::make_unique<store::SqliteEventsStore>(*db_);
  EXPECT_EQ(Queued(), 1u);
  DeliveryWorker worker(*store_, *box_, sender_, *dead_, clock_, Options());
  EXPECT_EQ(worker.RunOnce(), 1u);
  EXPECT_EQ(sender_.calls.size(), 1u);
  EXPECT_EQ(Queued(), 0u);
}

TEST_F(DeliveryTest, DeletedDestinationIsDeadLettered) {
  AddRule("r1", R"({"source": ["aws.acm-pca"]})");
  EventBus bus(*store_, clock_, random_);
  ASSERT_TRUE(bus.Reload().ok());
  ASSERT_TRUE(bus.PublishWithId(Issuance()).ok());
  ASSERT_TRUE(store_->DeleteApiDestination(kDest).ok());
  DeliveryWorker worker(*store_, *box_, sender_, *dead_, clock_, Options());
  EXPECT_EQ(worker.RunOnce(), 1u);
  EXPECT_TRUE(sender_.calls.empty());
  EXPECT_EQ(DeadLetters().size(), 1u);
}

TEST(InvocationTest, BasicAuthTargetParametersAndInputPath) {
  InvocationParts p;
  p.destination = {{"InvocationEndpoint", "https://hooks.example/v1/*/events"},
                   {"HttpMethod", "PUT"}};
  p.connection = {{"AuthParameters", {{"BasicAuthParameters", {{"Username", "user"}}}}}};
  p.authorization_type = "BASIC";
  p.secret = {{"Password", "pass"},
              {"InvocationHttpParameters",
               {{"HeaderParameters", {{{"Key", "x-team"}, {"Value", "pki"}}}},
                {"QueryStringParameters", {{{"Key", "q"}, {"Value", "a b"}}}}}}};
  p.target = {
      {"HttpParameters", {{"PathParameterValues", {"ca1"}}, {"HeaderParameters", {{"x-h", "v"}}}}},
      {"InputPath", "$.detail"}};
  p.envelope = {{"detail", {{"result", "success"}}}};
  Result<HttpCall> call = BuildInvocation(p);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->method, "PUT");
  EXPECT_EQ(call->url, "https://hooks.example/v1/ca1/events?q=a%20b");
  EXPECT_EQ(Header(*call, "Authorization"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(Header(*call, "x-team"), "pki");
  EXPECT_EQ(Header(*call, "x-h"), "v");
  EXPECT_EQ(json::parse(call->body), (json{{"result", "success"}}));
}

TEST(HttpClientTest, ParsesUrlsAndLoopback) {
  auto u = ParseUrl("http://127.0.0.1:8080/a?b=1");
  ASSERT_TRUE(u.has_value());
  EXPECT_FALSE(u->https);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/a?b=1");
  auto v = ParseUrl("https://[::1]/x");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 443);
  EXPECT_FALSE(ParseUrl("ftp://x/").has_value());
  EXPECT_FALSE(ParseUrl("https://user@host/").has_value());
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

}  // namespace
}  // namespace openpca::events

// The EventBridge handlers over a real SQLite store: AWS's errors for what is refused, with the
// state unchanged, and connection secrets never returned.
#include <gtest/gtest.h>

#include <filesystem>

#include "events/bus.h"
#include "services/events/events_operations.h"
#include "store/sqlite/sqlite_events_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::services::events {
namespace {

using nlohmann::json;

class EventsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/openpca_events_svc_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto db = store::SqliteStore::Open(dir_ + "/db");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    store_ = std::make_unique<store::SqliteEventsStore>(*db_);
    auto box = keys::SecretBox::Create(Bytes(32, 1));
    ASSERT_TRUE(box.ok());
    box_ = std::move(box).value();
    bus_ = std::make_unique<openpca::events::EventBus>(*store_, clock_, random_);
    EventsDeps deps;
    deps.store = store_.get();
    deps.bus = bus_.get();
    deps.box = box_.get();
    deps.clock = &clock_;
    deps.random = &random_;
    for (auto& [name, handler] : EventsOperations(deps)) ops_[name] = std::move(handler);
    ctx_.account_id = "111122223333";
    ctx_.region = "us-east-1";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<json> Call(const std::string& op, const json& input) { return ops_.at(op)(ctx_, input); }
  ErrorCode Code(const std::string& op, const json& input) {
    Result<json> r = Call(op, input);
    return r.ok() ? ErrorCode::kOk : r.status().code();
  }

  std::string Connection() {
    Result<json> c = Call(
        "CreateConnection",
        {{"Name", "c"},
         {"AuthorizationType", "API_KEY"},
         {"AuthParameters",
          {{"ApiKeyAuthParameters", {{"ApiKeyName", "x-key"}, {"ApiKeyValue", "topsecret"}}}}}});
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? (*c)["ConnectionArn"].get<std::string>() : "";
  }
  std::string Destination(const std::string& connection) {
    Result<json> d = Call("CreateApiDestination", {{"Name", "d"},
                                                   {"ConnectionArn", connection},
                                                   {"InvocationEndpoint", "https://h.example/x"},
                                                   {"HttpMethod", "POST"}});
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? (*d)["ApiDestinationArn"].get<std::string>() : "";
  }
  size_t RuleCount() { return (*Call("ListRules", json::object()))["Rules"].size(); }

  std::string dir_;
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteEventsStore> store_;
  std::unique_ptr<keys::SecretBox> box_;
  FakeClock clock_{FromUnixSeconds(1'700'000'000)};
  OpenSslRandom random_;
  std::unique_ptr<openpca::events::EventBus> bus_;
  std::map<std::string, api::OperationHandler> ops_;
  api::CallContext ctx_;
};

TEST_F(EventsServiceTest, PutRuleRefusalsChangeNothing) {
  EXPECT_EQ(Code("PutRule", {{"Name", "r"}, {"EventPattern", "{\"source\": \"x\"}"}}),
            ErrorCode::kInvalidPolicy);
  EXPECT_EQ(Code("PutRule", {{"Name", "r"}}), ErrorCode::kValidation);
  EXPECT_EQ(Code("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minute)"}}),
            ErrorCode::kValidation);
  EXPECT_EQ(
      Code("PutRule",
           {{"Name", "r"}, {"EventBusName", "custom"}, {"EventPattern", "{\"source\": [\"x\"]}"}}),
      ErrorCode::kResourceNotFound);
  EXPECT_EQ(RuleCount(), 0u);
  Result<json> ok = Call("PutRule", {{"Name", "r"},
                                     {"EventBusName",
                                      "arn:aws:events:us-east-1:111122223333:"
                                      "event-bus/default"},
                                     {"EventPattern", "{\"source\": [\"x\"]}"}});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)["RuleArn"], "arn:aws:events:us-east-1:111122223333:rule/r");
  EXPECT_EQ(RuleCount(), 1u);
}

TEST_F(EventsServiceTest, DeleteRuleWithTargetsIsRefused) {
  std::string dest = Destination(Connection());
  ASSERT_TRUE(Call("PutRule", {{"Name", "r"}, {"EventPattern", "{\"source\": [\"x\"]}"}}).ok());
  ASSERT_TRUE(
      Call("PutTargets", {{"Rule", "r"}, {"Targets", {{{"Id", "t"}, {"Arn", dest}}}}}).ok());
  EXPECT_EQ(Code("DeleteRule", {{"Name", "r"}}), ErrorCode::kValidation);
  EXPECT_EQ(RuleCount(), 1u);
  EXPECT_EQ(Code("PutTargets",
                 {{"Rule", "r"},
                  {"Targets", {{{"Id", "q"}, {"Arn", "arn:aws:sqs:us-east-1:111122223333:q"}}}}}),
            ErrorCode::kValidation);
  EXPECT_EQ(Code("PutTargets", {{"Rule", "absent"}, {"Targets", {{{"Id", "t"}, {"Arn", dest}}}}}),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ((*Call("ListTargetsByRule", {{"Rule", "r"}}))["Targets"].size(), 1u);
  ASSERT_TRUE(Call("RemoveTargets", {{"Rule", "r"}, {"Ids", {"t"}}}).ok());
  EXPECT_TRUE(Call("DeleteRule", {{"Name", "r"}}).ok());
  EXPECT_EQ(RuleCount(), 0u);
  EXPECT_TRUE(Call("DeleteRule", {{"Name", "r"}}).ok());  // again: fine, as AWS
}

TEST_F(EventsServiceTest, ConnectionSecretIsSealedAndNeverReturned) {
  std::string arn = Connection();
  Result<json> d = Call("DescribeConnection", {{"Name", "c"}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)["AuthParameters"], (json{{"ApiKeyAuthParameters", {{"ApiKeyName", "x-key"}}}}));
  EXPECT_EQ(d->dump().find("topsecret"), std::string::npos);
  auto stored = store_->GetConnectionByArn(arn);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  std::string blob((*stored)->sealed_secret.begin(), (*stored)->sealed_secret.end());
  EXPECT_EQ(blob.find("topsecret"), std::string::npos);
  EXPECT_EQ(
      Code("CreateConnection",
           {{"Name", "c"},
            {"AuthorizationType", "BASIC"},
            {"AuthParameters", {{"BasicAuthParameters", {{"Username", "u"}, {"Password", "p"}}}}}}),
      ErrorCode::kAlreadyExists);
  EXPECT_EQ(Code("CreateConnection", {{"Name", "o"},
                                      {"AuthorizationType", "OAUTH_CLIENT_CREDENTIALS"},
                                      {"AuthParameters", json::object()}}),
            ErrorCode::kValidation);
  EXPECT_EQ((*Call("ListConnections", json::object()))["Connections"].size(), 1u);
}

TEST_F(EventsServiceTest, ApiDestinationEndpointAndConnectionChecked) {
  std::string conn = Connection();
  json base = {{"Name", "d"}, {"ConnectionArn", conn}, {"HttpMethod", "POST"}};
  json plain = base;
  plain["InvocationEndpoint"] = "http://198.51.100.1/x";
  EXPECT_EQ(Code("CreateApiDestination", plain), ErrorCode::kValidation);
  json loop = base;
  loop["InvocationEndpoint"] = "http://127.0.0.1:8080/x";
  EXPECT_TRUE(Call("CreateApiDestination", loop).ok());
  json other = base;
  other["Name"] = "e";
  other["InvocationEndpoint"] = "https://h.example/";
  other["ConnectionArn"] = "arn:aws:events:us-east-1:111122223333:connection/none/x";
  EXPECT_EQ(Code("CreateApiDestination", other), ErrorCode::kResourceNotFound);
  EXPECT_EQ(Code("CreateApiDestination", loop), ErrorCode::kAlreadyExists);
  Result<json> list = Call("ListApiDestinations", json::object());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ((*list)["ApiDestinations"].size(), 1u);
  EXPECT_EQ((*list)["ApiDestinations"][0]["InvocationRateLimitPerSecond"], 300);
}

TEST_F(EventsServiceTest, PutEventsRefusesAwsSourcesPerEntry) {
  Result<json> out =
      Call("PutEvents", {{"Entries",
                          {{{"Source", "aws.acm-pca"}, {"DetailType", "x"}, {"Detail", "{}"}},
                           {{"Source", "app"}, {"DetailType", "x"}, {"Detail", "{\"a\": 1}"}},
                           {{"Source", "app"}, {"DetailType", "x"}, {"Detail", "[1]"}},
                           {{"Source", "app"}, {"Detail", "{}"}}}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["FailedEntryCount"], 3);
  EXPECT_EQ((*out)["Entries"][0]["ErrorCode"], "NotAuthorizedForSourceException");
  EXPECT_TRUE((*out)["Entries"][1].contains("EventId"));
  EXPECT_EQ((*out)["Entries"][2]["ErrorCode"], "MalformedDetail");
  EXPECT_EQ((*out)["Entries"][3]["ErrorCode"], "InvalidArgument");
}

TEST_F(EventsServiceTest, TestEventPatternUsesTheMatcher) {
  json event = {{"id", "1"},
                {"account", "111122223333"},
                {"source", "aws.acm-pca"},
                {"time", "t"},
                {"region", "us-east-1"},
                {"resources", json::array()},
                {"detail-type", "x"},
                {"detail", {{"result", "failure"}}}};
  Result<json> yes = Call(
      "TestEventPattern",
      {{"EventPattern", "{\"detail\": {\"result\": [\"failure\"]}}"}, {"Event", event.dump()}});
  ASSERT_TRUE(yes.ok());
  EXPECT_EQ((*yes)["Result"], true);
  Result<json> no = Call("TestEventPattern", {{"EventPattern", "{\"source\": [\"aws.acm\"]}"},
                                              {"Event", event.dump()}});
  ASSERT_TRUE(no.ok());
  EXPECT_EQ((*no)["Result"], false);
  EXPECT_EQ(Code("TestEventPattern", {{"EventPattern", "{}"}, {"Event", event.dump()}}),
            ErrorCode::kInvalidPolicy);
  EXPECT_EQ(Code("TestEventPattern", {{"EventPattern", "{\"a\": [1]}"}, {"Event", "[]"}}),
            ErrorCode::kValidation);
}

TEST_F(EventsServiceTest, ListRulesPaginatesByPrefix) {
  for (const char* name : {"a1", "a2", "a3", "b1"}) {
    ASSERT_TRUE(Call("PutRule", {{"Name", name}, {"EventPattern", "{\"s\": [1]}"}}).ok());
  }
  Result<json> p1 = Call("ListRules", {{"NamePrefix", "a"}, {"Limit", 2}});
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ((*p1)["Rules"].size(), 2u);
  ASSERT_TRUE(p1->contains("NextToken"));
  Result<json> p2 =
      Call("ListRules", {{"NamePrefix", "a"}, {"Limit", 2}, {"NextToken", (*p1)["NextToken"]}});
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ((*p2)["Rules"].size(), 1u);
  EXPECT_EQ((*p2)["Rules"][0]["Name"], "a3");
  EXPECT_FALSE(p2->contains("NextToken"));
  EXPECT_EQ(Code("ListRules", {{"NextToken", "zz"}}), ErrorCode::kValidation);
}

}  // namespace
}  // namespace openpca::services::events

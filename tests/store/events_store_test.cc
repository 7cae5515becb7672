// EventsStore on every implementation: rules and their targets (limit, deletion rules), connections
// and API destinations (unique names, sealed secrets), and the delivery queue.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "domain_store_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

constexpr char kRule[] = "arn:aws:events:us-east-1:111122223333:rule/r1";

EventRuleRecord MakeRule(std::string name = "r1", std::string account = "111122223333") {
  EventRuleRecord r;
  r.arn = "arn:aws:events:us-east-1:" + account + ":rule/" + name;
  r.account_id = std::move(account);
  r.region = "us-east-1";
  r.name = std::move(name);
  r.state = "ENABLED";
  r.document = {{"EventPattern", "{\"source\":[\"aws.acm-pca\"]}"}, {"Description", "d"}};
  r.created_at_ms = 100;
  r.updated_at_ms = 100;
  return r;
}

EventTargetRecord MakeTarget(std::string id, int64_t at_ms = 200) {
  return EventTargetRecord{kRule, std::move(id), {{"Id", "x"}, {"Arn", "arn:dest"}}, at_ms};
}

EventConnectionRecord MakeConnection(std::string name, std::string uuid = "u1") {
  EventConnectionRecord c;
  c.arn = "arn:aws:events:us-east-1:111122223333:connection/" + name + "/" + uuid;
  c.account_id = "111122223333";
  c.region = "us-east-1";
  c.name = std::move(name);
  c.authorization_type = "API_KEY";
  c.state = "AUTHORIZED";
  c.document = {{"AuthParameters", {{"ApiKeyAuthParameters", {{"ApiKeyName", "x-api-key"}}}}}};
  c.sealed_secret = {0x00, 0x01, 0xfe, 0xff, 0x00, 0x7f};  // binary, with NUL bytes
  c.created_at_ms = 300;
  c.updated_at_ms = 300;
  return c;
}

ApiDestinationRecord MakeDestination(std::string name, std::string uuid = "u1") {
  ApiDestinationRecord d;
  d.arn = "arn:aws:events:us-east-1:111122223333:api-destination/" + name + "/" + uuid;
  d.account_id = "111122223333";
  d.region = "us-east-1";
  d.name = std::move(name);
  d.connection_arn = "arn:aws:events:us-east-1:111122223333:connection/c/u1";
  d.document = {{"InvocationEndpoint", "https://example.test/hook"}, {"HttpMethod", "POST"}};
  d.created_at_ms = 400;
  d.updated_at_ms = 400;
  return d;
}

EventDeliveryRecord MakeDelivery(std::string id, int64_t due_ms) {
  EventDeliveryRecord d;
  d.id = std::move(id);
  d.rule_arn = kRule;
  d.target_id = "t1";
  d.target_arn = "arn:dest";
  d.target = R"({"Id":"t1"})";
  d.envelope = R"({"detail-type":"x"})";
  d.accepted_at_ms = 1;
  d.next_attempt_at_ms = due_ms;
  return d;
}

template <typename Factory>
class EventsStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    events_ = Factory::Events(this->store());
  }

  std::unique_ptr<EventsStore> events_;  // destroyed before the Store it uses
};

TYPED_TEST_SUITE(EventsStoreTest, DomainStoreImplementations);

TYPED_TEST(EventsStoreTest, PutRuleInsertsThenReplacesKeepingCreationTime) {
  EventsStore& events = *this->events_;
  auto none = events.GetRule(kRule);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_OK(events.PutRule(MakeRule()));
  EventRuleRecord changed = MakeRule();
  changed.state = "DISABLED";
  changed.document = {{"Description", "changed"}};
  changed.created_at_ms = 999;
  changed.updated_at_ms = 150;
  ASSERT_OK(events.PutRule(changed));
  auto got = events.GetRule(kRule);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state, "DISABLED");
  EXPECT_EQ((*got)->document, (nlohmann::json{{"Description", "changed"}}));
  EXPECT_EQ((*got)->created_at_ms, 100);
  EXPECT_EQ((*got)->updated_at_ms, 150);
  EXPECT_EQ((*got)->account_id, "111122223333");
  EXPECT_EQ((*got)->name, "r1");
}

TYPED_TEST(EventsStoreTest, RulesListByAccountRegionAndName) {
  EventsStore& events = *this->events_;
  ASSERT_OK(events.PutRule(MakeRule("b", "222233334444")));
  ASSERT_OK(events.PutRule(MakeRule("b")));
  ASSERT_OK(events.PutRule(MakeRule("B")));
  ASSERT_OK(events.PutRule(MakeRule("a")));
  auto rules = events.ListRules();
  ASSERT_TRUE(rules.ok());
  std::vector<std::string> order;
  for (const EventRuleRecord& r : *rules) order.push_back(r.account_id + "/" + r.name);
  // Names compare as bytes: "B" before "a".
  EXPECT_EQ(order, (std::vector<std::string>{"111122223333/B", "111122223333/a", "111122223333/b",
                                             "222233334444/b"}));
}

TYPED_TEST(EventsStoreTest, TargetsAreLimitedPerRuleAndBlockTheRulesDeletion) {
  EventsStore& events = *this->events_;
  EXPECT_EQ(events.PutTargets(kRule, {MakeTarget("t1")}, 5).code(), ErrorCode::kResourceNotFound);
  ASSERT_OK(events.PutRule(MakeRule()));
  ASSERT_OK(events.PutTargets(kRule, {MakeTarget("t1"), MakeTarget("t2")}, 3));
  // Replacing t2 and adding t3 makes three: at the limit.
  EventTargetRecord t2 = MakeTarget("t2");
  t2.document = {{"Id", "t2"}, {"Arn", "arn:other"}};
  ASSERT_OK(events.PutTargets(kRule, {t2, MakeTarget("t3")}, 3));
  // A fourth exceeds it, and nothing of that call stays.
  EXPECT_EQ(events.PutTargets(kRule, {MakeTarget("t1"), MakeTarget("t4")}, 3).code(),
            ErrorCode::kLimitExceeded);
  auto targets = events.ListTargets();
  ASSERT_TRUE(targets.ok());
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[1].target_id, "t2");
  EXPECT_EQ((*targets)[1].document["Arn"], "arn:other");

  EXPECT_EQ(events.DeleteRule(kRule).code(), ErrorCode::kValidation);
  ASSERT_OK(events.RemoveTargets(kRule, {"t1", "t2", "t3", "absent"}));
  EXPECT_TRUE(events.ListTargets()->empty());
  ASSERT_OK(events.DeleteRule(kRule));
  EXPECT_FALSE(events.GetRule(kRule)->has_value());
  EXPECT_EQ(events.DeleteRule(kRule).code(), ErrorCode::kResourceNotFound);
}

TYPED_TEST(EventsStoreTest, ConnectionsAreUniqueByNameAndKeepTheirSealedSecret) {
  EventsStore& events = *this->events_;
  ASSERT_OK(events.InsertConnection(MakeConnection("c")));
  // The same name in the account and region, under another ARN.
  EXPECT_EQ(events.InsertConnection(MakeConnection("c", "u2")).code(), ErrorCode::kAlreadyExists);
  ASSERT_OK(events.InsertConnection(MakeConnection("B")));
  auto by_name = events.GetConnection("111122223333", "us-east-1", "c");
  ASSERT_TRUE(by_name.ok() && by_name->has_value());
  EXPECT_EQ((*by_name)->sealed_secret, MakeConnection("c").sealed_secret);
  EXPECT_EQ((*by_name)->document, MakeConnection("c").document);
  EXPECT_EQ((*by_name)->authorization_type, "API_KEY");
  auto by_arn = events.GetConnectionByArn(MakeConnection("c").arn);
  ASSERT_TRUE(by_arn.ok() && by_arn->has_value());
  EXPECT_EQ((*by_arn)->name, "c");
  EXPECT_FALSE(events.GetConnection("111122223333", "eu-west-1", "c")->has_value());
  auto list = events.ListConnections("111122223333", "us-east-1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "B");
  EXPECT_TRUE(events.ListConnections("444455556666", "us-east-1")->empty());
  ASSERT_OK(events.DeleteConnection(MakeConnection("c").arn));
  EXPECT_EQ(events.DeleteConnection(MakeConnection("c").arn).code(), ErrorCode::kResourceNotFound);
}

TYPED_TEST(EventsStoreTest, ApiDestinationsAreUniqueByName) {
  EventsStore& events = *this->events_;
  ASSERT_OK(events.InsertApiDestination(MakeDestination("d")));
  EXPECT_EQ(events.InsertApiDestination(MakeDestination("d", "u2")).code(),
            ErrorCode::kAlreadyExists);
  ASSERT_OK(events.InsertApiDestination(MakeDestination("a")));
  auto got = events.GetApiDestination("111122223333", "us-east-1", "d");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->connection_arn, MakeDestination("d").connection_arn);
  EXPECT_EQ((*got)->document["HttpMethod"], "POST");
  EXPECT_TRUE(events.GetApiDestinationByArn(MakeDestination("d").arn)->has_value());
  EXPECT_FALSE(events.GetApiDestinationByArn("arn:none")->has_value());
  auto list = events.ListApiDestinations("111122223333", "us-east-1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a");
  ASSERT_OK(events.DeleteApiDestination(MakeDestination("d").arn));
  EXPECT_EQ(events.DeleteApiDestination(MakeDestination("d").arn).code(),
            ErrorCode::kResourceNotFound);
}

TYPED_TEST(EventsStoreTest, DeliveriesAreDueEarliestFirstUntilCompleted) {
  EventsStore& events = *this->events_;
  EXPECT_FALSE(events.NextDeliveryDueMs()->has_value());
  ASSERT_OK(events.EnqueueDeliveries({}));
  ASSERT_OK(events.EnqueueDeliveries(
      {MakeDelivery("d3", 30), MakeDelivery("d1", 10), MakeDelivery("d2", 20)}));
  EXPECT_EQ(events.NextDeliveryDueMs().value(), std::optional<int64_t>(10));
  auto due = events.DueDeliveries(20, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, "d1");
  EXPECT_EQ((*due)[1].id, "d2");
  EXPECT_EQ((*due)[0].envelope, R"({"detail-type":"x"})");
  EXPECT_EQ(events.DueDeliveries(100, 1)->size(), 1u);

  ASSERT_OK(events.RescheduleDelivery("d1", 1, 50, "HTTP 503"));
  ASSERT_OK(events.CompleteDelivery("d2"));
  ASSERT_OK(events.CompleteDelivery("absent"));
  EXPECT_EQ(events.NextDeliveryDueMs().value(), std::optional<int64_t>(30));
  due = events.DueDeliveries(100, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, "d3");
  EXPECT_EQ((*due)[1].id, "d1");
  EXPECT_EQ((*due)[1].attempts, 1);
  EXPECT_EQ((*due)[1].last_error, "HTTP 503");
}

TYPED_TEST(EventsStoreTest, AFailedEnqueueQueuesNothing) {
  EventsStore& events = *this->events_;
  ASSERT_OK(events.EnqueueDeliveries({MakeDelivery("d1", 10)}));
  // "d1" again: the batch fails as a whole.
  EXPECT_FALSE(events.EnqueueDeliveries({MakeDelivery("d2", 20), MakeDelivery("d1", 30)}).ok());
  auto due = events.DueDeliveries(100, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].next_attempt_at_ms, 10);
}

}  // namespace
}  // namespace openpca::store::testing

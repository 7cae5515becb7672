// SqliteTrailStore and the call record committed with a call's first write: a change and its
// record commit or fail together, pending records survive a reopen, lookups by every key read
// newest first, the delivery cursor, purging.
#include <gtest/gtest.h>

#include <memory>

#include "store/call_record.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_store.h"
#include "test_util.h"

namespace openpca::store {
namespace {

using testing::MakeCa;
using testing::MakeCertificate;
using testing::TempDir;

constexpr char kAccount[] = "111122223333";
constexpr char kOther[] = "444455556666";
constexpr char kCaArn[] = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca1";

StoredEvent Event(std::string id, int64_t time_ms, std::string name = "IssueCertificate",
                  std::string account = kAccount) {
  StoredEvent e;
  e.event_id = std::move(id);
  e.recipient_account_id = std::move(account);
  e.region = "us-east-1";
  e.event_time_ms = time_ms;
  e.event_source = "acm-pca.amazonaws.com";
  e.event_name = std::move(name);
  e.read_only = e.event_name.starts_with("Get");
  e.username = "alice";
  e.access_key_id = "AKIAALICE";
  e.resources = {{"AWS::ACMPCA::CertificateAuthority", kCaArn}};
  e.record_json = "{\"eventID\":\"" + e.event_id + "\"}";
  return e;
}

class TrailStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    trail_.reset();
    db_.reset();
    auto db = SqliteStore::Open(dir_.File("db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    trail_ = std::make_unique<SqliteTrailStore>(*db_);
  }
  std::vector<StoredEvent> All() {
    auto r = trail_->ReadEventsAfter(0, 1000);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<StoredEvent>();
  }
  std::vector<std::string> Ids(const EventQuery& q) {
    auto r = trail_->LookupEvents(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const auto& e : *r) ids.push_back(e.event_id);
    }
    return ids;
  }
  EventQuery Query(EventLookupKey key = EventLookupKey::kNone, std::string value = "") {
    EventQuery q;
    q.recipient_account_id = kAccount;
    q.region = "us-east-1";
    q.key = key;
    q.value = std::move(value);
    q.start_ms = 0;
    q.end_ms = 1'000'000;
    return q;
  }
  PendingEvents Pending(std::string call_id) {
    PendingEvents p;
    p.call_id = std::move(call_id);
    p.created_at_ms = 5;
    p.events = {Event(p.call_id, 5)};
    return p;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> db_;
  std::unique_ptr<SqliteTrailStore> trail_;
};

TEST_F(TrailStoreTest, WriteUnderScopeCommitsItsRecordOnce) {
  ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  CallRecord record(Pending("call-1"));
  {
    CallRecordScope scope(&record);
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
    EXPECT_TRUE(record.written());
    // A second write of the same call does not insert the record again (it would conflict).
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "02"), std::nullopt));
  }
  auto pending = trail_->ListPendingEvents();
  ASSERT_OK(pending.status());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].call_id, "call-1");
  ASSERT_EQ((*pending)[0].events.size(), 1u);
  EXPECT_EQ((*pending)[0].events[0].resources[0].name, kCaArn);
  // Pending records are not visible to readers.
  EXPECT_TRUE(All().empty());
  EXPECT_TRUE(Ids(Query()).empty());
  // A write outside the scope carries nothing.
  ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "03"), std::nullopt));
  EXPECT_EQ(trail_->ListPendingEvents()->size(), 1u);
}

TEST_F(TrailStoreTest, FailedWriteLeavesNeitherStateNorRecord) {
  ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  CallRecord record(Pending("call-2"));
  {
    CallRecordScope scope(&record);
    // The CA does not exist: the write fails, and so does the record's insertion with it.
    Status st = db_->InsertCertificate(MakeCertificate("nope", "02"), std::nullopt);
    EXPECT_FALSE(st.ok());
    EXPECT_FALSE(record.written());
  }
  EXPECT_TRUE(trail_->ListPendingEvents()->empty());
  EXPECT_EQ(db_->GetCertificate("nope", "02").status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(TrailStoreTest, RecordThatCannotBeInsertedUndoesTheChange) {
  ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  // Another call already holds this call id: the record insert fails, so must the write.
  CallRecord first(Pending("dup"));
  {
    CallRecordScope scope(&first);
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  }
  CallRecord second(Pending("dup"));
  {
    CallRecordScope scope(&second);
    EXPECT_FALSE(db_->InsertCertificate(MakeCertificate("ca1", "02"), std::nullopt).ok());
  }
  EXPECT_FALSE(db_->GetCertificate("ca1", "02").ok());
  EXPECT_TRUE(db_->GetCertificate("ca1", "01").ok());
}

TEST_F(TrailStoreTest, FinalizationRemovesPendingAndPendingSurvivesReopen) {
  ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  CallRecord a(Pending("call-a"));
  a.SetProvisionalResponse("{\"certificateArn\":\"x\"}");
  CallRecord b(Pending("call-b"));
  {
    CallRecordScope scope(&a);
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "0a"), std::nullopt));
  }
  {
    CallRecordScope scope(&b);
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "0b"), std::nullopt));
  }
  ASSERT_OK(trail_->AppendEvents({EventCommit{"call-a", {Event("call-a", 5)}}}));
  Open();  // b's outcome was never recorded
  auto pending = trail_->ListPendingEvents();
  ASSERT_OK(pending.status());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].call_id, "call-b");
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].event_id, "call-a");
}

TEST_F(TrailStoreTest, ProvisionalResponseTravelsWithThePendingRow) {
  ASSERT_OK(db_->InsertCa(MakeCa("ca1"), {}, std::nullopt));
  CallRecord a(Pending("call-a"));
  a.SetProvisionalResponse("{\"certificateArn\":\"arn-x\"}");
  {
    CallRecordScope scope(&a);
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "0a"), std::nullopt));
  }
  auto pending = trail_->ListPendingEvents();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].provisional_response, "{\"certificateArn\":\"arn-x\"}");
}

TEST_F(TrailStoreTest, ReadEventsAfterFollowsCommitOrder) {
  ASSERT_OK(trail_->AppendEvents({EventCommit{"", {Event("e1", 30)}},
                                  EventCommit{"", {Event("e2", 10), Event("e3", 10, "X", kOther)}}}));
  ASSERT_OK(trail_->AppendEvents({EventCommit{"", {Event("e4", 20)}}}));
  auto all = All();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].event_id, "e1");
  EXPECT_EQ(all[3].event_id, "e4");
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].seq, all[i - 1].seq);
  auto after = trail_->ReadEventsAfter(all[1].seq, 10);
  ASSERT_OK(after.status());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].event_id, "e3");
  EXPECT_EQ((*after)[0].recipient_account_id, kOther);
  EXPECT_EQ((*after)[0].resources.size(), 1u);
}

TEST_F(TrailStoreTest, LookupByEveryKeyNewestFirstWithinAccountRegionAndTime) {
  StoredEvent get = Event("g1", 40, "GetCertificate");
  get.username = "bob";
  get.access_key_id = "AKIABOB";
  get.event_source = "iam.amazonaws.com";
  get.resources = {{"AWS::IAM::User", "arn:aws:iam::111122223333:user/bob"}};
  StoredEvent other_region = Event("r1", 50);
  other_region.region = "eu-west-1";
  ASSERT_OK(trail_->AppendEvents({EventCommit{"", {Event("i1", 10), Event("i2", 30), get,
                                                   Event("x1", 20, "IssueCertificate", kOther),
                                                   other_region}}}));
  using K = EventLookupKey;
  EXPECT_EQ(Ids(Query()), (std::vector<std::string>{"g1", "i2", "i1"}));
  EXPECT_EQ(Ids(Query(K::kEventId, "i2")), std::vector<std::string>{"i2"});
  EXPECT_EQ(Ids(Query(K::kEventName, "IssueCertificate")), (std::vector<std::string>{"i2", "i1"}));
  EXPECT_EQ(Ids(Query(K::kReadOnly, "true")), std::vector<std::string>{"g1"});
  EXPECT_EQ(Ids(Query(K::kReadOnly, "false")), (std::vector<std::string>{"i2", "i1"}));
  EXPECT_EQ(Ids(Query(K::kUsername, "bob")), std::vector<std::string>{"g1"});
  EXPECT_EQ(Ids(Query(K::kAccessKeyId, "AKIAALICE")), (std::vector<std::string>{"i2", "i1"}));
  EXPECT_EQ(Ids(Query(K::kEventSource, "iam.amazonaws.com")), std::vector<std::string>{"g1"});
  EXPECT_EQ(Ids(Query(K::kResourceType, "AWS::ACMPCA::CertificateAuthority")),
            (std::vector<std::string>{"i2", "i1"}));
  EXPECT_EQ(Ids(Query(K::kResourceName, "arn:aws:iam::111122223333:user/bob")),
            std::vector<std::string>{"g1"});
  EventQuery window = Query();
  window.start_ms = 20;
  window.end_ms = 35;
  EXPECT_EQ(Ids(window), std::vector<std::string>{"i2"});
  // Pages: strictly after the last position seen.
  EventQuery page = Query();
  page.limit = 2;
  auto first = trail_->LookupEvents(page);
  ASSERT_EQ(first->size(), 2u);
  page.has_before = true;
  page.before_time_ms = first->back().event_time_ms;
  page.before_seq = first->back().seq;
  EXPECT_EQ(Ids(page), std::vector<std::string>{"i1"});
}

TEST_F(TrailStoreTest, PurgeRemovesOldestInBoundedBatches) {
  ASSERT_OK(trail_->AppendEvents({EventCommit{"", {Event("a", 1), Event("b", 2), Event("c", 3),
                                                   Event("d", 100)}}}));
  auto n = trail_->PurgeEventsBefore(50, 2);
  ASSERT_OK(n.status());
  EXPECT_EQ(*n, 2);
  n = trail_->PurgeEventsBefore(50, 2);
  EXPECT_EQ(*n, 1);
  n = trail_->PurgeEventsBefore(50, 2);
  EXPECT_EQ(*n, 0);
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].event_id, "d");
  // Resources went with their records.
  EXPECT_TRUE(Ids(Query(EventLookupKey::kResourceType, "AWS::ACMPCA::CertificateAuthority")) ==
              std::vector<std::string>{"d"});
  // seq is never reused after a purge.
  ASSERT_OK(trail_->PurgeEventsBefore(1000, 10).status());
  ASSERT_OK(trail_->AppendEvents({EventCommit{"", {Event("e", 200)}}}));
  EXPECT_GT(All()[0].seq, 4);
}

}  // namespace
}  // namespace openpca::store

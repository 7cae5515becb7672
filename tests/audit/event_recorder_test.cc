// EventRecorder over a real SQLite store: a call's record becomes final after End(), the pending
// row goes with it; a read-only call never writes a pending row; a call whose change committed
// but whose outcome was never recorded is made final at the next Start(), with the response its
// write implied; the recorder indexes final records for LookupEvents behind their commit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "audit/event_recorder.h"
#include "store/call_record.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_store.h"
#include "../store/test_util.h"

namespace openpca::audit {
namespace {

using store::testing::MakeCa;
using store::testing::MakeCertificate;

CallFacts Facts(std::string operation) {
  CallFacts f;
  f.service = "acm-pca";
  f.operation = std::move(operation);
  f.request_id = "req";
  f.region = "us-east-1";
  f.event_time_ms = 1'000'000;
  f.identity.type = IdentityType::kIamUser;
  f.identity.account_id = "111122223333";
  f.identity.arn = "arn:aws:iam::111122223333:user/alice";
  f.identity.user_name = "alice";
  f.identity.access_key_id = "AKIAALICE";
  return f;
}

// acm-pca IssueCertificate, whose ActionSpec declares its outcome the announced write.
CallFacts IssueFacts() {
  CallFacts f = Facts("IssueCertificate");
  f.outcome_is_announced_write = true;
  return f;
}

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    recorder_.reset();
    trail_.reset();
    db_.reset();
    auto db = store::SqliteStore::Open(dir_.File("db"));
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    (void)db_->InsertCa(MakeCa("ca1"), {}, std::nullopt);  // present after a reopen
    trail_ = std::make_unique<store::SqliteTrailStore>(*db_);
    RecorderOptions options;
    options.default_account = "111122223333";
    recorder_ = std::make_unique<EventRecorder>(*trail_, clock_, random_, options,
                                                spdlog::default_logger());
    ASSERT_OK(recorder_->Start());
  }
  std::vector<store::StoredEvent> All() { return *trail_->ReadEventsAfter(0, 100); }

  store::testing::TempDir dir_;
  FakeClock clock_{FromUnixSeconds(1'000)};
  OpenSslRandom random_;
  std::unique_ptr<store::SqliteStore> db_;
  std::unique_ptr<store::SqliteTrailStore> trail_;
  std::unique_ptr<EventRecorder> recorder_;
};

TEST_F(EventRecorderTest, MutatingCallFinalizedAfterEnd) {
  auto call = recorder_->Begin(IssueFacts(), true);
  {
    store::CallRecordScope scope(call->record());
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  }
  EXPECT_EQ(trail_->ListPendingEvents()->size(), 1u);
  CallOutcome outcome;
  outcome.response_elements = {{"certificateArn", "arn:c"}};
  recorder_->End(std::move(call), outcome);
  recorder_->Flush();
  EXPECT_TRUE(trail_->ListPendingEvents()->empty());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  auto record = nlohmann::json::parse(all[0].record_json);
  EXPECT_EQ(record["responseElements"]["certificateArn"], "arn:c");
  EXPECT_EQ(all[0].username, "alice");
}

TEST_F(EventRecorderTest, ReadOnlyAndFailedCallsAppendWithoutPending) {
  auto call = recorder_->Begin(Facts("GetCertificate"), true);
  recorder_->End(std::move(call), CallOutcome{});
  CallOutcome denied;
  denied.ok = false;
  denied.error_code = "AccessDeniedException";
  denied.error_message = "not authorized";
  recorder_->RecordUnstarted(Facts("RevokeCertificate"), denied);
  recorder_->Flush();
  auto all = All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].event_name, "GetCertificate");
  EXPECT_TRUE(all[0].read_only);
  EXPECT_EQ(nlohmann::json::parse(all[1].record_json)["errorCode"], "AccessDeniedException");
}

TEST_F(EventRecorderTest, LeftoverPendingRecordIsFinalizedAtStart) {
  // A call whose outcome is not its announced write (unlike IssueCertificate, below) keeps its
  // record pending until End().
  auto call = recorder_->Begin(Facts("ImportCertificateAuthorityCertificate"), true);
  {
    store::CallRecordScope scope(call->record());
    call->record()->SetProvisionalResponse("{\"certificateArn\":\"arn:c\"}");
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  }
  ASSERT_EQ(trail_->ListPendingEvents()->size(), 1u);
  call.reset();  // the process "ends" before End()
  Open();
  EXPECT_TRUE(trail_->ListPendingEvents()->empty());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  auto record = nlohmann::json::parse(all[0].record_json);
  EXPECT_EQ(record["responseElements"]["certificateArn"], "arn:c");
  EXPECT_EQ(record["additionalEventData"]["outcomeRecorded"], false);
  EXPECT_FALSE(record.contains("errorCode"));
}

TEST_F(EventRecorderTest, AnnouncedIssuanceCommitsItsFinalRecordWithTheCertificate) {
  auto call = recorder_->Begin(IssueFacts(), true);
  {
    store::CallRecordScope scope(call->record());
    call->record()->SetProvisionalResponse("{\"certificateArn\":\"arn:c\"}");
    ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  }
  // Final and visible before End(): no pending row, the response already in it.
  EXPECT_TRUE(trail_->ListPendingEvents()->empty());
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  auto record = nlohmann::json::parse(all[0].record_json);
  EXPECT_EQ(record["responseElements"]["certificateArn"], "arn:c");
  EXPECT_FALSE(record.contains("errorCode"));
  EXPECT_FALSE(record.contains("additionalEventData"));
  EXPECT_EQ(all[0].event_id, record["eventID"]);

  CallOutcome outcome;
  outcome.response_elements = {{"certificateArn", "arn:c"}};
  recorder_->End(std::move(call), outcome);
  recorder_->Flush();
  EXPECT_EQ(All().size(), 1u);  // End() adds no second record

  Open();  // and a restart finds nothing to recover
  EXPECT_EQ(All().size(), 1u);
}

TEST_F(EventRecorderTest, AnnouncedIssuanceWhoseWriteFailsRecordsTheError) {
  ASSERT_OK(db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  auto call = recorder_->Begin(IssueFacts(), true);
  Status st;
  {
    store::CallRecordScope scope(call->record());
    call->record()->SetProvisionalResponse("{\"certificateArn\":\"arn:c\"}");
    st = db_->InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt);  // duplicate serial
  }
  ASSERT_EQ(st.code(), ErrorCode::kRequestFailed);
  EXPECT_TRUE(All().empty());  // the failed write took its record with it
  CallOutcome failed;
  failed.ok = false;
  failed.error_code = "RequestFailedException";
  failed.error_message = "duplicate";
  recorder_->End(std::move(call), failed);
  recorder_->Flush();
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  auto record = nlohmann::json::parse(all[0].record_json);
  EXPECT_EQ(record["errorCode"], "RequestFailedException");
  EXPECT_TRUE(record["responseElements"].is_null());
  EXPECT_TRUE(trail_->ListPendingEvents()->empty());
}

TEST_F(EventRecorderTest, SwitchedOffRecordsNothing) {
  RecorderOptions off;
  off.record_events = false;
  EventRecorder quiet(*trail_, clock_, random_, off, spdlog::default_logger());
  ASSERT_OK(quiet.Start());
  EXPECT_EQ(quiet.Begin(IssueFacts(), true), nullptr);
  quiet.RecordUnstarted(Facts("X"), CallOutcome{});
  quiet.RecordServiceEvent(ServiceEventOn("GenerateCRL", "arn:aws:acm-pca:us-east-1:1:x"));
  quiet.Flush();
  EXPECT_TRUE(All().empty());
}

// Forwards to a real trail store, counting what IndexEvents indexed.
class CountingTrail final : public store::TrailStore {
 public:
  explicit CountingTrail(store::TrailStore& real) : real_(real) {}
  Result<std::vector<store::StoredEvent>> ReadEventsAfter(int64_t after, int limit) override {
    return real_.ReadEventsAfter(after, limit);
  }
  Status AppendEvents(const std::vector<store::EventCommit>& commits) override {
    return real_.AppendEvents(commits);
  }
  Result<std::vector<store::PendingEvents>> ListPendingEvents() override {
    return real_.ListPendingEvents();
  }
  Result<std::vector<store::StoredEvent>> LookupEvents(const store::EventQuery& q) override {
    return real_.LookupEvents(q);
  }
  Result<int64_t> IndexEvents(int limit) override {
    auto n = real_.IndexEvents(limit);
    if (n.ok()) indexed += *n;
    return n;
  }
  Result<int64_t> PurgeEventsBefore(int64_t cutoff_ms, int limit) override {
    return real_.PurgeEventsBefore(cutoff_ms, limit);
  }
  std::atomic<int64_t> indexed{0};

 private:
  store::TrailStore& real_;
};

TEST_F(EventRecorderTest, IndexesFinalRecordsBehindTheCommitInBatches) {
  recorder_.reset();
  CountingTrail counting(*trail_);
  RecorderOptions options;
  options.default_account = "111122223333";
  options.index_interval = std::chrono::milliseconds(10);
  options.index_batch = 2;  // five records: three batches in one round
  EventRecorder recorder(counting, clock_, random_, options, spdlog::default_logger());
  ASSERT_OK(recorder.Start());
  for (int i = 0; i < 5; ++i) {
    recorder.End(recorder.Begin(Facts("GetCertificate"), true), CallOutcome{});
  }
  recorder.Flush();
  // Liveness only: the recorder's next rounds index all five (no assertion on how soon).
  for (int i = 0; i < 3000 && counting.indexed.load() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(counting.indexed.load(), 5);
  EXPECT_EQ(*trail_->IndexEvents(100), 0);  // nothing left for anyone else
  store::EventQuery q;
  q.recipient_account_id = "111122223333";
  q.region = "us-east-1";
  q.key = store::EventLookupKey::kEventName;
  q.value = "GetCertificate";
  q.end_ms = 2'000'000;
  EXPECT_EQ(trail_->LookupEvents(q)->size(), 5u);
}

}  // namespace
}  // namespace openpca::audit

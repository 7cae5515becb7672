// PgStore beyond the typed Store suites: servers sharing one database (serial races, CRL numbers,
// optimistic concurrency, concurrent migration), recovery from lost sessions and from a server
// crash, the writer's pipelined batches (a failing job undone alone, a lost connection) and its
// commit probe (the resource-facts generation known at once to the writing server, by poll to
// the others), the call
// record written with a write, streaming scans, and secrets kept out of errors.
// Runs on the process's PostgreSQL server (postgres_server.h); skipped, loudly, without one.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/call_record.h"
#include "store/migration.h"
#include "store/postgres/pg_facts_generation_store.h"
#include "store_test_fixture.h"

namespace openpca::store::testing {
namespace {

class PgStoreTest : public ::testing::Test {
 protected:
  explicit PgStoreTest(bool migrated = true) : factory_(migrated) {}

  void SetUp() override {
    if (std::optional<std::string> why = factory_.SkipReason()) {
      if (getenv("OPENPCA_REQUIRE_POSTGRES") != nullptr) FAIL() << *why;
      GTEST_SKIP() << *why;
    }
  }

  std::unique_ptr<PgStore> Open(const PgOptions& options = {}) {
    Result<std::unique_ptr<PgStore>> store = PgStore::Open(factory_.ConnInfo(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Runs `sql` in the test database as the superuser and returns the first value.
  std::string Query(const std::string& sql) {
    Result<std::string> value = factory_.server().QueryValue(factory_.database(), sql);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : "";
  }

  // Ends every session of the test database but ours, and waits until they are gone.
  void TerminateStoreSessions() {
    const std::string others =
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'";  // not an autovacuum worker that comes and goes
    EXPECT_NE(Query("SELECT COUNT(*) " + others), "0") << "the store has no session to end";
    Query("SELECT COUNT(pg_terminate_backend(pid)) " + others);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Query("SELECT COUNT(*) " + others) != "0" &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(Query("SELECT COUNT(*) " + others), "0");
  }

  PostgresStoreFactory factory_;
};

// migrations/README.md: every dialect has the same versions with the same names.
TEST(PgMigrationsTest, SameVersionsAndNamesAsSqlite) {
  std::span<const Migration> pg = PostgresMigrations();
  std::span<const Migration> sqlite = SqliteMigrations();
  ASSERT_EQ(pg.size(), sqlite.size());
  for (size_t i = 0; i < pg.size(); ++i) {
    EXPECT_EQ(pg[i].version, sqlite[i].version);
    EXPECT_EQ(pg[i].name, sqlite[i].name);
  }
}

TEST_F(PgStoreTest, SameSerialFromTwoServersIsStoredOnce) {
  std::unique_ptr<PgStore> a = Open();
  std::unique_ptr<PgStore> b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_OK(a->InsertCa(MakeCa("ca-1"), {}, std::nullopt));

  constexpr int kSerials = 40;
  std::vector<Status> from_a(kSerials), from_b(kSerials);
  std::latch start(2);
  auto race = [&](PgStore& store, std::vector<Status>& results, size_t der_size) {
    start.arrive_and_wait();
    for (int i = 0; i < kSerials; ++i) {
      results[i] = store.InsertCertificate(
          MakeCertificate("ca-1", "5e" + std::to_string(i), der_size), std::nullopt);
    }
  };
  std::thread ta(race, std::ref(*a), std::ref(from_a), 32);
  std::thread tb(race, std::ref(*b), std::ref(from_b), 48);
  ta.join();
  tb.join();

  for (int i = 0; i < kSerials; ++i) {
    EXPECT_NE(from_a[i].ok(), from_b[i].ok())
        << i << ": " << from_a[i].ToString() << " / " << from_b[i].ToString();
    const Status& loser = from_a[i].ok() ? from_b[i] : from_a[i];
    EXPECT_EQ(loser.code(), ErrorCode::kRequestFailed) << loser.ToString();
    // What is stored is the winner's certificate.
    Result<CertificateRecord> got = a->GetCertificate("ca-1", "5e" + std::to_string(i));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->der.size(), from_a[i].ok() ? 32u : 48u);
  }
  EXPECT_EQ(Query("SELECT COUNT(*) FROM certificates"), std::to_string(kSerials));
}

TEST_F(PgStoreTest, CrlNumbersFromTwoServersStrictlyIncrease) {
  std::unique_ptr<PgStore> a = Open();
  std::unique_ptr<PgStore> b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_OK(a->InsertCa(MakeCa("ca-1"), {}, std::nullopt));

  // Alternating callers: each number is above every number handed out before it.
  int64_t last = 0;
  for (int i = 0; i < 10; ++i) {
    Result<int64_t> n = (i % 2 == 0 ? *a : *b).NextCrlNumber("ca-1", 0);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_GT(*n, last);
    last = *n;
  }
  EXPECT_EQ(last, 10);

  // Concurrent callers on both servers: all distinct, each caller's sequence increasing.
  constexpr int kThreads = 8;
  constexpr int kCalls = 25;
  std::vector<std::vector<int64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      PgStore& store = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < kCalls; ++i) {
        Result<int64_t> n = store.NextCrlNumber("ca-1", 5);
        seen[t].push_back(n.ok() ? *n : -1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  for (const std::vector<int64_t>& numbers : seen) {
    EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()) &&
                std::adjacent_find(numbers.begin(), numbers.end()) == numbers.end());
    all.insert(numbers.begin(), numbers.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kCalls));
  EXPECT_EQ(*all.begin(), 11);
  EXPECT_EQ(*all.rbegin(), 10 + kThreads * kCalls);
}

TEST_F(PgStoreTest, UpdateCaFromTwoServersIsCompareAndSwap) {
  std::unique_ptr<PgStore> a = Open();
  std::unique_ptr<PgStore> b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_OK(a->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    CaRecord from_a = a->GetCa("ca-1").value();
    CaRecord from_b = from_a;
    from_a.status = "ACTIVE";
    from_b.status = "DISABLED";
    Status sa, sb;
    std::latch start(2);
    std::thread ta([&] {
      start.arrive_and_wait();
      sa = a->UpdateCa(from_a);
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      sb = b->UpdateCa(from_b);
    });
    ta.join();
    tb.join();
    ASSERT_NE(sa.ok(), sb.ok()) << sa.ToString() << " / " << sb.ToString();
    EXPECT_EQ((sa.ok() ? sb : sa).code(), ErrorCode::kConcurrentModification);
    CaRecord now = b->GetCa("ca-1").value();
    EXPECT_EQ(now.version, from_a.version + 1);
    EXPECT_EQ(now.status, sa.ok() ? "ACTIVE" : "DISABLED");
  }
}

// An empty database: the store applies every migration.
class PgStoreMigrationTest : public PgStoreTest {
 protected:
  PgStoreMigrationTest() : PgStoreTest(/*migrated=*/false) {}
};

TEST_F(PgStoreMigrationTest, ServersStartingTogetherMigrateOnce) {
  ASSERT_EQ(Query("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'certificates'"), "0");
  constexpr int kServers = 4;
  std::vector<Result<std::unique_ptr<PgStore>>> opened;
  for (int i = 0; i < kServers; ++i) opened.emplace_back(InternalError("not run"));
  std::latch start(kServers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      opened[i] = PgStore::Open(factory_.ConnInfo());
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& store : opened) EXPECT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(Query("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(PostgresMigrations().size()));
  EXPECT_EQ(Query("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(PostgresMigrations().back().version));
}

TEST_F(PgStoreMigrationTest, RefusesASchemaNewerThanTheBinary) {
  ASSERT_TRUE(Open());
  ASSERT_OK(factory_.server().Execute(
      factory_.database(),
      "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (9999, 'future', 1)"));
  Result<std::unique_ptr<PgStore>> store = PgStore::Open(factory_.ConnInfo());
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
}

TEST_F(PgStoreTest, ReconnectsAfterItsSessionsAreTerminated) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", "01"), std::nullopt));
  ASSERT_TRUE(store->GetCa("ca-1").ok());  // a read connection is open and idle

  TerminateStoreSessions();
  // The writer's and the readers' sessions are gone; the store opens new ones by itself.
  EXPECT_TRUE(store->GetCa("ca-1").ok());
  EXPECT_OK(store->InsertCertificate(MakeCertificate("ca-1", "02"), std::nullopt));
  EXPECT_OK(store->RevokeCertificate("ca-1", "02", 1000, 1));
  int entries = 0;
  EXPECT_OK(store->ForEachRevoked("ca-1", {}, [&](const RevokedEntry&) {
    ++entries;
    return Status::Ok();
  }));
  EXPECT_EQ(entries, 1);

  TerminateStoreSessions();
  // A scan is the first thing to run on a terminated session.
  entries = 0;
  EXPECT_OK(store->ForEachRevoked("ca-1", {}, [&](const RevokedEntry&) {
    ++entries;
    return Status::Ok();
  }));
  EXPECT_EQ(entries, 1);
}

TEST_F(PgStoreTest, AcknowledgedWritesSurviveAServerCrashAndTheStoreReconnects) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string serial = "c" + std::to_string(t) + "_" + std::to_string(i);
        if (!store->InsertCertificate(MakeCertificate("ca-1", serial), std::nullopt).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(store->NextCrlNumber("ca-1", 0).value(), 1);

  // Immediate shutdown: no checkpoint; only the WAL flushed at each commit survives.
  ASSERT_OK(factory_.server().CrashAndRestart());

  EXPECT_EQ(Query("SELECT COUNT(*) FROM certificates"), "100");
  EXPECT_TRUE(store->GetCertificate("ca-1", "c3_24").ok());
  EXPECT_OK(store->InsertCertificate(MakeCertificate("ca-1", "after"), std::nullopt));
  EXPECT_EQ(store->NextCrlNumber("ca-1", 0).value(), 2);
}

// Runs `jobs` (each on its own thread, as callers would) so that they form one batch of the
// writer: a first job holds the writer thread until all of them are queued.
std::vector<Status> RunAsOneBatch(PgWriter& writer,
                                  const std::vector<std::function<Status()>>& jobs) {
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    Status held = writer.Run([&](PgConnection&) -> Status {
      holding = true;
      while (writer.queue_depth() < jobs.size()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(held.ok()) << held.ToString();
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<Status> results(jobs.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = jobs[i](); });
  }
  for (std::thread& t : threads) t.join();
  holder.join();
  return results;
}

PgWriter::Job InsertSetting(std::string name) {
  return [name = std::move(name)](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(name).Text("v");
    // No ON CONFLICT: a taken name is a unique violation (23505) in the server.
    return conn.Exec("INSERT INTO settings (name, value) VALUES ($1, $2)", params).status();
  };
}

TEST_F(PgStoreTest, PipelinedBatchCommitsWithoutSavepoints) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  PgWriter& writer = store->writer();
  const int64_t pipelined = writer.pipelined_commit_count();
  std::vector<std::function<Status()>> jobs;
  for (int i = 0; i < 6; ++i) {
    jobs.push_back([&, i] {
      return store->InsertCertificate(MakeCertificate("ca-1", "a" + std::to_string(i)),
                                      std::nullopt);
    });
  }
  for (const Status& s : RunAsOneBatch(writer, jobs)) EXPECT_OK(s);
  EXPECT_EQ(writer.pipelined_commit_count(), pipelined + 1);
  EXPECT_EQ(writer.pipeline_fallback_count(), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM certificates"), "6");
}

TEST_F(PgStoreTest, PipelinedBatchUndoesAFailingJobAlone) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", "dup", 32), std::nullopt));
  ASSERT_OK(store->PutSetting("taken", "v"));
  PgWriter& writer = store->writer();
  const int64_t fallbacks = writer.pipeline_fallback_count();

  // A constraint violation in the server, in the middle of the batch: the job first writes a row
  // of its own, which must not survive.
  std::vector<std::function<Status()>> jobs;
  for (int i = 0; i < 5; ++i) {
    if (i == 2) {
      jobs.push_back([&] {
        return writer.Run(
            [](PgConnection& conn) -> Status {
              RETURN_IF_ERROR(InsertSetting("own-row")(conn));
              return InsertSetting("taken")(conn);
            },
            PgWriter::JobKind::kPlain, PgWriter::Pipelining::kPipelinable);
      });
    } else {
      jobs.push_back([&, i] {
        return writer.Run(InsertSetting("s" + std::to_string(i)), PgWriter::JobKind::kPlain,
                          PgWriter::Pipelining::kPipelinable);
      });
    }
  }
  std::vector<Status> results = RunAsOneBatch(writer, jobs);
  for (int i = 0; i < 5; ++i) {
    if (i == 2) {
      EXPECT_EQ(results[i].code(), ErrorCode::kInternal) << results[i].ToString();
    } else {
      EXPECT_OK(results[i]);
    }
  }
  EXPECT_EQ(writer.pipeline_fallback_count(), fallbacks + 1);
  EXPECT_EQ(Query("SELECT string_agg(name, ',' ORDER BY name) FROM settings "
                  "WHERE name IN ('s0', 's1', 's2', 's3', 's4', 'taken', 'own-row')"),
            "s0,s1,s3,s4,taken");

  // A job that fails in the client (no SQL error): a serial already stored, among certificates
  // and a job that wrote before failing. Each keeps its own outcome.
  std::vector<std::function<Status()>> certs;
  for (int i = 0; i < 4; ++i) {
    certs.push_back([&, i] {
      return store->InsertCertificate(
          MakeCertificate("ca-1", i == 1 ? "dup" : "b" + std::to_string(i), 48), std::nullopt);
    });
  }
  certs.push_back([&] {
    return writer.Run(
        [](PgConnection& conn) -> Status {
          RETURN_IF_ERROR(InsertSetting("own-row-2")(conn));
          return Status(ErrorCode::kConcurrentModification, "refused after writing");
        },
        PgWriter::JobKind::kPlain, PgWriter::Pipelining::kPipelinable);
  });
  results = RunAsOneBatch(writer, certs);
  EXPECT_OK(results[0]);
  EXPECT_EQ(results[1].code(), ErrorCode::kRequestFailed) << results[1].ToString();
  EXPECT_OK(results[2]);
  EXPECT_OK(results[3]);
  EXPECT_EQ(results[4].code(), ErrorCode::kConcurrentModification);
  EXPECT_EQ(writer.pipeline_fallback_count(), fallbacks + 2);
  EXPECT_EQ(Query("SELECT string_agg(serial_hex, ',' ORDER BY serial_hex) FROM certificates"),
            "b0,b2,b3,dup");
  EXPECT_EQ(Query("SELECT length(der) FROM certificates WHERE serial_hex = 'dup'"), "32");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM settings WHERE name LIKE 'own-row%'"), "0");
}

TEST_F(PgStoreTest, ConnectionLostInAPipelinedBatchFailsItAndTheNextBatchReconnects) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  PgWriter& writer = store->writer();
  std::vector<std::function<Status()>> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back([&, i] {
      return writer.Run(
          [i](PgConnection& conn) -> Status {
            RETURN_IF_ERROR(InsertSetting("lost" + std::to_string(i))(conn));
            // One job ends the writer's own session, in the middle of the batch.
            if (i == 3) return conn.Run("SELECT pg_terminate_backend(pg_backend_pid())");
            return InsertSetting("lost" + std::to_string(i) + "b")(conn);
          },
          PgWriter::JobKind::kPlain, PgWriter::Pipelining::kPipelinable);
    });
  }
  const int64_t commits = writer.commit_count();
  for (const Status& s : RunAsOneBatch(writer, jobs)) {
    EXPECT_EQ(s.code(), ErrorCode::kInternal) << s.ToString();
  }
  // The holder's batch committed; the pipelined one did not.
  EXPECT_EQ(writer.commit_count(), commits + 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM settings WHERE name LIKE 'lost%'"), "0");
  // The next batch opens a new session by itself, pipelined or not.
  EXPECT_OK(store->PutSetting("after", "1"));
  // Unknown CA: the pipelined pass fails, and the savepoint path names the error.
  EXPECT_EQ(store->InsertCertificate(MakeCertificate("ca-1", "01"), std::nullopt).code(),
            ErrorCode::kResourceNotFound);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  EXPECT_OK(store->InsertCertificate(MakeCertificate("ca-1", "02"), std::nullopt));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM certificates"), "1");
}

TEST_F(PgStoreTest, CallRecordCommitsWithTheFirstWriteOnly) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));

  PendingEvents failed_call;
  failed_call.call_id = "call-failed";
  failed_call.created_at_ms = 5;
  CallRecord failed(std::move(failed_call));
  {
    CallRecordScope scope(&failed);
    // A failing write leaves neither its change nor the record.
    EXPECT_EQ(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt).code(), ErrorCode::kInvalidArgs);
  }
  EXPECT_FALSE(failed.written());
  EXPECT_EQ(Query("SELECT COUNT(*) FROM event_pending"), "0");

  StoredEvent event;
  event.event_id = "e-1";
  event.event_name = "IssueCertificate";
  event.record_json = R"({"eventName":"IssueCertificate"})";
  PendingEvents call;
  call.call_id = "call-1";
  call.created_at_ms = 7;
  call.events = {event};
  CallRecord record(std::move(call));
  record.SetProvisionalResponse(R"({"CertificateArn":"arn"})");
  {
    CallRecordScope scope(&record);
    ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", "01"), std::nullopt));
    ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", "02"), std::nullopt));
  }
  EXPECT_TRUE(record.written());
  EXPECT_EQ(Query("SELECT COUNT(*) FROM event_pending"), "1");
  EXPECT_EQ(Query("SELECT call_id || ' ' || created_at_ms || ' ' || provisional_response "
                  "FROM event_pending"),
            R"(call-1 7 {"CertificateArn":"arn"})");
  EXPECT_NE(Query("SELECT events_json FROM event_pending").find("IssueCertificate"),
            std::string::npos);
}

TEST_F(PgStoreTest, ScanStreamsInSmallFetchesAndStopsCleanly) {
  PgOptions options;
  options.scan_fetch_rows = 2;
  options.max_read_connections = 1;  // the stopped scan's connection must come back usable
  std::unique_ptr<PgStore> store = Open(options);
  ASSERT_TRUE(store);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  for (int i = 0; i < 7; ++i) {
    std::string serial = "0" + std::to_string(i);
    ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", serial), std::nullopt));
    ASSERT_OK(store->RevokeCertificate("ca-1", serial, 100 - i, 1));
  }
  std::vector<std::string> serials;
  ASSERT_OK(store->ForEachRevoked("ca-1", {}, [&](const RevokedEntry& e) {
    serials.push_back(e.serial_hex);
    return Status::Ok();
  }));
  EXPECT_EQ(serials, (std::vector<std::string>{"06", "05", "04", "03", "02", "01", "00"}));

  int calls = 0;
  Status stopped = store->ForEachRevoked("ca-1", {}, [&](const RevokedEntry&) {
    return ++calls == 3 ? Status(ErrorCode::kLimitExceeded, "stop") : Status::Ok();
  });
  EXPECT_EQ(stopped.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(store->CountRevoked("ca-1").value(), 7);
}

TEST_F(PgStoreTest, ErrorsNeverCarryTheConnectionStringsPassword) {
  // Unreachable server, and a string libpq cannot parse.
  for (const std::string& conninfo :
       {std::string("host=/nonexistent-openpca dbname=x user=u password=hunter2secret"),
        std::string("dbname=x password=hunter2secret bogus"),
        std::string("postgresql://u:hunter2secret@/x?host=/nonexistent-openpca")}) {
    Result<std::unique_ptr<PgStore>> store = PgStore::Open(conninfo);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
    EXPECT_EQ(store.status().message().find("hunter2secret"), std::string::npos)
        << store.status().message();
  }
}

}  // namespace
}  // namespace openpca::store::testing

namespace openpca::store::testing {
namespace {

constexpr std::chrono::hours kNoPoll{1};

int64_t GenerationOf(FactsGenerationStore& facts) {
  Result<int64_t> g = facts.ResourceFactsGeneration();
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? *g : -1;
}

// The writer reads the generation inside each write transaction and hands it over before its
// callers return, on the pipelined pass and on the savepoint path alike: a write made elsewhere
// (here by hand) is known as soon as this server's next write commits, with no poll.
TEST_F(PgStoreTest, TheWriterHandsOverTheGenerationOfEachCommit) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  std::unique_ptr<FactsGenerationWatch> facts = MakePgFactsGeneration(*store, kNoPoll);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  const int64_t start = GenerationOf(*facts);
  ASSERT_GE(start, 1);
  Query("UPDATE resource_facts_generation SET value = value + 1000 RETURNING value");
  const int64_t pipelined = store->writer().pipelined_commit_count();
  std::vector<std::function<Status()>> jobs;
  for (int i = 0; i < 3; ++i) {
    jobs.push_back([&, i] {
      return store->InsertCertificate(MakeCertificate("ca-1", "b" + std::to_string(i)),
                                      std::nullopt);
    });
  }
  for (const Status& s : RunAsOneBatch(store->writer(), jobs)) EXPECT_OK(s);
  EXPECT_EQ(store->writer().pipelined_commit_count(), pipelined + 1);
  EXPECT_EQ(GenerationOf(*facts), start + 1000);
  Query("UPDATE resource_facts_generation SET value = value + 1000 RETURNING value");
  CaRecord ca = MakeCa("ca-1");
  ca.status = "DISABLED";
  ASSERT_OK(store->UpdateCa(ca));  // the savepoint path; moves it by one itself
  EXPECT_EQ(GenerationOf(*facts), start + 2001);
}

TEST_F(PgStoreTest, AnotherServersWriteReachesTheGenerationByPoll) {
  std::unique_ptr<PgStore> a = Open();
  std::unique_ptr<PgStore> b = Open();
  ASSERT_TRUE(a && b);
  std::unique_ptr<FactsGenerationWatch> facts_a = MakePgFactsGeneration(*a, kNoPoll);
  std::unique_ptr<FactsGenerationWatch> facts_b =
      MakePgFactsGeneration(*b, std::chrono::milliseconds(20));
  const int64_t before = GenerationOf(*facts_b);
  ASSERT_OK(a->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  EXPECT_GT(GenerationOf(*facts_a), before);  // the writing server: at once
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (GenerationOf(*facts_b) == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(GenerationOf(*facts_b), GenerationOf(*facts_a));
}

TEST_F(PgStoreTest, ACommitProbeThatFailsFailsItsBatchAndTheNextBatchCommits) {
  std::unique_ptr<PgStore> store = Open();
  ASSERT_TRUE(store);
  int handed = 0;
  store->writer().SetCommitProbe("SELECT no_such_column FROM resource_facts_generation",
                                 [&](const PgResult&) { ++handed; });
  EXPECT_EQ(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt).code(), ErrorCode::kInternal);
  EXPECT_EQ(handed, 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM certificate_authorities"), "0");
  store->writer().SetCommitProbe("SELECT 1", [&](const PgResult&) { ++handed; });
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  EXPECT_EQ(handed, 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM certificate_authorities"), "1");
}

}  // namespace
}  // namespace openpca::store::testing

// SQLite-specific behaviour of SqliteStore: pragmas, schema migrations, and a deterministic
// group-commit batch (writes held back until all are queued).
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_connection.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<SqliteStore> MustOpen(const std::string& path, const SqliteOptions& options = {}) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::unique_ptr<SqliteConnection> RawConnection(const std::string& path) {
  Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, false, 1000);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return conn.ok() ? std::move(conn).value() : nullptr;
}

TEST(SqliteMigrationsTest, EmbeddedMigrationsAreNumberedFromOne) {
  std::span<const Migration> migrations = SqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (i == 0) {
      EXPECT_EQ(migrations[i].version, 1);
    } else {
      EXPECT_GT(migrations[i].version, migrations[i - 1].version);
    }
    EXPECT_FALSE(migrations[i].name.empty());
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "initial");
}

TEST(SqliteMigrationsTest, AppliedOnceAndRecorded) {
  TempDir dir;
  std::string path = dir.File("db");
  FakeClock first(FromUnixMillis(1'000));
  FakeClock later(FromUnixMillis(2'000));
  SqliteOptions options;
  options.clock = &first;
  MustOpen(path, options).reset();
  options.clock = &later;
  MustOpen(path, options).reset();  // nothing left to apply

  std::unique_ptr<SqliteConnection> conn = RawConnection(path);
  ASSERT_NE(conn, nullptr);
  Result<SqliteStatement> stmt =
      conn->Prepare("SELECT version, name, applied_at_ms FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(stmt.ok());
  size_t rows = 0;
  while (stmt->Step().value()) {
    const Migration& m = SqliteMigrations()[rows];
    EXPECT_EQ(stmt->ColumnInt64(0), m.version);
    EXPECT_EQ(stmt->ColumnText(1), m.name);
    EXPECT_EQ(stmt->ColumnInt64(2), 1'000) << "re-applied at reopen";
    ++rows;
  }
  EXPECT_EQ(rows, SqliteMigrations().size());
}

TEST(SqliteMigrationsTest, RefusesDatabaseFromNewerBinary) {
  TempDir dir;
  std::string path = dir.File("db");
  MustOpen(path).reset();
  {
    std::unique_ptr<SqliteConnection> conn = RawConnection(path);
    ASSERT_NE(conn, nullptr);
    std::string insert = "INSERT INTO schema_migrations VALUES (" +
                         std::to_string(SqliteMigrations().back().version + 1) +
                         ", 'future', 0)";
    ASSERT_OK(conn->ExecuteScript(insert));
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
}

TEST(SqliteMigrationsTest, RefusesRenamedMigration) {
  TempDir dir;
  std::string path = dir.File("db");
  MustOpen(path).reset();
  {
    std::unique_ptr<SqliteConnection> conn = RawConnection(path);
    ASSERT_NE(conn, nullptr);
    ASSERT_OK(conn->ExecuteScript("UPDATE schema_migrations SET name = 'other' WHERE version = 1"));
  }
  EXPECT_EQ(SqliteStore::Open(path).status().code(), ErrorCode::kInternal);
}

TEST(SqliteStoreTest, UsesWalMode) {
  TempDir dir;
  std::string path = dir.File("db");
  std::unique_ptr<SqliteStore> store = MustOpen(path);
  std::unique_ptr<SqliteConnection> conn = RawConnection(path);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->QueryText("PRAGMA journal_mode").value(), "wal");
}

TEST(SqliteStoreTest, OpenFailures) {
  TempDir dir;
  EXPECT_EQ(SqliteStore::Open(dir.File("missing-dir/db")).status().code(), ErrorCode::kInternal);
  EXPECT_EQ(SqliteStore::Open(":memory:").status().code(), ErrorCode::kInternal);
}

// Waits until `n` writes are queued behind the paused writer.
void WaitForQueued(SqliteStore& store, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store.QueuedWritesForTesting() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_EQ(store.QueuedWritesForTesting(), n);
}

TEST(SqliteStoreTest, OneBatchCommitsOnceAndFailsOnlyTheDuplicate) {
  TempDir dir;
  std::unique_ptr<SqliteStore> store = MustOpen(dir.File("db"));
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", "00"), std::nullopt));

  // Serial "00" exists already; the others are new. Each carries a claim.
  std::vector<std::string> serials = {"01", "02", "00", "03", "04", "05"};
  std::vector<Status> results(serials.size());
  store->PauseWritesForTesting();
  int64_t commits_before = store->commit_count();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < serials.size(); ++i) {
    threads.emplace_back([&, i] {
      IdempotencyClaim claim{"scope|" + serials[i], serials[i], 1'000};
      results[i] = store->InsertCertificate(MakeCertificate("ca-1", serials[i], 16), claim);
    });
  }
  WaitForQueued(*store, serials.size());
  // Reads do not wait for queued writes.
  EXPECT_TRUE(store->GetCertificate("ca-1", "00").ok());
  store->ResumeWritesForTesting();
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(store->commit_count() - commits_before, 1);
  for (size_t i = 0; i < serials.size(); ++i) {
    bool duplicate = serials[i] == "00";
    EXPECT_EQ(results[i].code(), duplicate ? ErrorCode::kRequestFailed : ErrorCode::kOk)
        << serials[i];
    EXPECT_EQ(store->FindIdempotencyClaim("scope|" + serials[i], 0)->has_value(), !duplicate)
        << serials[i];
    EXPECT_TRUE(store->GetCertificate("ca-1", serials[i]).ok());
  }
  EXPECT_EQ(store->GetCertificate("ca-1", "00")->der.size(), 64u);  // the original
}

TEST(SqliteStoreTest, DestructorCommitsQueuedWrites) {
  TempDir dir;
  std::string path = dir.File("db");
  std::unique_ptr<SqliteStore> store = MustOpen(path);
  ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  store->PauseWritesForTesting();
  Status result = InternalError("not run");
  std::thread writer(
      [&] { result = store->InsertCertificate(MakeCertificate("ca-1", "01"), std::nullopt); });
  WaitForQueued(*store, 1);
  store.reset();  // drains despite the pause
  writer.join();
  EXPECT_OK(result);
  store = MustOpen(path);
  EXPECT_TRUE(store->GetCertificate("ca-1", "01").ok());
}

// The WAL is copied into the database file by the checkpointer's thread, not by the writer's
// commits (whose automatic checkpoint waits for kWriterFallbackPages): the main file grows while
// the writes are far below that; with checkpoints left to the commits (interval 0) it does not.
TEST(SqliteCheckpointerTest, CopiesTheWalIntoTheDatabaseFileOffTheWriter) {
  for (int interval_ms : {0, 10}) {
    TempDir dir;
    const std::string path = dir.File("openpca.db");
    SqliteOptions options;
    options.checkpoint_interval = milliseconds(interval_ms);
    std::unique_ptr<SqliteStore> store = MustOpen(path, options);
    ASSERT_TRUE(store);
    ASSERT_EQ(store->checkpointer() != nullptr, interval_ms > 0);
    // The migrations' pages first go to the file, so that the WAL starts empty.
    std::unique_ptr<SqliteConnection> raw = RawConnection(path);
    ASSERT_TRUE(raw);
    ASSERT_OK(raw->ExecuteScript("PRAGMA wal_checkpoint(TRUNCATE)"));
    const auto before = std::filesystem::file_size(path);
    ASSERT_OK(store->InsertCa(MakeCa("ca-1"), {}, std::nullopt));
    for (int i = 0; i < 50; ++i) {  // about 150 WAL pages: below any automatic checkpoint
      ASSERT_OK(store->InsertCertificate(MakeCertificate("ca-1", "c" + std::to_string(i), 2000),
                                         std::nullopt));
    }
    if (interval_ms > 0) {
      const int64_t seen = store->checkpointer()->checkpoints();
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (store->checkpointer()->checkpoints() < seen + 2 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(5));
      }
      EXPECT_GT(std::filesystem::file_size(path), before + 50 * 2000) << "checkpointed";
    } else {
      std::this_thread::sleep_for(milliseconds(100));
      EXPECT_EQ(std::filesystem::file_size(path), before) << "left in the WAL";
    }
    EXPECT_TRUE(store->GetCertificate("ca-1", "c49").ok());
  }
}

}  // namespace
}  // namespace openpca::store::testing

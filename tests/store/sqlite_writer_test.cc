// SqliteWriter: a failing job inside a batch is undone alone, its neighbours commit.
#include "store/sqlite/sqlite_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace openpca::store::testing {
namespace {

std::unique_ptr<SqliteConnection> OpenWithTable(const std::string& path) {
  Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, true, 1000);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return nullptr;
  EXPECT_OK((*conn)->ExecuteScript(
      "PRAGMA journal_mode = WAL; CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL) STRICT;"));
  return std::move(conn).value();
}

Status InsertRow(SqliteConnection& conn, const std::string& key) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare("INSERT INTO t (k) VALUES (?1)"));
  stmt.BindText(1, key);
  return stmt.Run();
}

int64_t CountRows(const std::string& path, const std::string& key) {
  Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, false, 1000);
  EXPECT_TRUE(conn.ok());
  Result<SqliteStatement> stmt = (*conn)->Prepare("SELECT COUNT(*) FROM t WHERE k = ?1");
  EXPECT_TRUE(stmt.ok());
  stmt->BindText(1, key);
  EXPECT_TRUE(stmt->Step().value());
  return stmt->ColumnInt64(0);
}

TEST(SqliteWriterTest, FailedJobIsRolledBackAloneWithinItsBatch) {
  TempDir dir;
  std::string path = dir.File("db");
  SqliteWriter writer(OpenWithTable(path), /*max_batch=*/16);

  // Job "bad" writes a row and then fails: its row must vanish, the others' rows must stay.
  SqliteWriter::Job good_a = [](SqliteConnection& c) { return InsertRow(c, "a"); };
  SqliteWriter::Job bad = [](SqliteConnection& c) -> Status {
    RETURN_IF_ERROR(InsertRow(c, "bad"));
    return Status(ErrorCode::kConcurrentModification, "changed my mind");
  };
  SqliteWriter::Job conflicting = [](SqliteConnection& c) -> Status {
    RETURN_IF_ERROR(InsertRow(c, "conflict"));
    return InsertRow(c, "a");  // primary-key violation: an sqlite error mid-job
  };
  SqliteWriter::Job good_b = [](SqliteConnection& c) { return InsertRow(c, "b"); };
  std::vector<const SqliteWriter::Job*> jobs = {&good_a, &bad, &conflicting, &good_b};

  writer.PauseForTesting();
  int64_t commits_before = writer.commit_count();
  std::vector<Status> results(jobs.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] {
      // Queue in order so "a" is inserted before the job that conflicts with it.
      while (writer.QueuedForTesting() < i) std::this_thread::yield();
      results[i] = writer.Run(*jobs[i]);
    });
  }
  while (writer.QueuedForTesting() < jobs.size()) std::this_thread::yield();
  writer.ResumeForTesting();
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(writer.commit_count() - commits_before, 1);
  EXPECT_OK(results[0]);
  EXPECT_EQ(results[1].code(), ErrorCode::kConcurrentModification);
  EXPECT_EQ(results[2].code(), ErrorCode::kInternal);
  EXPECT_OK(results[3]);
  EXPECT_EQ(CountRows(path, "a"), 1);
  EXPECT_EQ(CountRows(path, "b"), 1);
  EXPECT_EQ(CountRows(path, "bad"), 0);
  EXPECT_EQ(CountRows(path, "conflict"), 0);
}

TEST(SqliteWriterTest, BatchesAreCapped) {
  TempDir dir;
  SqliteWriter writer(OpenWithTable(dir.File("db")), /*max_batch=*/4);
  constexpr int kJobs = 10;
  std::vector<SqliteWriter::Job> jobs;
  for (int i = 0; i < kJobs; ++i) {
    jobs.push_back([i](SqliteConnection& c) { return InsertRow(c, std::to_string(i)); });
  }
  writer.PauseForTesting();
  std::vector<std::thread> threads;
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] { EXPECT_OK(writer.Run(jobs[i])); });
  }
  while (writer.QueuedForTesting() < kJobs) std::this_thread::yield();
  writer.ResumeForTesting();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(writer.commit_count(), 3);  // 4 + 4 + 2
}

}  // namespace
}  // namespace openpca::store::testing

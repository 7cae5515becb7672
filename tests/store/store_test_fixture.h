// The fixture of the typed Store suites, and the factories it runs on.
//
// A factory owns one fresh, empty database per test; Open() opens it as a new Store (every call
// the same database, so tests can reopen). Its static New*Store() build the domain stores of the
// same implementation on a Store that Open() returned, and Execute()/QueryValue() run SQL on the
// database beside the store (to break a table, or to look at rows no interface shows). SkipReason()
// is set when the implementation cannot run here (no PostgreSQL server binaries): its cases are
// skipped, loudly, or fail when OPENPCA_REQUIRE_POSTGRES is set (CI). Factories are used from the
// test thread only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <optional>
#include <string>

#include "postgres_server.h"
#include "store/audit_report_store.h"
#include "store/certificate_scan.h"
#include "store/identity_store.h"
#include "store/postgres/pg_audit_report_store.h"
#include "store/postgres/pg_stats_store.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_trail_delivery_store.h"
#include "store/postgres/pg_trail_store.h"
#include "store/sqlite/sqlite_audit_report_store.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_stats_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_delivery_store.h"
#include "store/sqlite/sqlite_trail_store.h"
#include "store/stats_store.h"
#include "store/store.h"
#include "store/trail_delivery_store.h"
#include "store/trail_store.h"
#include "test_util.h"

namespace openpca::store::testing {

class SqliteStoreFactory {
 public:
  Result<std::unique_ptr<Store>> Open() {
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path_));
    return std::unique_ptr<Store>(std::move(store));
  }
  // Write transactions committed by `store`, which Open() returned; nullopt if not counted.
  static std::optional<int64_t> CommitCount(Store& store) {
    return static_cast<SqliteStore&>(store).commit_count();
  }
  std::optional<std::string> SkipReason() const { return std::nullopt; }

  static SqliteStore& Db(Store& store) { return static_cast<SqliteStore&>(store); }
  static IdentityStore& Identity(Store& store) { return Db(store); }
  static SqliteWriter& Writer(Store& store) { return Db(store).writer(); }
  static std::unique_ptr<TrailStore> NewTrailStore(Store& store) {
    return std::make_unique<SqliteTrailStore>(Db(store));
  }
  static std::unique_ptr<TrailDeliveryStore> NewTrailDeliveryStore(Store& store) {
    return std::make_unique<SqliteTrailDeliveryStore>(Db(store));
  }
  static std::unique_ptr<AuditReportStore> NewAuditReportStore(Store& store) {
    return std::make_unique<SqliteAuditReportStore>(Db(store));
  }
  static std::unique_ptr<CertificateScan> NewCertificateScan(Store& store) {
    return std::make_unique<SqliteCertificateScan>(Db(store));
  }
  static std::unique_ptr<StatsStore> NewStatsStore(Store& store) {
    return std::make_unique<SqliteStatsStore>(Db(store));
  }

  // Runs `sql` (one or more statements) on the database. Errors: kInternal.
  Status Execute(const std::string& sql) {
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                     SqliteConnection::Open(path_, false, 1000));
    return conn->ExecuteScript(sql);
  }
  // The one value of a one-row, one-column query, as text. Errors: kInternal.
  Result<std::string> QueryValue(const std::string& sql) {
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                     SqliteConnection::Open(path_, false, 1000));
    return conn->QueryText(sql);
  }

 private:
  TempDir dir_;
  std::string path_ = dir_.File("openpca.db");
};

// A fresh database on the process's PostgreSQL server (postgres_server.h), dropped at the end:
// already migrated (a copy of a template the store migrated), or empty when `migrated` is false.
// Holds no connection between calls: a test may fork() with it.
class PostgresStoreFactory {
 public:
  explicit PostgresStoreFactory(bool migrated = true) {
    server_ = PostgresServer::Get(&skip_reason_);
    if (server_ == nullptr) return;
    Result<std::string> db =
        migrated ? server_->CreateMigratedDatabase() : server_->CreateDatabase();
    if (!db.ok()) {
      ADD_FAILURE() << "CREATE DATABASE: " << db.status().ToString();
      return;
    }
    database_ = *db;
  }
  ~PostgresStoreFactory() {
    if (!database_.empty()) {
      Status dropped = server_->DropDatabase(database_);
      EXPECT_TRUE(dropped.ok()) << dropped.ToString();
    }
  }
  PostgresStoreFactory(const PostgresStoreFactory&) = delete;
  PostgresStoreFactory& operator=(const PostgresStoreFactory&) = delete;

  Result<std::unique_ptr<Store>> Open() {
    if (database_.empty()) return InternalError("no test database");
    ASSIGN_OR_RETURN(std::unique_ptr<PgStore> store, PgStore::Open(ConnInfo()));
    return std::unique_ptr<Store>(std::move(store));
  }
  static std::optional<int64_t> CommitCount(Store& store) {
    return static_cast<PgStore&>(store).commit_count();
  }
  std::optional<std::string> SkipReason() const {
    if (server_ == nullptr) return skip_reason_;
    return std::nullopt;
  }

  static PgStore& Db(Store& store) { return static_cast<PgStore&>(store); }
  static IdentityStore& Identity(Store& store) { return Db(store); }
  static PgWriter& Writer(Store& store) { return Db(store).writer(); }
  static std::unique_ptr<TrailStore> NewTrailStore(Store& store) {
    return std::make_unique<PgTrailStore>(Db(store));
  }
  static std::unique_ptr<TrailDeliveryStore> NewTrailDeliveryStore(Store& store) {
    return std::make_unique<PgTrailDeliveryStore>(Db(store));
  }
  static std::unique_ptr<AuditReportStore> NewAuditReportStore(Store& store) {
    return std::make_unique<PgAuditReportStore>(Db(store));
  }
  // Fetching two rows at a time, so that small scans cross fetch boundaries.
  static std::unique_ptr<CertificateScan> NewCertificateScan(Store& store) {
    return std::make_unique<PgCertificateScan>(Db(store), /*fetch_rows=*/2);
  }
  static std::unique_ptr<StatsStore> NewStatsStore(Store& store) {
    return std::make_unique<PgStatsStore>(Db(store));
  }

  Status Execute(const std::string& sql) { return server_->Execute(database_, sql); }
  Result<std::string> QueryValue(const std::string& sql) {
    return server_->QueryValue(database_, sql);
  }

  std::string ConnInfo() const { return server_->ConnInfo(database_); }
  PostgresServer& server() { return *server_; }
  const std::string& database() const { return database_; }

 private:
  PostgresServer* server_ = nullptr;
  std::string skip_reason_;
  std::string database_;
};

using StoreImplementations = ::testing::Types<SqliteStoreFactory, PostgresStoreFactory>;

template <typename Factory>
class StoreTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> why = factory_.SkipReason()) {
      if (getenv("OPENPCA_REQUIRE_POSTGRES") != nullptr) FAIL() << *why;
      GTEST_SKIP() << *why;
    }
    Reopen();
  }

  // Closes the current store (if any) and opens the same database again.
  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = factory_.Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  Store& store() { return *store_; }
  std::optional<int64_t> CommitCount() { return Factory::CommitCount(*store_); }

  Factory factory_;
  std::unique_ptr<Store> store_;
};

}  // namespace openpca::store::testing

// The fixture of the typed Store suites, and the factories it runs on.
//
// A factory owns one fresh, empty database per test; Open() opens it as a new Store (every call
// the same database, so tests can reopen). A PostgreSQL factory joins `StoreImplementations`
// later with the same shape. Factories are used from the test thread only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
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

 private:
  TempDir dir_;
  std::string path_ = dir_.File("openpca.db");
};

using StoreImplementations = ::testing::Types<SqliteStoreFactory>;

template <typename Factory>
class StoreTestBase : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

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

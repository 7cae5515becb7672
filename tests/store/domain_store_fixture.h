// Factories of the domain stores that live on a Store's database (SharingStore, EventsStore,
// AcmStore), for typed suites run on every implementation.
//
// Each factory extends a Store factory of store_test_fixture.h (one fresh database per test) with
// static functions building a domain store on a Store that factory opened. A domain store refers to
// its Store's connections: destroy it first.
#pragma once

#include <memory>

#include "store/acm_store.h"
#include "store/events_store.h"
#include "store/facts_generation_store.h"
#include "store/postgres/pg_acm_store.h"
#include "store/postgres/pg_events_store.h"
#include "store/postgres/pg_facts_generation_store.h"
#include "store/postgres/pg_sharing_store.h"
#include "store/sharing_store.h"
#include "store/sqlite/sqlite_acm_store.h"
#include "store/sqlite/sqlite_events_store.h"
#include "store/sqlite/sqlite_facts_generation_store.h"
#include "store/sqlite/sqlite_sharing_store.h"
#include "store_test_fixture.h"

namespace openpca::store::testing {

class SqliteDomainStoreFactory : public SqliteStoreFactory {
 public:
  static constexpr bool kIsSqlite = true;
  static std::unique_ptr<SharingStore> Sharing(Store& db) {
    return std::make_unique<SqliteSharingStore>(static_cast<SqliteStore&>(db));
  }
  static std::unique_ptr<EventsStore> Events(Store& db) {
    return std::make_unique<SqliteEventsStore>(static_cast<SqliteStore&>(db));
  }
  static std::unique_ptr<AcmStore> Acm(Store& db) {
    return std::make_unique<SqliteAcmStore>(static_cast<SqliteStore&>(db));
  }
  static std::unique_ptr<FactsGenerationStore> FactsGeneration(Store& db) {
    return MakeSqliteFactsGeneration(static_cast<SqliteStore&>(db));
  }
};

class PostgresDomainStoreFactory : public PostgresStoreFactory {
 public:
  static constexpr bool kIsSqlite = false;
  static std::unique_ptr<SharingStore> Sharing(Store& db) {
    return std::make_unique<PgSharingStore>(static_cast<PgStore&>(db));
  }
  static std::unique_ptr<EventsStore> Events(Store& db) {
    return std::make_unique<PgEventsStore>(static_cast<PgStore&>(db));
  }
  static std::unique_ptr<AcmStore> Acm(Store& db) {
    return std::make_unique<PgAcmStore>(static_cast<PgStore&>(db));
  }
  static std::unique_ptr<FactsGenerationStore> FactsGeneration(Store& db) {
    return MakePgFactsGeneration(static_cast<PgStore&>(db));
  }
};

using DomainStoreImplementations =
    ::testing::Types<SqliteDomainStoreFactory, PostgresDomainStoreFactory>;

}  // namespace openpca::store::testing

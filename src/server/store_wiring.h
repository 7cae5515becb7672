// The server's durable state, chosen by the configuration's "store" section (config::StoreConfig):
// the database (SQLite under data_dir, or PostgreSQL) and one store per domain on it.
//
// StoreSet owns the database and every domain store, and exposes each domain by its interface:
// consumers take the one they need (store::AcmStore&, store::TrailStore&, ...), never an
// implementation, so they run unchanged on either engine. The domain stores share the database's
// connections and writer, so one group commit serves them all.
//
// Thread-safe as its stores are. Everything taken from a StoreSet must be released before it is
// destroyed; the domain stores are destroyed before the database.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "config/config.h"
#include "metrics/histogram.h"
#include "store/acm_store.h"
#include "store/audit_report_store.h"
#include "store/certificate_scan.h"
#include "store/events_store.h"
#include "store/facts_generation_store.h"
#include "store/identity_store.h"
#include "store/lease_store.h"
#include "store/sealed_key_store.h"
#include "store/sharing_store.h"
#include "store/stats_store.h"
#include "store/store.h"
#include "store/trail_delivery_store.h"
#include "store/trail_store.h"

namespace openpca::server {

class StoreSet {
 public:
  StoreSet(const StoreSet&) = delete;
  StoreSet& operator=(const StoreSet&) = delete;
  ~StoreSet();

  // "sqlite" or "postgres".
  const std::string& engine() const { return engine_; }

  store::Store& store() const { return *store_; }
  store::IdentityStore& identity() const { return *identity_; }
  store::SharingStore& sharing() const { return *sharing_; }
  store::EventsStore& events() const { return *events_; }
  store::AcmStore& acm() const { return *acm_; }
  store::TrailStore& trail() const { return *trail_; }
  store::TrailDeliveryStore& trail_delivery() const { return *trail_delivery_; }
  store::AuditReportStore& audit_reports() const { return *audit_reports_; }
  store::CertificateScan& certificate_scan() const { return *certificate_scan_; }
  store::StatsStore& stats() const { return *stats_; }
  store::FactsGenerationStore& facts_generation() const { return *facts_generation_; }
  store::LeaseStore& leases() const { return *leases_; }
  store::SealedKeyStore& sealed_keys() const { return *sealed_keys_; }

  // The database writer's group commits, for the metrics: from now on every batch's size is
  // observed by `h` (null: none). `h` must outlive its use here.
  void SetCommitBatchHistogram(metrics::Histogram* h) const { observe_batches_(h); }
  // Write jobs waiting for the database writer.
  size_t write_queue_depth() const { return queue_depth_(); }

 private:
  friend class StoreSetBuilder;
  StoreSet() = default;

  std::string engine_;
  // Declared first, destroyed last: the domain stores below use its connections.
  std::unique_ptr<store::Store> database_;
  store::Store* store_ = nullptr;
  store::IdentityStore* identity_ = nullptr;  // the database itself on both engines
  std::unique_ptr<store::SharingStore> sharing_;
  std::unique_ptr<store::EventsStore> events_;
  std::unique_ptr<store::AcmStore> acm_;
  std::unique_ptr<store::TrailStore> trail_;
  std::unique_ptr<store::TrailDeliveryStore> trail_delivery_;
  std::unique_ptr<store::AuditReportStore> audit_reports_;
  std::unique_ptr<store::CertificateScan> certificate_scan_;
  std::unique_ptr<store::StatsStore> stats_;
  std::unique_ptr<store::FactsGenerationStore> facts_generation_;
  std::unique_ptr<store::LeaseStore> leases_;
  std::unique_ptr<store::SealedKeyStore> sealed_keys_;
  std::function<void(metrics::Histogram*)> observe_batches_;
  std::function<size_t()> queue_depth_;
};

// Opens the database `config.store` names (SQLite: <data_dir>/openpca.db, created if missing;
// PostgreSQL: postgres_dsn, migrated to this binary's schema) and every domain store on it.
// `config` has been validated (config::Validate).
// Errors: kInvalidArgs naming the domains that have no PostgreSQL store in this binary when the
// engine is "postgres" (checked before connecting: nothing is opened); those of SqliteStore::Open
// and PgStore::Open (kInternal; never carrying the DSN).
Result<std::unique_ptr<StoreSet>> OpenStores(const config::ServerConfig& config);

// Whether this binary has a store for every domain on the configured engine, without opening
// anything (for --check-config and before the data directory is touched).
// Errors: kInvalidArgs naming the missing domains.
Status CheckStoreEngine(const config::ServerConfig& config);

// Only the core Store of the configured database, for tools that need nothing else
// (openpca migrate-key). Errors: as OpenStores, less the domain check.
Result<std::unique_ptr<store::Store>> OpenDatabase(const config::ServerConfig& config);

}  // namespace openpca::server

#include "server/store_wiring.h"

#include <span>
#include <utility>
#include <vector>

#include "store/postgres/pg_acm_store.h"
#include "store/postgres/pg_audit_report_store.h"
#include "store/postgres/pg_events_store.h"
#include "store/postgres/pg_lease_store.h"
#include "store/postgres/pg_sealed_key_store.h"
#include "store/postgres/pg_sharing_store.h"
#include "store/postgres/pg_facts_generation_store.h"
#include "store/postgres/pg_stats_store.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_trail_delivery_store.h"
#include "store/postgres/pg_trail_store.h"
#include "store/sqlite/sqlite_acm_store.h"
#include "store/sqlite/sqlite_audit_report_store.h"
#include "store/sqlite/sqlite_events_store.h"
#include "store/sqlite/sqlite_lease_store.h"
#include "store/sqlite/sqlite_sealed_key_store.h"
#include "store/sqlite/sqlite_sharing_store.h"
#include "store/sqlite/sqlite_facts_generation_store.h"
#include "store/sqlite/sqlite_stats_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_delivery_store.h"
#include "store/sqlite/sqlite_trail_store.h"

namespace openpca::server {

// Fills a StoreSet for one engine. Stateless; a friend of StoreSet.
class StoreSetBuilder {
 public:
  static Result<std::unique_ptr<StoreSet>> Sqlite(const config::ServerConfig& config);
  static Result<std::unique_ptr<StoreSet>> Postgres(const config::ServerConfig& config);
  // Errors: kInvalidArgs naming the domains without a PostgreSQL store in this binary.
  static Status CheckPostgres();

 private:
  // One domain's PostgreSQL store: `attach` builds it on the PgStore into the set; null when this
  // binary has none.
  struct PgDomain {
    const char* name;
    void (*attach)(store::PgStore& pg, StoreSet& set);
  };
  static std::span<const PgDomain> PgDomains();

 public:
  // The domains left without a store (a wiring bug once OpenStores() has passed its checks).
  static std::vector<std::string> Unset(const StoreSet& set);
  static std::string Join(const std::vector<std::string>& names);
};

// ================================================================================================
// PostgreSQL domain stores plug in here, and only here.
//
// One entry per domain of StoreSet. An entry whose `attach` is nullptr has no PostgreSQL store in
// this binary: OpenStores() then refuses engine "postgres" with kInvalidArgs naming it, before
// connecting. When a store lands, replace its nullptr with the commented attach function and
// include its header above; once no entry is null, the server runs on PostgreSQL.
// ================================================================================================
std::span<const StoreSetBuilder::PgDomain> StoreSetBuilder::PgDomains() {
  static const PgDomain kDomains[] = {
      {"sharing",
       [](store::PgStore& pg, StoreSet& s) {
         s.sharing_ = std::make_unique<store::PgSharingStore>(pg);
       }},
      {"events",
       [](store::PgStore& pg, StoreSet& s) {
         s.events_ = std::make_unique<store::PgEventsStore>(pg);
       }},
      {"acm",
       [](store::PgStore& pg, StoreSet& s) { s.acm_ = std::make_unique<store::PgAcmStore>(pg); }},
      {"leases",
       [](store::PgStore& pg, StoreSet& s) {
         s.leases_ = std::make_unique<store::PgLeaseStore>(pg);
       }},
      {"sealed keys",
       [](store::PgStore& pg, StoreSet& s) {
         s.sealed_keys_ = std::make_unique<store::PgSealedKeyStore>(pg);
       }},
      {"identity", [](store::PgStore& pg, StoreSet& s) { s.identity_ = &pg; }},
      {"trail",
       [](store::PgStore& pg, StoreSet& s) {
         s.trail_ = std::make_unique<store::PgTrailStore>(pg);
       }},
      {"trail delivery",
       [](store::PgStore& pg, StoreSet& s) {
         s.trail_delivery_ = std::make_unique<store::PgTrailDeliveryStore>(pg);
       }},
      {"audit reports",
       [](store::PgStore& pg, StoreSet& s) {
         s.audit_reports_ = std::make_unique<store::PgAuditReportStore>(pg);
         s.certificate_scan_ = std::make_unique<store::PgCertificateScan>(pg);
       }},
      {"stats",
       [](store::PgStore& pg, StoreSet& s) {
         s.stats_ = std::make_unique<store::PgStatsStore>(pg);
       }},
      {"facts generation",
       [](store::PgStore& pg, StoreSet& s) {
         s.facts_generation_ = store::MakePgFactsGeneration(pg);
       }},
  };
  return kDomains;
}

std::string StoreSetBuilder::Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> StoreSetBuilder::Unset(const StoreSet& set) {
  std::vector<std::string> out;
  auto check = [&out](const void* p, const char* name) {
    if (p == nullptr) out.push_back(name);
  };
  check(set.store_, "store");
  check(set.identity_, "identity");
  check(set.sharing_.get(), "sharing");
  check(set.events_.get(), "events");
  check(set.acm_.get(), "acm");
  check(set.trail_.get(), "trail");
  check(set.trail_delivery_.get(), "trail delivery");
  check(set.audit_reports_.get(), "audit reports");
  check(set.certificate_scan_.get(), "audit reports (certificate scan)");
  check(set.stats_.get(), "stats");
  check(set.facts_generation_.get(), "facts generation");
  check(set.leases_.get(), "leases");
  check(set.sealed_keys_.get(), "sealed keys");
  if (!set.observe_batches_ || !set.queue_depth_) out.push_back("writer metrics");
  return out;
}

Result<std::unique_ptr<StoreSet>> StoreSetBuilder::Sqlite(const config::ServerConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> db,
                   store::SqliteStore::Open(config.data_dir + "/openpca.db"));
  store::SqliteStore& sqlite = *db;
  std::unique_ptr<StoreSet> set(new StoreSet());
  set->engine_ = "sqlite";
  set->database_ = std::move(db);
  set->store_ = &sqlite;
  set->identity_ = &sqlite;
  set->sharing_ = std::make_unique<store::SqliteSharingStore>(sqlite);
  set->events_ = std::make_unique<store::SqliteEventsStore>(sqlite);
  set->acm_ = std::make_unique<store::SqliteAcmStore>(sqlite);
  set->trail_ = std::make_unique<store::SqliteTrailStore>(sqlite);
  set->trail_delivery_ = std::make_unique<store::SqliteTrailDeliveryStore>(sqlite);
  set->audit_reports_ = std::make_unique<store::SqliteAuditReportStore>(sqlite);
  set->certificate_scan_ = std::make_unique<store::SqliteCertificateScan>(sqlite);
  set->stats_ = std::make_unique<store::SqliteStatsStore>(sqlite);
  set->facts_generation_ = store::MakeSqliteFactsGeneration(sqlite);
  set->leases_ = std::make_unique<store::SqliteLeaseStore>(sqlite);
  set->sealed_keys_ = std::make_unique<store::SqliteSealedKeyStore>(sqlite);
  set->observe_batches_ = [&sqlite](metrics::Histogram* h) {
    sqlite.writer().SetBatchSizeHistogram(h);
  };
  set->queue_depth_ = [&sqlite] { return sqlite.writer().queue_depth(); };
  return set;
}

Status StoreSetBuilder::CheckPostgres() {
  std::vector<std::string> missing;
  for (const PgDomain& d : PgDomains()) {
    if (d.attach == nullptr) missing.push_back(d.name);
  }
  if (missing.empty()) return Status::Ok();
  return Status(ErrorCode::kInvalidArgs,
                "store.engine \"postgres\": this build has no PostgreSQL store yet for: " +
                    Join(missing) + " (use engine \"sqlite\")");
}

Result<std::unique_ptr<StoreSet>> StoreSetBuilder::Postgres(const config::ServerConfig& config) {
  RETURN_IF_ERROR(CheckPostgres());
  ASSIGN_OR_RETURN(std::unique_ptr<store::PgStore> db,
                   store::PgStore::Open(config.store.postgres_dsn));
  store::PgStore& pg = *db;
  std::unique_ptr<StoreSet> set(new StoreSet());
  set->engine_ = "postgres";
  set->database_ = std::move(db);
  set->store_ = &pg;
  for (const PgDomain& d : PgDomains()) d.attach(pg, *set);
  set->observe_batches_ = [&pg](metrics::Histogram* h) { pg.writer().SetBatchSizeHistogram(h); };
  set->queue_depth_ = [&pg] { return pg.writer().queue_depth(); };
  return set;
}

// Members go in reverse order: the domain stores, then the database they use.
StoreSet::~StoreSet() = default;

Result<std::unique_ptr<StoreSet>> OpenStores(const config::ServerConfig& config) {
  Result<std::unique_ptr<StoreSet>> set = config.store.engine == "postgres"
                                              ? StoreSetBuilder::Postgres(config)
                                              : StoreSetBuilder::Sqlite(config);
  if (!set.ok()) return set;
  if (std::vector<std::string> unset = StoreSetBuilder::Unset(**set); !unset.empty()) {
    return InternalError("store wiring: no " + (*set)->engine() +
                         " store for: " + StoreSetBuilder::Join(unset));
  }
  return set;
}

Status CheckStoreEngine(const config::ServerConfig& config) {
  return config.store.engine == "postgres" ? StoreSetBuilder::CheckPostgres() : Status::Ok();
}

Result<std::unique_ptr<store::Store>> OpenDatabase(const config::ServerConfig& config) {
  if (config.store.engine == "postgres") {
    ASSIGN_OR_RETURN(std::unique_ptr<store::PgStore> db,
                     store::PgStore::Open(config.store.postgres_dsn));
    return std::unique_ptr<store::Store>(std::move(db));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> db,
                   store::SqliteStore::Open(config.data_dir + "/openpca.db"));
  return std::unique_ptr<store::Store>(std::move(db));
}

}  // namespace openpca::server

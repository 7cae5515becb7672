// PgStore: the Store (store/store.h) on a PostgreSQL database.
//
// Connects with a libpq connection string and brings the schema up to date with the embedded
// migrations (store/migrations/postgres/). Reads go through a bounded pool of read-only
// connections (PgPool); every write goes through one writer thread (PgWriter) that commits
// concurrent writes in one transaction (group commit) with synchronous_commit on, so a write
// returns only once durable.
//
// Several servers may share one database: uniqueness (certificate serials, CA ids, idempotency
// claims) is enforced by constraints, conditional updates re-check their condition under the row
// lock, CRL numbers come from one INSERT ... ON CONFLICT DO UPDATE per call, and migrations run
// under an advisory lock.
//
// It is also the IdentityStore (pg_identity.cc); the other domain stores (PgTrailStore,
// PgTrailDeliveryStore, PgAuditReportStore, PgStatsStore) work on its pool and writer.
//
// Owns its connections and the writer thread. Thread-safe. The destructor waits for writes
// already submitted, then closes every connection.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "store/identity_store.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_writer.h"
#include "store/store.h"

namespace openpca::store {

struct PgOptions {
  // Read connections kept open at most; further concurrent readers wait for a free one.
  int max_read_connections = 8;
  // Most writes (e.g. certificates) committed by one transaction.
  int max_batch_size = 512;
  // Rows fetched per round trip by ForEachRevoked's cursor.
  int scan_fetch_rows = 512;
  // Source of schema_migrations.applied_at_ms. nullptr: the system clock. Used during Open() only.
  const Clock* clock = nullptr;
};

class PgStore final : public Store, public IdentityStore {
 public:
  // Connects with `conninfo` (libpq syntax: "host=... dbname=..." or a postgresql:// URI) and
  // applies missing migrations. WARNING: `conninfo` may hold a password: it is kept in memory for
  // reconnections and never logged or put in a Status.
  // Errors: kInternal when the server cannot be reached or refuses us, or when the schema is newer
  // than this binary.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& conninfo,
                                               const PgOptions& options = {});

  ~PgStore() override;

  Result<std::optional<std::string>> GetSetting(std::string_view name) override;
  Status PutSetting(std::string_view name, std::string_view value) override;

  Status InsertAccessKey(const AccessKeyRecord& key) override;
  Result<AccessKeyRecord> GetAccessKey(std::string_view access_key_id) override;

  Status InsertCa(const CaRecord& ca, const std::vector<Tag>& tags,
                  const std::optional<IdempotencyClaim>& claim) override;
  Result<CaRecord> GetCa(std::string_view ca_id) override;
  Result<std::vector<CaRecord>> ListCas(std::string_view account_id, std::string_view after_id,
                                        int limit) override;
  Result<int64_t> CountCas(std::string_view account_id) override;
  Status UpdateCa(const CaRecord& ca) override;
  Status PurgeCa(std::string_view ca_id) override;

  Result<std::vector<Tag>> GetTags(std::string_view ca_id) override;
  Status ReplaceTags(std::string_view ca_id, const std::vector<Tag>& tags) override;

  Status InsertCertificate(const CertificateRecord& cert,
                           const std::optional<IdempotencyClaim>& claim) override;
  Result<CertificateRecord> GetCertificate(std::string_view ca_id,
                                           std::string_view serial_hex) override;

  Status RevokeCertificate(std::string_view ca_id, std::string_view serial_hex,
                           int64_t revoked_at_ms, int reason) override;
  Status ForEachRevoked(std::string_view ca_id, const RevokedScan& scan,
                        const std::function<Status(const RevokedEntry&)>& fn) override;
  Result<int64_t> CountRevoked(std::string_view ca_id) override;
  Result<int64_t> NextCrlNumber(std::string_view ca_id, int64_t at_least) override;

  Status InsertCrlPartition(const CrlPartitionRecord& partition) override;
  Result<CrlPartitionRecord> GetCrlPartition(std::string_view ca_id,
                                             std::string_view partition_id) override;
  Result<std::vector<CrlPartitionRecord>> ListCrlPartitions(std::string_view ca_id) override;

  Result<std::optional<IdempotencyClaim>> FindIdempotencyClaim(std::string_view scope_key,
                                                               int64_t now_ms) override;
  Result<int64_t> PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) override;

  // IdentityStore (pg_identity.cc).
  Result<IdentitySnapshot> LoadIdentity() override;
  Status ApplyIdentityChanges(std::span<const IdentityChange> changes) override;
  Result<int64_t> IdentityGeneration() override;

  // The connections, for other domain stores on the same database.
  PgPool& read_pool() { return *reads_; }
  PgWriter& writer() { return *writer_; }

  // Write transactions committed by this store since Open() (tests and metrics).
  int64_t commit_count() const { return writer_->commit_count(); }

 private:
  PgStore(std::unique_ptr<PgPool> reads, std::unique_ptr<PgWriter> writer, int scan_fetch_rows)
      : reads_(std::move(reads)), writer_(std::move(writer)), scan_fetch_rows_(scan_fetch_rows) {}

  std::unique_ptr<PgPool> reads_;
  std::unique_ptr<PgWriter> writer_;  // destroyed first: drains pending writes
  const int scan_fetch_rows_;
};

}  // namespace openpca::store

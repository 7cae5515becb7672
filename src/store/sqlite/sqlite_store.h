// SqliteStore: the Store (store/store.h) on one SQLite database file.
//
// Opens the file in WAL mode with synchronous=FULL and foreign keys on, and brings its schema up
// to date with the embedded migrations (store/migrations/sqlite/). Reads go through a pool of
// query-only connections (SqliteReadPool) and never wait for commits; every write goes through
// one writer thread (SqliteWriter) that commits concurrent writes in one transaction (group
// commit), so a write returns only once committed and synced, and one sync serves many writes.
//
// Owns its connections and the writer thread. Thread-safe. The destructor waits for writes
// already submitted, then closes the database. Another process may open the same file: SQLite's
// locking and busy_timeout_ms arbitrate between them.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/sqlite/sqlite_checkpointer.h"
#include "store/sqlite/sqlite_read_pool.h"
#include "store/sqlite/sqlite_writer.h"
#include "store/identity_store.h"
#include "store/store.h"

namespace openpca::store {

struct SqliteOptions {
  // How long a connection waits for a lock held by another process before failing, in ms.
  int busy_timeout_ms = 5000;
  // Read connections kept open at most; further concurrent readers wait for a free one.
  int max_read_connections = 8;
  // Most writes (e.g. certificates) committed by one transaction.
  int max_batch_size = 512;
  // Source of schema_migrations.applied_at_ms. nullptr: the system clock. Used during Open() only.
  const Clock* clock = nullptr;
  // How often a thread of its own checkpoints the WAL (SqliteCheckpointer); zero: SQLite's own
  // automatic checkpoint inside the writer's commits.
  std::chrono::milliseconds checkpoint_interval{100};
};

class SqliteStore final : public Store, public IdentityStore {
 public:
  // Opens (creating if missing) the database at `path` and applies missing migrations.
  // Errors: kInternal when the file cannot be opened or is not a usable SQLite database, when WAL
  // mode is unavailable (e.g. ":memory:"), or when the schema is newer than this binary.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const SqliteOptions& options = {});

  ~SqliteStore() override;

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

  // The connections, for the other domain stores on the same database (SqliteSharingStore).
  SqliteReadPool& read_pool() { return *reads_; }
  SqliteWriter& writer() { return *writer_; }
  // Null when checkpoints run inside the writer's commits (SqliteOptions::checkpoint_interval 0).
  const SqliteCheckpointer* checkpointer() const { return checkpointer_.get(); }
  // IdentityStore (sqlite_identity.cc).
  Result<IdentitySnapshot> LoadIdentity() override;
  Status ApplyIdentityChanges(std::span<const IdentityChange> changes) override;
  Result<int64_t> IdentityGeneration() override;

  // Write transactions committed since Open() (tests and metrics).
  int64_t commit_count() const { return writer_->commit_count(); }

  // Tests only: hold back / release write batches, and count the writes waiting meanwhile.
  void PauseWritesForTesting() { writer_->PauseForTesting(); }
  void ResumeWritesForTesting() { writer_->ResumeForTesting(); }
  size_t QueuedWritesForTesting() const { return writer_->QueuedForTesting(); }

 private:
  SqliteStore(std::unique_ptr<SqliteReadPool> reads, std::unique_ptr<SqliteWriter> writer,
              std::unique_ptr<SqliteCheckpointer> checkpointer)
      : reads_(std::move(reads)),
        writer_(std::move(writer)),
        checkpointer_(std::move(checkpointer)) {}

  template <typename Fn>
  auto WithIdentityReader(Fn fn) -> decltype(fn(std::declval<SqliteConnection&>())) {
    ASSIGN_OR_RETURN(SqliteReadPool::Lease lease, reads_->Acquire());
    return fn(*lease);
  }

  std::unique_ptr<SqliteReadPool> reads_;
  std::unique_ptr<SqliteWriter> writer_;  // drains pending writes when destroyed
  std::unique_ptr<SqliteCheckpointer> checkpointer_;  // null: checkpoints in commits; first gone
};

}  // namespace openpca::store

// SqliteAcmStore: the AcmStore (store/acm_store.h) on the database of a SqliteStore, sharing its
// read pool and its writer (so ACM writes join the same group commits).
// Tables: migrations/sqlite/0010_acm.sql. Thread-safe; the SqliteStore must outlive it.
#pragma once

#include "store/acm_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {

class SqliteAcmStore final : public AcmStore {
 public:
  explicit SqliteAcmStore(SqliteStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Status InsertCertificate(const AcmCertificateRecord& cert,
                           const std::optional<IdempotencyClaim>& claim) override;
  Result<AcmCertificateRecord> GetCertificate(std::string_view arn) override;
  Status UpdateCertificate(const AcmCertificateRecord& cert) override;
  Status DeleteCertificate(std::string_view arn) override;
  Result<std::vector<AcmCertificateRecord>> ListCertificates(std::string_view account_id,
                                                             std::string_view region) override;
  Result<std::vector<std::string>> DueForRenewal(int64_t now_s, int limit) override;
  Result<std::vector<std::string>> ExpiringBetween(int64_t from_s, int64_t to_s,
                                                   int limit) override;
  Result<std::vector<int64_t>> NotAftersBetween(int64_t from_s, int64_t to_s, int limit) override;
  Result<int64_t> CountExpiringBetween(int64_t from_s, int64_t to_s) override;
  Result<bool> ClaimExpiryEventDay(std::string_view arn, int64_t day) override;
  Result<std::optional<IdempotencyClaim>> FindIdempotencyClaim(std::string_view scope_key,
                                                               int64_t now_ms) override;
  Result<int64_t> PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) override;
  Result<std::optional<int64_t>> GetDaysBeforeExpiry(std::string_view account_id) override;
  Status PutDaysBeforeExpiry(std::string_view account_id, int64_t days, int64_t now_ms,
                             const std::optional<IdempotencyClaim>& claim) override;
  Result<int64_t> MaxDaysBeforeExpiry(int64_t fallback) override;

 private:
  SqliteReadPool& reads_;
  SqliteWriter& writer_;
};

}  // namespace openpca::store

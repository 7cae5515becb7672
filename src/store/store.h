// Store: durable state of openpca, implemented on SQLite (sqlite/sqlite_store.h) and on
// PostgreSQL (postgres/pg_store.h) with no change above this interface. Implementations are thread-safe; every mutating call returns only after
// its effect is durable (committed and synced).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace openpca::store {

class Store {
 public:
  virtual ~Store() = default;

  // --- Settings: small named values (account id, schema facts). ---
  virtual Result<std::optional<std::string>> GetSetting(std::string_view name) = 0;
  virtual Status PutSetting(std::string_view name, std::string_view value) = 0;

  // --- Access keys. ---
  // Errors: kInvalidArgs if the id exists.
  virtual Status InsertAccessKey(const AccessKeyRecord& key) = 0;
  // Errors: kResourceNotFound.
  virtual Result<AccessKeyRecord> GetAccessKey(std::string_view access_key_id) = 0;

  // --- Certificate authorities. ---
  // Inserts a CA (version 1) with its tags, and, when `claim` is given, claims that idempotency
  // token in the same transaction. Errors: kInvalidArgs if the id exists; kConcurrentModification
  // (nothing stored) when a claim of the scope is live at claim.claimed_at_ms.
  virtual Status InsertCa(const CaRecord& ca, const std::vector<Tag>& tags,
                          const std::optional<IdempotencyClaim>& claim) = 0;
  // Errors: kResourceNotFound.
  virtual Result<CaRecord> GetCa(std::string_view ca_id) = 0;
  // CAs of `account_id` ordered by (created_at_ms, id), starting after `after_id` ("" = start).
  // Errors: kInvalidNextToken if `after_id` is not a CA of `account_id`.
  virtual Result<std::vector<CaRecord>> ListCas(std::string_view account_id,
                                                std::string_view after_id, int limit) = 0;
  virtual Result<int64_t> CountCas(std::string_view account_id) = 0;
  // Replaces the CA row when its stored version equals `ca.version`; the stored version becomes
  // ca.version + 1. Errors: kResourceNotFound; kConcurrentModification on a version mismatch.
  virtual Status UpdateCa(const CaRecord& ca) = 0;
  // Removes the CA, its tags, its certificates, its CRL state and CRL partitions, its resource
  // policy and permissions, and its RAM share associations (SharingStore).
  // Errors: kResourceNotFound.
  virtual Status PurgeCa(std::string_view ca_id) = 0;

  // --- Tags. ---
  virtual Result<std::vector<Tag>> GetTags(std::string_view ca_id) = 0;
  // Replaces the whole tag set of the CA atomically. Errors: kResourceNotFound.
  virtual Status ReplaceTags(std::string_view ca_id, const std::vector<Tag>& tags) = 0;

  // --- Issued certificates. ---
  // Durably stores a certificate (and the idempotency claim, if any, in the same transaction).
  // Concurrent callers are committed together (group commit): one sync serves many certificates.
  // Errors: kRequestFailed if (ca_id, serial) already exists; kResourceNotFound if the CA does
  // not exist; kConcurrentModification (nothing stored) when a claim of the claim's scope is live
  // at claim.claimed_at_ms (a concurrent request with the same token won); kInternal.
  virtual Status InsertCertificate(const CertificateRecord& cert,
                                   const std::optional<IdempotencyClaim>& claim) = 0;
  // Errors: kResourceNotFound.
  virtual Result<CertificateRecord> GetCertificate(std::string_view ca_id,
                                                   std::string_view serial_hex) = 0;

  // --- Revocation and CRL state. ---
  // Marks the certificate revoked at `revoked_at_ms` with `reason` (RFC 5280 CRLReason code).
  // Durable before returning; concurrent callers share commits (group commit).
  // Errors: kInvalidArgs when `reason` is not a CRLReason code (0..6, 8..10);
  // kResourceNotFound for an unknown (ca_id, serial_hex), including an unknown CA;
  // kRequestAlreadyProcessed when the certificate is already revoked (its revocation time and
  // reason are left as they were); kInternal.
  virtual Status RevokeCertificate(std::string_view ca_id, std::string_view serial_hex,
                                   int64_t revoked_at_ms, int reason) = 0;
  // Calls `fn` once per revoked certificate of `ca_id` selected by `scan` (all of them, or those of
  // one CRL partition: scan.crl_partition), in a stable order
  // (revoked_at_ms, then serial_hex), from one consistent snapshot. Rows are streamed from a
  // cursor: memory does not grow with the number of revoked certificates. The first error `fn`
  // returns stops the scan and is returned. `fn` runs while a read connection is held; it may call
  // other read methods (they use other connections) but should be quick. An unknown CA has no
  // revoked certificates (OK, `fn` is never called). Errors: those of `fn`; kInternal.
  virtual Status ForEachRevoked(std::string_view ca_id, const RevokedScan& scan,
                                const std::function<Status(const RevokedEntry&)>& fn) = 0;
  // Number of revoked certificates of `ca_id` (all of them, expired or not); 0 for an unknown CA.
  // Errors: kInternal.
  virtual Result<int64_t> CountRevoked(std::string_view ca_id) = 0;
  // Hands out the CA's next CRL number: max(last + 1, at_least), or max(1, at_least) the first
  // time, and stores it durably before returning, so numbers strictly increase across calls and
  // restarts. Callers pass the CRL generation time in epoch milliseconds as `at_least` (what AWS
  // Private CA uses as CRL number). Errors: kInvalidArgs when `at_least` is negative;
  // kResourceNotFound for an unknown CA; kLimitExceeded when the number would pass INT64_MAX;
  // kInternal.
  virtual Result<int64_t> NextCrlNumber(std::string_view ca_id, int64_t at_least) = 0;

  // --- CRL partitions (see CrlPartitionRecord). ---
  // Records a CRL that certificates of partition.ca_id will name. Durable before returning. When
  // (ca_id, partition_id) exists already nothing changes and the call succeeds: recording the
  // complete CRL's row ("") is idempotent. Errors: kInvalidArgs when capacity is negative;
  // kResourceNotFound for an unknown CA; kInternal.
  virtual Status InsertCrlPartition(const CrlPartitionRecord& partition) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Result<CrlPartitionRecord> GetCrlPartition(std::string_view ca_id,
                                                     std::string_view partition_id) = 0;
  // Every CRL partition row of the CA ("" first, then partitions by creation time, then id);
  // empty for an unknown CA. Errors: kInternal.
  virtual Result<std::vector<CrlPartitionRecord>> ListCrlPartitions(std::string_view ca_id) = 0;

  // --- Idempotency. ---
  // The live (unexpired at `now_ms`) claim for scope_key, if any.
  virtual Result<std::optional<IdempotencyClaim>> FindIdempotencyClaim(std::string_view scope_key,
                                                                        int64_t now_ms) = 0;
  // Deletes up to `limit` (> 0) claims that expired at or before `now_ms` (their window is over:
  // a retry with the same token is a new request). Returns how many were deleted; callers repeat
  // while it equals `limit`. Errors: kInvalidArgs when `limit` <= 0; kInternal.
  virtual Result<int64_t> PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) = 0;
};

}  // namespace openpca::store

// AcmStore: durable state of AWS Certificate Manager: certificates (with their sealed private
// keys), RequestCertificate/PutAccountConfiguration idempotency tokens and each account's
// expiry-event configuration. SqliteAcmStore implements it on the SqliteStore's database
// (tables: migrations/sqlite/0010_acm.sql).
//
// Implementations are thread-safe; every mutating call returns only after its effect is durable.
// Updates are optimistic: UpdateCertificate names the version it read and fails with
// kConcurrentModification when another writer (this server or another one on the same database)
// got there first. That is how a managed renewal is claimed exactly once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "store/records.h"

namespace openpca::store {

struct AcmCertificateRecord {
  std::string arn;  // arn:<partition>:acm:<region>:<account>:certificate/<uuid>
  std::string account_id;
  std::string region;
  std::string type;            // PRIVATE | IMPORTED
  std::string status;          // CertificateStatus
  std::string failure_reason;  // FailureReason, "" when none
  std::string domain_name;
  std::vector<std::string> sans;  // DomainName first, as AWS lists them
  std::string key_algorithm;      // the model's enum: RSA_2048, EC_prime256v1, ...
  std::string ca_arn;             // "" for imports
  std::string pca_certificate_arn;
  std::string serial_hex;
  Bytes certificate_der;
  std::string chain_pem;
  Bytes sealed_key;  // SecretBox-sealed PKCS#8 DER (keys::ExportableKeys); never in the clear
  std::optional<int64_t> not_before_s;
  std::optional<int64_t> not_after_s;
  int64_t created_at_ms = 0;
  std::optional<int64_t> issued_at_ms;
  std::optional<int64_t> imported_at_ms;
  std::optional<int64_t> revoked_at_ms;
  std::string revocation_reason;
  std::string export_option = "ENABLED";
  std::string ct_logging = "ENABLED";
  bool exported = false;
  std::vector<std::string> in_use_by;
  std::string renewal_status;  // "" before the first managed renewal
  std::string renewal_reason;
  std::optional<int64_t> renewal_updated_at_ms;
  std::optional<int64_t> next_renewal_s;  // nullopt while not eligible for managed renewal
  int64_t last_expiry_event_day = 0;
  std::vector<Tag> tags;
  int64_t version = 0;
};

class AcmStore {
 public:
  virtual ~AcmStore() = default;

  // Inserts a new certificate (version 1) and, when given, claims an idempotency token with its
  // ARN as the result. Errors: kAlreadyExists when the ARN or the token's scope is taken;
  // kInternal.
  virtual Status InsertCertificate(const AcmCertificateRecord& cert,
                                   const std::optional<IdempotencyClaim>& claim) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Result<AcmCertificateRecord> GetCertificate(std::string_view arn) = 0;
  // Writes `cert` (all columns) when the stored version is `cert.version`, and stores it as
  // version + 1. Errors: kResourceNotFound; kConcurrentModification; kInternal.
  virtual Status UpdateCertificate(const AcmCertificateRecord& cert) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Status DeleteCertificate(std::string_view arn) = 0;
  // Every certificate of the account in the region, oldest first.
  virtual Result<std::vector<AcmCertificateRecord>> ListCertificates(std::string_view account_id,
                                                                     std::string_view region) = 0;

  // ARNs of certificates whose next_renewal_s is at or before `now_s`, soonest first, at most
  // `limit` (an index range scan: its cost grows with the due ones, not with all).
  virtual Result<std::vector<std::string>> DueForRenewal(int64_t now_s, int limit) = 0;
  // ARNs of certificates with not_after_s in (from_s, to_s], at most `limit`, by not_after_s.
  virtual Result<std::vector<std::string>> ExpiringBetween(int64_t from_s, int64_t to_s,
                                                           int limit) = 0;
  // The not_after_s of certificates with not_after_s in (from_s, to_s], at most `limit`, soonest
  // first (an index range scan; the metrics endpoint's expiry histogram).
  virtual Result<std::vector<int64_t>> NotAftersBetween(int64_t from_s, int64_t to_s,
                                                        int limit) = 0;
  // How many certificates have not_after_s in (from_s, to_s] (an index range count).
  virtual Result<int64_t> CountExpiringBetween(int64_t from_s, int64_t to_s) = 0;
  // Marks the Approaching Expiration event of `day` as sent, once: true when this call moved
  // last_expiry_event_day forward, false when it already was at `day` or later.
  virtual Result<bool> ClaimExpiryEventDay(std::string_view arn, int64_t day) = 0;

  // A live claim of `scope_key` (expires_at_ms > now_ms), or nullopt.
  virtual Result<std::optional<IdempotencyClaim>> FindIdempotencyClaim(std::string_view scope_key,
                                                                       int64_t now_ms) = 0;
  // Deletes up to `limit` (> 0) claims (RequestCertificate and PutAccountConfiguration tokens)
  // that expired at or before `now_ms`: their window is over, a retry with the same token is a
  // new request. Returns how many were deleted; callers repeat while it equals `limit` (the
  // contract of Store::PurgeExpiredIdempotencyClaims). Errors: kInvalidArgs when `limit` <= 0;
  // kInternal.
  virtual Result<int64_t> PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) = 0;

  // The account's DaysBeforeExpiry, nullopt when never set.
  virtual Result<std::optional<int64_t>> GetDaysBeforeExpiry(std::string_view account_id) = 0;
  // Sets it; with `claim`, the token is claimed in the same transaction (kAlreadyExists when a
  // live claim of the scope exists).
  virtual Status PutDaysBeforeExpiry(std::string_view account_id, int64_t days, int64_t now_ms,
                                     const std::optional<IdempotencyClaim>& claim) = 0;
  // The largest DaysBeforeExpiry any account set (or `fallback` when larger or none set).
  virtual Result<int64_t> MaxDaysBeforeExpiry(int64_t fallback) = 0;
};

}  // namespace openpca::store

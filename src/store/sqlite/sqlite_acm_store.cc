#include "store/sqlite/sqlite_acm_store.h"

#include "store/sqlite/sqlite_expiry.h"
#include "store/sqlite/sqlite_json.h"
#include "store/sqlite/sqlite_read_rows.h"

#include <nlohmann/json.hpp>

namespace openpca::store {
namespace {

using json = nlohmann::json;

constexpr char kColumns[] =
    "arn, account_id, region, type, status, failure_reason, domain_name, sans_json, "
    "key_algorithm, ca_arn, pca_certificate_arn, serial_hex, certificate_der, chain_pem, "
    "sealed_key, not_before_s, not_after_s, created_at_ms, issued_at_ms, imported_at_ms, "
    "revoked_at_ms, revocation_reason, export_option, ct_logging, exported, in_use_by_json, "
    "renewal_status, renewal_reason, renewal_updated_at_ms, next_renewal_s, "
    "last_expiry_event_day, tags_json, version";

AcmCertificateRecord ReadRecord(const SqliteStatement& s) {
  AcmCertificateRecord r;
  r.arn = s.ColumnText(0);
  r.account_id = s.ColumnText(1);
  r.region = s.ColumnText(2);
  r.type = s.ColumnText(3);
  r.status = s.ColumnText(4);
  r.failure_reason = s.ColumnText(5);
  r.domain_name = s.ColumnText(6);
  r.sans = StringsFromJson(s.ColumnText(7));
  r.key_algorithm = s.ColumnText(8);
  r.ca_arn = s.ColumnText(9);
  r.pca_certificate_arn = s.ColumnText(10);
  r.serial_hex = s.ColumnText(11);
  r.certificate_der = s.ColumnBlob(12);
  r.chain_pem = s.ColumnText(13);
  r.sealed_key = s.ColumnBlob(14);
  r.not_before_s = s.ColumnOptionalInt64(15);
  r.not_after_s = s.ColumnOptionalInt64(16);
  r.created_at_ms = s.ColumnInt64(17);
  r.issued_at_ms = s.ColumnOptionalInt64(18);
  r.imported_at_ms = s.ColumnOptionalInt64(19);
  r.revoked_at_ms = s.ColumnOptionalInt64(20);
  r.revocation_reason = s.ColumnText(21);
  r.export_option = s.ColumnText(22);
  r.ct_logging = s.ColumnText(23);
  r.exported = s.ColumnInt64(24) != 0;
  r.in_use_by = StringsFromJson(s.ColumnText(25));
  r.renewal_status = s.ColumnText(26);
  r.renewal_reason = s.ColumnText(27);
  r.renewal_updated_at_ms = s.ColumnOptionalInt64(28);
  r.next_renewal_s = s.ColumnOptionalInt64(29);
  r.last_expiry_event_day = s.ColumnInt64(30);
  r.tags = TagsFromJson(s.ColumnText(31));
  r.version = s.ColumnInt64(32);
  return r;
}

// Binds every column of `r` at ?1..?33 in kColumns order; `version` is bound as given. The
// strings hold the JSON texts, which must outlive the statement.
struct JsonTexts {
  std::string sans, in_use_by, tags;
};

void BindRecord(SqliteStatement& s, const AcmCertificateRecord& r, const JsonTexts& j,
                int64_t version) {
  s.BindText(1, r.arn)
      .BindText(2, r.account_id)
      .BindText(3, r.region)
      .BindText(4, r.type)
      .BindText(5, r.status)
      .BindText(6, r.failure_reason)
      .BindText(7, r.domain_name)
      .BindText(8, j.sans)
      .BindText(9, r.key_algorithm)
      .BindText(10, r.ca_arn)
      .BindText(11, r.pca_certificate_arn)
      .BindText(12, r.serial_hex)
      .BindBlob(13, r.certificate_der)
      .BindText(14, r.chain_pem)
      .BindBlob(15, r.sealed_key)
      .BindOptionalInt64(16, r.not_before_s)
      .BindOptionalInt64(17, r.not_after_s)
      .BindInt64(18, r.created_at_ms)
      .BindOptionalInt64(19, r.issued_at_ms)
      .BindOptionalInt64(20, r.imported_at_ms)
      .BindOptionalInt64(21, r.revoked_at_ms)
      .BindText(22, r.revocation_reason)
      .BindText(23, r.export_option)
      .BindText(24, r.ct_logging)
      .BindInt64(25, r.exported ? 1 : 0)
      .BindText(26, j.in_use_by)
      .BindText(27, r.renewal_status)
      .BindText(28, r.renewal_reason)
      .BindOptionalInt64(29, r.renewal_updated_at_ms)
      .BindOptionalInt64(30, r.next_renewal_s)
      .BindInt64(31, r.last_expiry_event_day)
      .BindText(32, j.tags)
      .BindInt64(33, version);
}

JsonTexts TextsOf(const AcmCertificateRecord& r) {
  return JsonTexts{StringsToJson(r.sans), StringsToJson(r.in_use_by), TagsToJson(r.tags)};
}

// Claims `claim.scope_key` unless a live claim exists. Errors: kAlreadyExists.
Status WriteClaim(SqliteConnection& conn, const IdempotencyClaim& claim, int64_t now_ms) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("INSERT INTO acm_idempotency (scope, result, expires_at_ms) "
                                "VALUES (?1, ?2, ?3) ON CONFLICT (scope) DO UPDATE SET "
                                "result = excluded.result, expires_at_ms = excluded.expires_at_ms "
                                "WHERE acm_idempotency.expires_at_ms <= ?4"));
  stmt.BindText(1, claim.scope_key)
      .BindText(2, claim.result)
      .BindInt64(3, claim.expires_at_ms)
      .BindInt64(4, now_ms);
  RETURN_IF_ERROR(stmt.Run());
  if (stmt.Changes() == 0) {
    return Status(ErrorCode::kAlreadyExists, "the idempotency token is already in use");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ReadArns(SqliteStatement& stmt) {
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(stmt.ColumnText(0));
  }
  return out;
}

}  // namespace

Status SqliteAcmStore::InsertCertificate(const AcmCertificateRecord& cert,
                                         const std::optional<IdempotencyClaim>& claim) {
  JsonTexts texts = TextsOf(cert);
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    if (claim.has_value()) {
      // A claim expires claim-window after it was made; the window's start is the insert time.
      RETURN_IF_ERROR(WriteClaim(conn, *claim, cert.created_at_ms));
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("INSERT INTO acm_certificates (") + kColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                  "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
                                  "?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33) "
                                  "ON CONFLICT (arn) DO NOTHING"));
    BindRecord(stmt, cert, texts, 1);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kAlreadyExists, "certificate exists");
    return Status::Ok();
  });
}

Result<AcmCertificateRecord> SqliteAcmStore::GetCertificate(std::string_view arn) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<AcmCertificateRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("SELECT ") + kColumns +
                                  " FROM acm_certificates WHERE arn = ?1"));
    stmt.BindText(1, arn);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return Status(ErrorCode::kResourceNotFound, "no such certificate");
    return ReadRecord(stmt);
  });
}

Status SqliteAcmStore::UpdateCertificate(const AcmCertificateRecord& cert) {
  JsonTexts texts = TextsOf(cert);
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare("UPDATE acm_certificates SET account_id = ?2, region = ?3, type = ?4, "
                     "status = ?5, failure_reason = ?6, domain_name = ?7, sans_json = ?8, "
                     "key_algorithm = ?9, ca_arn = ?10, pca_certificate_arn = ?11, "
                     "serial_hex = ?12, certificate_der = ?13, chain_pem = ?14, sealed_key = ?15, "
                     "not_before_s = ?16, not_after_s = ?17, created_at_ms = ?18, "
                     "issued_at_ms = ?19, imported_at_ms = ?20, revoked_at_ms = ?21, "
                     "revocation_reason = ?22, export_option = ?23, ct_logging = ?24, "
                     "exported = ?25, in_use_by_json = ?26, renewal_status = ?27, "
                     "renewal_reason = ?28, renewal_updated_at_ms = ?29, next_renewal_s = ?30, "
                     "last_expiry_event_day = MAX(last_expiry_event_day, ?31), tags_json = ?32, "
                     "version = ?33 + 1 WHERE arn = ?1 AND version = ?33"));
    BindRecord(stmt, cert, texts, cert.version);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 1) return Status::Ok();
    ASSIGN_OR_RETURN(SqliteStatement probe,
                     conn.Prepare("SELECT 1 FROM acm_certificates WHERE arn = ?1"));
    probe.BindText(1, cert.arn);
    ASSIGN_OR_RETURN(bool exists, probe.Step());
    if (!exists) return Status(ErrorCode::kResourceNotFound, "no such certificate");
    return Status(ErrorCode::kConcurrentModification, "the certificate changed concurrently");
  });
}

Status SqliteAcmStore::DeleteCertificate(std::string_view arn) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM acm_certificates WHERE arn = ?1"));
    stmt.BindText(1, arn);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kResourceNotFound, "no such certificate");
    return Status::Ok();
  });
}

Result<std::vector<AcmCertificateRecord>> SqliteAcmStore::ListCertificates(
    std::string_view account_id, std::string_view region) {
  return WithReader(reads_,
                    [&](SqliteConnection& conn) -> Result<std::vector<AcmCertificateRecord>> {
                      ASSIGN_OR_RETURN(
                          SqliteStatement stmt,
                          conn.Prepare(std::string("SELECT ") + kColumns +
                                       " FROM acm_certificates WHERE account_id = ?1 AND "
                                       "region = ?2 ORDER BY created_at_ms, arn"));
                      stmt.BindText(1, account_id).BindText(2, region);
                      return ReadAllRows<AcmCertificateRecord>(stmt, ReadRecord);
                    });
}

Result<std::vector<std::string>> SqliteAcmStore::DueForRenewal(int64_t now_s, int limit) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT arn FROM acm_certificates WHERE next_renewal_s IS NOT "
                                  "NULL AND next_renewal_s <= ?1 ORDER BY next_renewal_s "
                                  "LIMIT ?2"));
    stmt.BindInt64(1, now_s).BindInt64(2, limit);
    return ReadArns(stmt);
  });
}

Result<std::vector<std::string>> SqliteAcmStore::ExpiringBetween(int64_t from_s, int64_t to_s,
                                                                 int limit) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT arn FROM acm_certificates WHERE not_after_s IS NOT "
                                  "NULL AND not_after_s > ?1 AND not_after_s <= ?2 "
                                  "ORDER BY not_after_s LIMIT ?3"));
    stmt.BindInt64(1, from_s).BindInt64(2, to_s).BindInt64(3, limit);
    return ReadArns(stmt);
  });
}

Result<std::vector<int64_t>> SqliteAcmStore::NotAftersBetween(int64_t from_s, int64_t to_s,
                                                              int limit) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT not_after_s FROM acm_certificates WHERE not_after_s IS "
                                  "NOT NULL AND not_after_s > ?1 AND not_after_s <= ?2 "
                                  "ORDER BY not_after_s LIMIT ?3"));
    stmt.BindInt64(1, from_s).BindInt64(2, to_s).BindInt64(3, limit);
    std::vector<int64_t> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(stmt.ColumnInt64(0));
    }
    return out;
  });
}

Result<int64_t> SqliteAcmStore::CountExpiringBetween(int64_t from_s, int64_t to_s) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT COUNT(*) FROM acm_certificates WHERE not_after_s IS NOT "
                                  "NULL AND not_after_s > ?1 AND not_after_s <= ?2"));
    stmt.BindInt64(1, from_s).BindInt64(2, to_s);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    return row ? stmt.ColumnInt64(0) : int64_t{0};
  });
}

Result<bool> SqliteAcmStore::ClaimExpiryEventDay(std::string_view arn, int64_t day) {
  bool claimed = false;
  Status st = writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE acm_certificates SET last_expiry_event_day = ?2 "
                                  "WHERE arn = ?1 AND last_expiry_event_day < ?2"));
    stmt.BindText(1, arn).BindInt64(2, day);
    RETURN_IF_ERROR(stmt.Run());
    claimed = stmt.Changes() == 1;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return claimed;
}

Result<std::optional<IdempotencyClaim>> SqliteAcmStore::FindIdempotencyClaim(
    std::string_view scope_key, int64_t now_ms) {
  return WithReader(reads_,
                    [&](SqliteConnection& conn) -> Result<std::optional<IdempotencyClaim>> {
                      ASSIGN_OR_RETURN(SqliteStatement stmt,
                                       conn.Prepare("SELECT result, expires_at_ms FROM "
                                                    "acm_idempotency WHERE scope = ?1 AND "
                                                    "expires_at_ms > ?2"));
                      stmt.BindText(1, scope_key).BindInt64(2, now_ms);
                      ASSIGN_OR_RETURN(bool row, stmt.Step());
                      if (!row) return std::optional<IdempotencyClaim>();
                      return std::optional<IdempotencyClaim>(IdempotencyClaim{
                          std::string(scope_key), stmt.ColumnText(0), stmt.ColumnInt64(1)});
                    });
}

Result<int64_t> SqliteAcmStore::PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) {
  return PurgeExpiredRows(writer_, {"acm_idempotency", "scope", "expires_at_ms"}, now_ms, limit);
}

Result<std::optional<int64_t>> SqliteAcmStore::GetDaysBeforeExpiry(std::string_view account_id) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::optional<int64_t>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT days_before_expiry FROM acm_account_config WHERE "
                                  "account_id = ?1"));
    stmt.BindText(1, account_id);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt.ColumnInt64(0));
  });
}

Status SqliteAcmStore::PutDaysBeforeExpiry(std::string_view account_id, int64_t days,
                                           int64_t now_ms,
                                           const std::optional<IdempotencyClaim>& claim) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    if (claim.has_value()) RETURN_IF_ERROR(WriteClaim(conn, *claim, now_ms));
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("INSERT INTO acm_account_config (account_id, "
                                  "days_before_expiry, updated_at_ms) VALUES (?1, ?2, ?3) "
                                  "ON CONFLICT (account_id) DO UPDATE SET days_before_expiry = "
                                  "excluded.days_before_expiry, updated_at_ms = "
                                  "excluded.updated_at_ms"));
    stmt.BindText(1, account_id).BindInt64(2, days).BindInt64(3, now_ms);
    return stmt.Run();
  });
}

Result<int64_t> SqliteAcmStore::MaxDaysBeforeExpiry(int64_t fallback) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT MAX(days_before_expiry) FROM acm_account_config"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || stmt.IsNull(0)) return fallback;
    return std::max(fallback, stmt.ColumnInt64(0));
  });
}

}  // namespace openpca::store

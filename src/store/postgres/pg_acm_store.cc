#include "store/postgres/pg_acm_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/postgres/pg_expiry.h"
#include "store/sqlite/sqlite_json.h"

namespace openpca::store {
namespace {

constexpr char kPgAcmColumns[] =
    "arn, account_id, region, type, status, failure_reason, domain_name, sans_json, "
    "key_algorithm, ca_arn, pca_certificate_arn, serial_hex, certificate_der, chain_pem, "
    "sealed_key, not_before_s, not_after_s, created_at_ms, issued_at_ms, imported_at_ms, "
    "revoked_at_ms, revocation_reason, export_option, ct_logging, exported, in_use_by_json, "
    "renewal_status, renewal_reason, renewal_updated_at_ms, next_renewal_s, "
    "last_expiry_event_day, tags_json, version";

AcmCertificateRecord PgReadAcmRow(const PgResult& rows, int r) {
  AcmCertificateRecord c;
  c.arn = rows.String(r, 0);
  c.account_id = rows.String(r, 1);
  c.region = rows.String(r, 2);
  c.type = rows.String(r, 3);
  c.status = rows.String(r, 4);
  c.failure_reason = rows.String(r, 5);
  c.domain_name = rows.String(r, 6);
  c.sans = StringsFromJson(rows.String(r, 7));
  c.key_algorithm = rows.String(r, 8);
  c.ca_arn = rows.String(r, 9);
  c.pca_certificate_arn = rows.String(r, 10);
  c.serial_hex = rows.String(r, 11);
  c.certificate_der = rows.Bytea(r, 12);
  c.chain_pem = rows.String(r, 13);
  c.sealed_key = rows.Bytea(r, 14);
  c.not_before_s = rows.OptionalInt64(r, 15);
  c.not_after_s = rows.OptionalInt64(r, 16);
  c.created_at_ms = rows.Int64(r, 17);
  c.issued_at_ms = rows.OptionalInt64(r, 18);
  c.imported_at_ms = rows.OptionalInt64(r, 19);
  c.revoked_at_ms = rows.OptionalInt64(r, 20);
  c.revocation_reason = rows.String(r, 21);
  c.export_option = rows.String(r, 22);
  c.ct_logging = rows.String(r, 23);
  c.exported = rows.Int64(r, 24) != 0;
  c.in_use_by = StringsFromJson(rows.String(r, 25));
  c.renewal_status = rows.String(r, 26);
  c.renewal_reason = rows.String(r, 27);
  c.renewal_updated_at_ms = rows.OptionalInt64(r, 28);
  c.next_renewal_s = rows.OptionalInt64(r, 29);
  c.last_expiry_event_day = rows.Int64(r, 30);
  c.tags = TagsFromJson(rows.String(r, 31));
  c.version = rows.Int64(r, 32);
  return c;
}

// The JSON texts of a record's list columns: PgParams refers to them, so they must outlive the
// statement.
struct PgAcmJsonTexts {
  std::string sans, in_use_by, tags;
};

PgAcmJsonTexts PgAcmTextsOf(const AcmCertificateRecord& c) {
  return PgAcmJsonTexts{StringsToJson(c.sans), StringsToJson(c.in_use_by), TagsToJson(c.tags)};
}

// Adds every column of `c` as $1..$33 in kPgAcmColumns order, with `version` as $33.
void AddPgAcmParams(PgParams& p, const AcmCertificateRecord& c, const PgAcmJsonTexts& j,
                    int64_t version) {
  p.Text(c.arn)
      .Text(c.account_id)
      .Text(c.region)
      .Text(c.type)
      .Text(c.status)
      .Text(c.failure_reason)
      .Text(c.domain_name)
      .Text(j.sans)
      .Text(c.key_algorithm)
      .Text(c.ca_arn)
      .Text(c.pca_certificate_arn)
      .Text(c.serial_hex)
      .Bytea(c.certificate_der)
      .Text(c.chain_pem)
      .Bytea(c.sealed_key)
      .OptionalInt64(c.not_before_s)
      .OptionalInt64(c.not_after_s)
      .Int64(c.created_at_ms)
      .OptionalInt64(c.issued_at_ms)
      .OptionalInt64(c.imported_at_ms)
      .OptionalInt64(c.revoked_at_ms)
      .Text(c.revocation_reason)
      .Text(c.export_option)
      .Text(c.ct_logging)
      .Int64(c.exported ? 1 : 0)
      .Text(j.in_use_by)
      .Text(c.renewal_status)
      .Text(c.renewal_reason)
      .OptionalInt64(c.renewal_updated_at_ms)
      .OptionalInt64(c.next_renewal_s)
      .Int64(c.last_expiry_event_day)
      .Text(j.tags)
      .Int64(version);
}

// The managed renewal's claim: a compare-and-swap on the version, in one statement. A concurrent
// writer (this server or another) holding the row makes PostgreSQL wait for it and re-check
// `version = $33` on the row it committed: only one of several writers that read one version
// changes the row. last_expiry_event_day only moves forward (ClaimExpiryEventDay may have moved
// it since the caller read the record).
constexpr std::string_view kPgAcmUpdateSql =
    "UPDATE acm_certificates SET account_id = $2, region = $3, type = $4, status = $5, "
    "failure_reason = $6, domain_name = $7, sans_json = $8, key_algorithm = $9, ca_arn = $10, "
    "pca_certificate_arn = $11, serial_hex = $12, certificate_der = $13, chain_pem = $14, "
    "sealed_key = $15, not_before_s = $16, not_after_s = $17, created_at_ms = $18, "
    "issued_at_ms = $19, imported_at_ms = $20, revoked_at_ms = $21, revocation_reason = $22, "
    "export_option = $23, ct_logging = $24, exported = $25, in_use_by_json = $26, "
    "renewal_status = $27, renewal_reason = $28, renewal_updated_at_ms = $29, "
    "next_renewal_s = $30, last_expiry_event_day = GREATEST(last_expiry_event_day, $31), "
    "tags_json = $32, version = $33 + 1 WHERE arn = $1 AND version = $33";

// Claims `claim.scope_key` unless a live claim exists: of two servers claiming one scope, the
// second waits for the first and then finds its claim live. Errors: kAlreadyExists.
Status PgWriteAcmClaim(PgConnection& conn, const IdempotencyClaim& claim, int64_t now_ms) {
  PgParams params;
  params.Text(claim.scope_key).Text(claim.result).Int64(claim.expires_at_ms).Int64(now_ms);
  ASSIGN_OR_RETURN(PgResult done,
                   conn.Exec("INSERT INTO acm_idempotency AS c (scope, result, expires_at_ms) "
                             "VALUES ($1, $2, $3) ON CONFLICT (scope) DO UPDATE SET "
                             "result = excluded.result, expires_at_ms = excluded.expires_at_ms "
                             "WHERE c.expires_at_ms <= $4",
                             params));
  if (done.affected_rows() == 0) {
    return Status(ErrorCode::kAlreadyExists, "the idempotency token is already in use");
  }
  return Status::Ok();
}

std::vector<std::string> PgReadAcmArns(const PgResult& rows) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) out.push_back(rows.String(r, 0));
  return out;
}

// LIMIT $n: SQLite reads a negative limit as "no limit", PostgreSQL refuses it; NULL is none.
void AddPgAcmLimit(PgParams& params, int limit) {
  if (limit < 0) {
    params.Null();
  } else {
    params.Int64(limit);
  }
}

}  // namespace

Status PgAcmStore::InsertCertificate(const AcmCertificateRecord& cert,
                                     const std::optional<IdempotencyClaim>& claim) {
  const PgAcmJsonTexts texts = PgAcmTextsOf(cert);
  const std::string sql = std::string("INSERT INTO acm_certificates (") + kPgAcmColumns +
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                          "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, "
                          "$27, $28, $29, $30, $31, $32, $33) ON CONFLICT (arn) DO NOTHING";
  return writer_.Run([&](PgConnection& conn) -> Status {
    if (claim.has_value()) {
      // A claim expires claim-window after it was made; the window's start is the insert time.
      RETURN_IF_ERROR(PgWriteAcmClaim(conn, *claim, cert.created_at_ms));
    }
    PgParams params;
    AddPgAcmParams(params, cert, texts, /*version=*/1);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec(sql, params));
    if (done.affected_rows() == 0) return Status(ErrorCode::kAlreadyExists, "certificate exists");
    return Status::Ok();
  });
}

Result<AcmCertificateRecord> PgAcmStore::GetCertificate(std::string_view arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<AcmCertificateRecord> {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgAcmColumns +
                                                  " FROM acm_certificates WHERE arn = $1",
                                              params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "no such certificate");
    return PgReadAcmRow(rows, 0);
  });
}

Status PgAcmStore::UpdateCertificate(const AcmCertificateRecord& cert) {
  const PgAcmJsonTexts texts = PgAcmTextsOf(cert);
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    AddPgAcmParams(params, cert, texts, cert.version);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec(kPgAcmUpdateSql, params));
    if (done.affected_rows() == 1) return Status::Ok();
    PgParams key;
    key.Text(cert.arn);
    ASSIGN_OR_RETURN(PgResult found,
                     conn.Exec("SELECT 1 FROM acm_certificates WHERE arn = $1", key));
    if (found.rows() == 0) return Status(ErrorCode::kResourceNotFound, "no such certificate");
    return Status(ErrorCode::kConcurrentModification, "the certificate changed concurrently");
  });
}

Status PgAcmStore::DeleteCertificate(std::string_view arn) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec("DELETE FROM acm_certificates WHERE arn = $1", params));
    if (done.affected_rows() == 0)
      return Status(ErrorCode::kResourceNotFound, "no such certificate");
    return Status::Ok();
  });
}

Result<std::vector<AcmCertificateRecord>> PgAcmStore::ListCertificates(std::string_view account_id,
                                                                       std::string_view region) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<AcmCertificateRecord>> {
    PgParams params;
    params.Text(account_id).Text(region);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgAcmColumns +
                                   " FROM acm_certificates WHERE account_id = $1 AND "
                                   "region = $2 ORDER BY created_at_ms, arn COLLATE \"C\"",
                               params));
    std::vector<AcmCertificateRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) out.push_back(PgReadAcmRow(rows, r));
    return out;
  });
}

Result<std::vector<std::string>> PgAcmStore::DueForRenewal(int64_t now_s, int limit) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<std::string>> {
    PgParams params;
    params.Int64(now_s);
    AddPgAcmLimit(params, limit);
    // The predicate matches the partial index acm_certificates_renewal_due.
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT arn FROM acm_certificates WHERE next_renewal_s IS NOT NULL "
                               "AND next_renewal_s <= $1 ORDER BY next_renewal_s LIMIT $2",
                               params));
    return PgReadAcmArns(rows);
  });
}

Result<std::vector<std::string>> PgAcmStore::ExpiringBetween(int64_t from_s, int64_t to_s,
                                                             int limit) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<std::string>> {
    PgParams params;
    params.Int64(from_s).Int64(to_s);
    AddPgAcmLimit(params, limit);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT arn FROM acm_certificates WHERE not_after_s IS NOT NULL "
                               "AND not_after_s > $1 AND not_after_s <= $2 "
                               "ORDER BY not_after_s LIMIT $3",
                               params));
    return PgReadAcmArns(rows);
  });
}

Result<std::vector<int64_t>> PgAcmStore::NotAftersBetween(int64_t from_s, int64_t to_s, int limit) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<int64_t>> {
    PgParams params;
    params.Int64(from_s).Int64(to_s);
    AddPgAcmLimit(params, limit);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT not_after_s FROM acm_certificates WHERE not_after_s IS "
                               "NOT NULL AND not_after_s > $1 AND not_after_s <= $2 "
                               "ORDER BY not_after_s LIMIT $3",
                               params));
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) out.push_back(rows.Int64(r, 0));
    return out;
  });
}

Result<int64_t> PgAcmStore::CountExpiringBetween(int64_t from_s, int64_t to_s) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<int64_t> {
    PgParams params;
    params.Int64(from_s).Int64(to_s);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT COUNT(*) FROM acm_certificates WHERE not_after_s IS NOT "
                               "NULL AND not_after_s > $1 AND not_after_s <= $2",
                               params));
    return rows.rows() > 0 ? rows.Int64(0, 0) : int64_t{0};
  });
}

Result<bool> PgAcmStore::ClaimExpiryEventDay(std::string_view arn, int64_t day) {
  bool claimed = false;
  Status st = writer_.Run([&](PgConnection& conn) -> Status {
    // Re-checked under the row lock: of servers claiming one day, one moves it forward.
    PgParams params;
    params.Text(arn).Int64(day);
    ASSIGN_OR_RETURN(PgResult done,
                     conn.Exec("UPDATE acm_certificates SET last_expiry_event_day = $2 "
                               "WHERE arn = $1 AND last_expiry_event_day < $2",
                               params));
    claimed = done.affected_rows() == 1;
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return claimed;
}

Result<std::optional<IdempotencyClaim>> PgAcmStore::FindIdempotencyClaim(std::string_view scope_key,
                                                                         int64_t now_ms) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::optional<IdempotencyClaim>> {
    PgParams params;
    params.Text(scope_key).Int64(now_ms);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec("SELECT result, expires_at_ms FROM acm_idempotency "
                                              "WHERE scope = $1 AND expires_at_ms > $2",
                                              params));
    if (rows.rows() == 0) return std::optional<IdempotencyClaim>();
    return std::optional<IdempotencyClaim>(
        IdempotencyClaim{std::string(scope_key), rows.String(0, 0), rows.Int64(0, 1)});
  });
}

Result<int64_t> PgAcmStore::PurgeExpiredIdempotencyClaims(int64_t now_ms, int limit) {
  return PgPurgeExpiredRows(writer_, {"acm_idempotency", "scope", "expires_at_ms"}, now_ms, limit);
}

Result<std::optional<int64_t>> PgAcmStore::GetDaysBeforeExpiry(std::string_view account_id) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::optional<int64_t>> {
    PgParams params;
    params.Text(account_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec("SELECT days_before_expiry FROM acm_account_config "
                                              "WHERE account_id = $1",
                                              params));
    if (rows.rows() == 0) return std::optional<int64_t>();
    return std::optional<int64_t>(rows.Int64(0, 0));
  });
}

Status PgAcmStore::PutDaysBeforeExpiry(std::string_view account_id, int64_t days, int64_t now_ms,
                                       const std::optional<IdempotencyClaim>& claim) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    if (claim.has_value()) RETURN_IF_ERROR(PgWriteAcmClaim(conn, *claim, now_ms));
    PgParams params;
    params.Text(account_id).Int64(days).Int64(now_ms);
    return conn
        .Exec(
            "INSERT INTO acm_account_config (account_id, days_before_expiry, updated_at_ms) "
            "VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET "
            "days_before_expiry = excluded.days_before_expiry, "
            "updated_at_ms = excluded.updated_at_ms",
            params)
        .status();
  });
}

Result<int64_t> PgAcmStore::MaxDaysBeforeExpiry(int64_t fallback) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<int64_t> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT MAX(days_before_expiry) FROM acm_account_config"));
    if (rows.rows() == 0 || rows.IsNull(0, 0)) return fallback;
    return std::max(fallback, rows.Int64(0, 0));
  });
}

}  // namespace openpca::store

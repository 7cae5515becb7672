// PgAuditReportStore and PgCertificateScan: the AuditReportStore (store/audit_report_store.h) and
// the CertificateScan (store/certificate_scan.h) on the database of a PgStore, sharing its read
// pool and its writer (so report writes join the same group commits). Tables:
// migrations/postgres/0008_audit_reports.sql and the certificates table.
//
// Several servers may share the database: InsertAuditReport locks the CA's row (FOR NO KEY
// UPDATE) before its check, so of concurrent callers on any server at most one gets through, and
// FinishAuditReport's conditional UPDATE re-checks CREATING under the report's row lock.
// Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/audit_report_store.h"
#include "store/certificate_scan.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {

class PgAuditReportStore final : public AuditReportStore {
 public:
  explicit PgAuditReportStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Status InsertAuditReport(const AuditReportRecord& report, int64_t not_before_ms) override;
  Result<AuditReportRecord> GetAuditReport(std::string_view ca_id,
                                           std::string_view report_id) override;
  Status FinishAuditReport(std::string_view ca_id, std::string_view report_id,
                           std::string_view status, int64_t finished_at_ms) override;
  Result<std::vector<AuditReportRecord>> ListCreatingAuditReports() override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

// Streams a CA's certificates through a server-side cursor inside one REPEATABLE READ READ ONLY
// transaction (one snapshot, `fetch_rows` rows in memory at a time).
class PgCertificateScan final : public CertificateScan {
 public:
  explicit PgCertificateScan(PgStore& db, int fetch_rows = 512)
      : reads_(db.read_pool()), fetch_rows_(fetch_rows > 0 ? fetch_rows : 1) {}

  Status ForEachCertificate(std::string_view ca_id,
                            const std::function<Status(const CertificateRecord&)>& fn) override;

 private:
  PgPool& reads_;
  const int fetch_rows_;
};

}  // namespace openpca::store

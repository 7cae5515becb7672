// SqliteAuditReportStore and SqliteCertificateScan: the AuditReportStore
// (store/audit_report_store.h) and the CertificateScan (store/certificate_scan.h) on the database
// of a SqliteStore, sharing its read pool and its writer (so report writes join the same group
// commits). Tables: migrations/sqlite/0008_audit_reports.sql and the certificates table.
// Thread-safe; the SqliteStore must outlive them.
#pragma once

#include "store/audit_report_store.h"
#include "store/certificate_scan.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {

class SqliteAuditReportStore final : public AuditReportStore {
 public:
  explicit SqliteAuditReportStore(SqliteStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Status InsertAuditReport(const AuditReportRecord& report, int64_t not_before_ms) override;
  Result<AuditReportRecord> GetAuditReport(std::string_view ca_id,
                                           std::string_view report_id) override;
  Status FinishAuditReport(std::string_view ca_id, std::string_view report_id,
                           std::string_view status, int64_t finished_at_ms) override;
  Result<std::vector<AuditReportRecord>> ListCreatingAuditReports() override;

 private:
  SqliteReadPool& reads_;
  SqliteWriter& writer_;
};

class SqliteCertificateScan final : public CertificateScan {
 public:
  explicit SqliteCertificateScan(SqliteStore& db) : reads_(db.read_pool()) {}

  Status ForEachCertificate(std::string_view ca_id,
                            const std::function<Status(const CertificateRecord&)>& fn) override;

 private:
  SqliteReadPool& reads_;
};

}  // namespace openpca::store

// PgAuditReportStore: the AuditReportStore (store/audit_report_store.h) on the database of a
// PgStore, sharing its read pool and its writer (so report writes join the same group commits).
// Table: migrations/postgres/0008_audit_reports.sql.
//
// Several servers may share the database: InsertAuditReport locks the CA's row (FOR NO KEY
// UPDATE) before its check, so of concurrent callers on any server at most one gets through, and
// FinishAuditReport's conditional UPDATE re-checks CREATING under the report's row lock.
// Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/audit_report_store.h"
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

}  // namespace openpca::store

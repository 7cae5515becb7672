// AuditReportStore: durable state of acm-pca audit reports (CreateCertificateAuthorityAuditReport,
// DescribeCertificateAuthorityAuditReport). SqliteAuditReportStore and PgAuditReportStore
// implement it on the database of a SqliteStore or PgStore (table audit_reports,
// migrations/<dialect>/0008_audit_reports.sql).
//
// Implementations are thread-safe; every mutating call returns only after its effect is durable.
// Times are Unix epoch milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace openpca::store {

struct AuditReportRecord {
  std::string id;          // lower-case UUID (AuditReportId)
  std::string ca_id;
  std::string bucket;      // S3BucketName
  std::string object_key;  // S3Key: audit-report/<CA id>/<id>.json|csv
  std::string format;      // "JSON" | "CSV"
  std::string status;      // "CREATING" | "SUCCESS" | "FAILED"
  int64_t created_at_ms = 0;
  std::optional<int64_t> finished_at_ms;  // unset while CREATING
};

class AuditReportStore {
 public:
  virtual ~AuditReportStore() = default;

  // Inserts `report` (status CREATING) unless its CA has a report still CREATING or one created
  // at or after `not_before_ms`: the check and the insert are one transaction, so of concurrent
  // callers at most one gets through. Errors: kRequestInProgress (the CA's latest report blocks
  // it; nothing is written); kResourceNotFound when the CA does not exist; kInvalidArgs if the id
  // exists; kInternal.
  virtual Status InsertAuditReport(const AuditReportRecord& report, int64_t not_before_ms) = 0;
  // Errors: kResourceNotFound (no such report of that CA); kInternal.
  virtual Result<AuditReportRecord> GetAuditReport(std::string_view ca_id,
                                                   std::string_view report_id) = 0;
  // Moves a CREATING report to `status` (SUCCESS or FAILED) at `finished_at_ms`.
  // Errors: kResourceNotFound; kInvalidState when the report is not CREATING; kInternal.
  virtual Status FinishAuditReport(std::string_view ca_id, std::string_view report_id,
                                   std::string_view status, int64_t finished_at_ms) = 0;
  // Every report still CREATING, oldest first (to resume them after a restart). Errors: kInternal.
  virtual Result<std::vector<AuditReportRecord>> ListCreatingAuditReports() = 0;
};

}  // namespace openpca::store

#include "store/postgres/pg_audit_report_store.h"

#include <string>

#include "store/postgres/pg_rows.h"

namespace openpca::store {
namespace {

constexpr char kPgReportColumns[] =
    "id, ca_id, bucket, object_key, format, status, created_at_ms, finished_at_ms";

AuditReportRecord PgReadReportRow(const PgResult& rows, int r) {
  AuditReportRecord report;
  report.id = rows.String(r, 0);
  report.ca_id = rows.String(r, 1);
  report.bucket = rows.String(r, 2);
  report.object_key = rows.String(r, 3);
  report.format = rows.String(r, 4);
  report.status = rows.String(r, 5);
  report.created_at_ms = rows.Int64(r, 6);
  report.finished_at_ms = rows.OptionalInt64(r, 7);
  return report;
}

// The CA's report that blocks a new one: one still CREATING, or the newest created at or after
// $2. Reads audit_reports_by_ca.
constexpr std::string_view kPgBlockingReportSql =
    "SELECT id, status FROM audit_reports WHERE ca_id = $1 "
    "AND (status = 'CREATING' OR created_at_ms >= $2) ORDER BY created_at_ms DESC LIMIT 1";

// Reads the primary key (ca_id, serial_hex) in order: no sort, however many rows.
const std::string& PgForEachCertificateSql() {
  static const std::string sql = std::string("DECLARE certificate_scan NO SCROLL CURSOR FOR ") +
                                 "SELECT " + kCertificateColumns +
                                 " FROM certificates WHERE ca_id = $1 ORDER BY serial_hex";
  return sql;
}

}  // namespace

Status PgAuditReportStore::InsertAuditReport(const AuditReportRecord& report,
                                             int64_t not_before_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    {
      // FOR NO KEY UPDATE: concurrent inserts for the CA (from any server) queue here, and each
      // sees the reports of those before it; the lock still lets the report's own foreign key
      // check (FOR KEY SHARE) through.
      PgParams params;
      params.Text(report.ca_id);
      ASSIGN_OR_RETURN(PgResult ca, conn.Exec("SELECT 1 FROM certificate_authorities WHERE id = $1 "
                                              "FOR NO KEY UPDATE",
                                              params));
      if (ca.rows() == 0) {
        return Status(ErrorCode::kResourceNotFound, "certificate authority not found");
      }
    }
    {
      PgParams params;
      params.Text(report.ca_id).Int64(not_before_ms);
      ASSIGN_OR_RETURN(PgResult blocking, conn.Exec(kPgBlockingReportSql, params));
      if (blocking.rows() > 0) {
        const std::string id = blocking.String(0, 0);
        return Status(ErrorCode::kRequestInProgress,
                      blocking.Text(0, 1) == "CREATING"
                          ? "The audit report " + id +
                                " of this certificate authority is being "
                                "created."
                          : "An audit report of this certificate authority (" + id +
                                ") was created too recently.");
      }
    }
    PgParams params;
    params.Text(report.id)
        .Text(report.ca_id)
        .Text(report.bucket)
        .Text(report.object_key)
        .Text(report.format)
        .Text("CREATING")
        .Int64(report.created_at_ms)
        .Null();
    ASSIGN_OR_RETURN(PgResult inserted,
                     conn.Exec(std::string("INSERT INTO audit_reports (") + kPgReportColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                                   "ON CONFLICT (id) DO NOTHING",
                               params));
    if (inserted.affected_rows() == 0) {
      return Status(ErrorCode::kInvalidArgs, "audit report " + report.id + " exists");
    }
    return Status::Ok();
  });
}

Result<AuditReportRecord> PgAuditReportStore::GetAuditReport(std::string_view ca_id,
                                                             std::string_view report_id) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<AuditReportRecord> {
    PgParams params;
    params.Text(ca_id).Text(report_id);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgReportColumns +
                                   " FROM audit_reports WHERE ca_id = $1 AND id = $2",
                               params));
    if (rows.rows() == 0) return Status(ErrorCode::kResourceNotFound, "audit report not found");
    return PgReadReportRow(rows, 0);
  });
}

Status PgAuditReportStore::FinishAuditReport(std::string_view ca_id, std::string_view report_id,
                                             std::string_view status, int64_t finished_at_ms) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(ca_id).Text(report_id).Text(status).Int64(finished_at_ms);
    ASSIGN_OR_RETURN(PgResult updated,
                     conn.Exec("UPDATE audit_reports SET status = $3, finished_at_ms = $4 "
                               "WHERE ca_id = $1 AND id = $2 AND status = 'CREATING'",
                               params));
    if (updated.affected_rows() == 1) return Status::Ok();
    PgParams key;
    key.Text(ca_id).Text(report_id);
    ASSIGN_OR_RETURN(PgResult exists,
                     conn.Exec("SELECT 1 FROM audit_reports WHERE ca_id = $1 AND id = $2", key));
    if (exists.rows() == 0) return Status(ErrorCode::kResourceNotFound, "audit report not found");
    return Status(ErrorCode::kInvalidState, "the audit report is not being created");
  });
}

Result<std::vector<AuditReportRecord>> PgAuditReportStore::ListCreatingAuditReports() {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<AuditReportRecord>> {
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgReportColumns +
                                              " FROM audit_reports WHERE status = 'CREATING' "
                                              "ORDER BY created_at_ms, id"));
    std::vector<AuditReportRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) out.push_back(PgReadReportRow(rows, r));
    return out;
  });
}

Status PgCertificateScan::ForEachCertificate(
    std::string_view ca_id, const std::function<Status(const CertificateRecord&)>& fn) {
  // Not WithPgReader: once `fn` has seen a row, a retry would show it again.
  ASSIGN_OR_RETURN(PgPool::Lease conn, reads_.Acquire());
  RETURN_IF_ERROR(conn->Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  PgParams params;
  params.Text(ca_id);
  Status status = conn->Exec(PgForEachCertificateSql(), params).status();
  const std::string fetch =
      "FETCH FORWARD " + std::to_string(fetch_rows_) + " FROM certificate_scan";
  while (status.ok()) {
    Result<PgResult> rows = conn->Exec(fetch);
    if (!rows.ok()) {
      status = rows.status();
      break;
    }
    for (int r = 0; r < rows->rows() && status.ok(); ++r) {
      status = fn(ReadCertificateRow(*rows, r));
    }
    if (rows->rows() < fetch_rows_) break;
  }
  if (status.ok()) return conn->Run("COMMIT");
  if (!conn->broken()) {
    // Best effort: a connection left in a transaction is not reused by the pool.
    (void)conn->Run("ROLLBACK");
  }
  return status;
}

}  // namespace openpca::store

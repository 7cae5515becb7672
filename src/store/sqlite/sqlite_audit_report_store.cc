#include "store/sqlite/sqlite_audit_report_store.h"

#include "store/sqlite/sqlite_rows.h"

namespace openpca::store {
namespace {

constexpr char kReportColumns[] =
    "id, ca_id, bucket, object_key, format, status, created_at_ms, finished_at_ms";

AuditReportRecord ReadReport(const SqliteStatement& s) {
  AuditReportRecord r;
  r.id = s.ColumnText(0);
  r.ca_id = s.ColumnText(1);
  r.bucket = s.ColumnText(2);
  r.object_key = s.ColumnText(3);
  r.format = s.ColumnText(4);
  r.status = s.ColumnText(5);
  r.created_at_ms = s.ColumnInt64(6);
  r.finished_at_ms = s.ColumnOptionalInt64(7);
  return r;
}

const std::string& InsertReportSql() {
  static const std::string sql = std::string("INSERT INTO audit_reports (") + kReportColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  return sql;
}

const std::string& SelectReportSql() {
  static const std::string sql = std::string("SELECT ") + kReportColumns +
                                 " FROM audit_reports WHERE ca_id = ?1 AND id = ?2";
  return sql;
}

const std::string& ListCreatingSql() {
  static const std::string sql = std::string("SELECT ") + kReportColumns +
                                 " FROM audit_reports WHERE status = 'CREATING' "
                                 "ORDER BY created_at_ms, id";
  return sql;
}

// The CA's report that blocks a new one: one still CREATING, or the newest created at or after
// ?2. Reads audit_reports_by_ca.
constexpr std::string_view kBlockingReportSql =
    "SELECT id, status FROM audit_reports WHERE ca_id = ?1 "
    "AND (status = 'CREATING' OR created_at_ms >= ?2) ORDER BY created_at_ms DESC LIMIT 1";

// Reads the primary key (ca_id, serial_hex) in order: no sort, however many rows.
const std::string& ForEachCertificateSql() {
  static const std::string sql = std::string("SELECT ") + kCertificateColumns +
                                 " FROM certificates WHERE ca_id = ?1 ORDER BY serial_hex";
  return sql;
}

}  // namespace

Status SqliteAuditReportStore::InsertAuditReport(const AuditReportRecord& report,
                                                 int64_t not_before_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    {
      ASSIGN_OR_RETURN(SqliteStatement exists,
                       conn.Prepare("SELECT 1 FROM certificate_authorities WHERE id = ?1"));
      exists.BindText(1, report.ca_id);
      ASSIGN_OR_RETURN(bool found, exists.Step());
      if (!found) return Status(ErrorCode::kResourceNotFound, "certificate authority not found");
    }
    {
      ASSIGN_OR_RETURN(SqliteStatement blocking, conn.Prepare(kBlockingReportSql));
      blocking.BindText(1, report.ca_id).BindInt64(2, not_before_ms);
      ASSIGN_OR_RETURN(bool found, blocking.Step());
      if (found) {
        const std::string id = blocking.ColumnText(0);
        return Status(ErrorCode::kRequestInProgress,
                      blocking.ColumnText(1) == "CREATING"
                          ? "The audit report " + id + " of this certificate authority is being "
                                                       "created."
                          : "An audit report of this certificate authority (" + id +
                                ") was created too recently.");
      }
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(InsertReportSql()));
    stmt.BindText(1, report.id)
        .BindText(2, report.ca_id)
        .BindText(3, report.bucket)
        .BindText(4, report.object_key)
        .BindText(5, report.format)
        .BindText(6, "CREATING")
        .BindInt64(7, report.created_at_ms)
        .BindNull(8);
    Status inserted = stmt.Run();
    if (!inserted.ok() && (stmt.last_error_code() == SQLITE_CONSTRAINT_PRIMARYKEY ||
                           stmt.last_error_code() == SQLITE_CONSTRAINT_UNIQUE)) {
      return Status(ErrorCode::kInvalidArgs, "audit report " + report.id + " exists");
    }
    return inserted;
  });
}

Result<AuditReportRecord> SqliteAuditReportStore::GetAuditReport(std::string_view ca_id,
                                                                 std::string_view report_id) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<AuditReportRecord> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(SelectReportSql()));
    stmt.BindText(1, ca_id).BindText(2, report_id);
    ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) return Status(ErrorCode::kResourceNotFound, "audit report not found");
    return ReadReport(stmt);
  });
}

Status SqliteAuditReportStore::FinishAuditReport(std::string_view ca_id,
                                                 std::string_view report_id,
                                                 std::string_view status,
                                                 int64_t finished_at_ms) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE audit_reports SET status = ?3, finished_at_ms = ?4 "
                                  "WHERE ca_id = ?1 AND id = ?2 AND status = 'CREATING'"));
    stmt.BindText(1, ca_id).BindText(2, report_id).BindText(3, status).BindInt64(4,
                                                                              finished_at_ms);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 1) return Status::Ok();
    ASSIGN_OR_RETURN(SqliteStatement exists,
                     conn.Prepare("SELECT 1 FROM audit_reports WHERE ca_id = ?1 AND id = ?2"));
    exists.BindText(1, ca_id).BindText(2, report_id);
    ASSIGN_OR_RETURN(bool found, exists.Step());
    if (!found) return Status(ErrorCode::kResourceNotFound, "audit report not found");
    return Status(ErrorCode::kInvalidState, "the audit report is not being created");
  });
}

Result<std::vector<AuditReportRecord>> SqliteAuditReportStore::ListCreatingAuditReports() {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<AuditReportRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(ListCreatingSql()));
    std::vector<AuditReportRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return out;
      out.push_back(ReadReport(stmt));
    }
  });
}

Status SqliteCertificateScan::ForEachCertificate(
    std::string_view ca_id, const std::function<Status(const CertificateRecord&)>& fn) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Status {
    // One statement is one read transaction: the whole scan sees one snapshot, however long the
    // callback takes, while the writer keeps committing (WAL).
    ASSIGN_OR_RETURN(SqliteStatement rows, conn.Prepare(ForEachCertificateSql()));
    rows.BindText(1, ca_id);
    for (;;) {
      ASSIGN_OR_RETURN(bool has_row, rows.Step());
      if (!has_row) return Status::Ok();
      RETURN_IF_ERROR(fn(ReadCertificate(rows)));
    }
  });
}

}  // namespace openpca::store

// CreateCertificateAuthorityAuditReport and DescribeCertificateAuthorityAuditReport.
#include "authority/audit_reports.h"

namespace openpca::authority {

AuditReports::AuditReports(Authority& authority, store::AuditReportStore& reports,
                           const Clock& clock, Random& random, AuditReportHooks hooks,
                           AuditReportOptions options)
    : authority_(authority),
      reports_(reports),
      clock_(clock),
      random_(random),
      hooks_(std::move(hooks)),
      options_(options) {}

Result<CreatedAuditReport> AuditReports::Create(const Caller& caller, const std::string& ca_arn,
                                                const std::string& bucket,
                                                const std::string& format) {
  ASSIGN_OR_RETURN(store::CaRecord ca, authority_.DescribeCertificateAuthority(caller, ca_arn));
  if (format != "JSON" && format != "CSV") {
    return Status(ErrorCode::kInvalidArgs, "The audit report format " + format +
                                               " is not valid; use JSON or CSV.");
  }
  // Status matrix: reports only while the CA is ACTIVE or DISABLED (an EXPIRED one is resolved
  // as such by DescribeCertificateAuthority).
  if (ca.status != "ACTIVE" && ca.status != "DISABLED") {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + ca.arn +
                                                " is in the " + ca.status +
                                                " state and cannot create audit reports.");
  }
  if (!hooks_.check_bucket) {
    return Status(ErrorCode::kInvalidArgs, "Audit reports cannot be written to " + bucket + ".");
  }
  store::AuditReportRecord report;
  report.id = NewUuidV4(random_);
  report.ca_id = ca.id;
  report.bucket = bucket;
  report.format = format;
  report.object_key =
      "audit-report/" + ca.id + "/" + report.id + (format == "JSON" ? ".json" : ".csv");
  RETURN_IF_ERROR(hooks_.check_bucket(bucket, report.object_key, ca.account_id, ca.arn));

  const TimePoint now = clock_.Now();
  report.status = "CREATING";
  report.created_at_ms = ToUnixMillis(now);
  const int64_t not_before_ms = report.created_at_ms - options_.interval.count();
  Status inserted = reports_.InsertAuditReport(report, not_before_ms);
  if (inserted.code() == ErrorCode::kResourceNotFound) {
    // The CA was purged between the load and the insert.
    return Status(ErrorCode::kResourceNotFound,
                  "Could not find certificate authority " + ca_arn + ".");
  }
  RETURN_IF_ERROR(inserted);
  if (hooks_.created) hooks_.created(report);
  return CreatedAuditReport{report.id, report.object_key};
}

Result<store::AuditReportRecord> AuditReports::Describe(const Caller& caller,
                                                        const std::string& ca_arn,
                                                        const std::string& report_id) {
  ASSIGN_OR_RETURN(store::CaRecord ca, authority_.DescribeCertificateAuthority(caller, ca_arn));
  auto report = reports_.GetAuditReport(ca.id, report_id);
  if (!report.ok() && report.status().code() == ErrorCode::kResourceNotFound) {
    return Status(ErrorCode::kResourceNotFound, "Could not find audit report " + report_id +
                                                    " of certificate authority " + ca_arn + ".");
  }
  return report;
}

}  // namespace openpca::authority

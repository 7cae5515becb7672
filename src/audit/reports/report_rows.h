// The rows of an acm-pca audit report (revocation.md section 7): one per certificate a CA issued,
// with the columns, their order and their text formats as AWS Private CA writes them, and the
// JSON and CSV renderings of a row. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/records.h"

namespace openpca::audit {

enum class ReportFormat { kJson, kCsv };

// One certificate as the report lists it; every member is already in its report text form.
// Optional members are the ones a row may lack: omitted from JSON, empty in CSV.
struct AuditReportRow {
  std::string aws_account_id;                                // 123456789012
  std::optional<std::string> requested_by_service_principal;  // acm.amazonaws.com
  std::string certificate_arn;                               // <CA ARN>/certificate/<hex>
  std::string serial;                                        // e8:cb:d2:...
  std::string subject;                                       // RFC 2253, x509/name_rfc2253.h
  std::string not_before;                                    // 2020-02-26T18:39:57+0000
  std::string not_after;
  std::string issued_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> revocation_reason;  // RevocationReason enum name
  std::optional<std::string> template_arn;       // arn:aws:acm-pca:::template/<Name>/V1
};

// The CA a report is about.
struct ReportedCa {
  std::string arn;
  std::string account_id;
};

// The row of `cert`, a certificate of `ca`: the subject is read from its DER.
// Errors: kInternal when the stored DER does not parse (a corrupt row).
Result<AuditReportRow> RowOf(const ReportedCa& ca, const store::CertificateRecord& cert);

// Unix seconds as yyyy-MM-dd'T'HH:mm:ssZ in UTC: "2020-02-26T18:39:57+0000".
std::string ReportTime(int64_t unix_s);
// Lower-case hex bytes joined by ':' ("e8cb" -> "e8:cb"); an odd-length input gets a leading 0.
std::string SerialWithColons(std::string_view serial_hex);
// RFC 5280 CRLReason code -> the RevocationReason enum name AWS uses ("KEY_COMPROMISE");
// nullopt for codes acm-pca cannot set (certificateHold, removeFromCRL, 7).
std::optional<std::string_view> RevocationReasonName(int code);

// The CSV header line and a row's line, each ending in CRLF; fields are quoted as RFC 4180 asks
// (when they hold a comma, a double quote, CR or LF; quotes doubled).
std::string_view CsvHeader();
std::string CsvLine(const AuditReportRow& row);
std::string CsvField(std::string_view value);
// A row as one compact JSON object, keys in column order, absent members omitted.
std::string JsonObject(const AuditReportRow& row);

}  // namespace openpca::audit

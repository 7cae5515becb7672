#include "audit/reports/report_rows.h"

#include <array>
#include <ctime>
#include <utility>

#include <nlohmann/json.hpp>

#include "x509/inspect.h"
#include "x509/name_rfc2253.h"

namespace openpca::audit {
namespace {

constexpr std::array<std::string_view, 11> kColumns{
    "awsAccountId", "requestedByServicePrincipal", "certificateArn", "serial",
    "subject",      "notBefore",                   "notAfter",       "issuedAt",
    "revokedAt",    "revocationReason",            "templateArn"};

// The row's values in column order; nullptr for an absent one.
std::array<const std::string*, 11> Values(const AuditReportRow& row) {
  auto opt = [](const std::optional<std::string>& v) { return v.has_value() ? &*v : nullptr; };
  return {&row.aws_account_id, opt(row.requested_by_service_principal), &row.certificate_arn,
          &row.serial,         &row.subject,
          &row.not_before,     &row.not_after,
          &row.issued_at,      opt(row.revoked_at),
          opt(row.revocation_reason), opt(row.template_arn)};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string ReportTime(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S+0000", &tm);
  return std::string(buf, n);
}

std::string SerialWithColons(std::string_view serial_hex) {
  std::string hex(serial_hex);
  if (hex.size() % 2 != 0) hex.insert(hex.begin(), '0');
  std::string out;
  out.reserve(hex.size() * 3 / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) out.push_back(':');
    for (size_t j = i; j < i + 2; ++j) {
      char c = hex[j];
      out.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  return out;
}

std::optional<std::string_view> RevocationReasonName(int code) {
  static constexpr std::array<std::pair<int, std::string_view>, 8> kNames{{
      {0, "UNSPECIFIED"},
      {1, "KEY_COMPROMISE"},
      {2, "CERTIFICATE_AUTHORITY_COMPROMISE"},
      {3, "AFFILIATION_CHANGED"},
      {4, "SUPERSEDED"},
      {5, "CESSATION_OF_OPERATION"},
      {9, "PRIVILEGE_WITHDRAWN"},
      {10, "A_A_COMPROMISE"},
  }};
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return std::nullopt;
}

Result<AuditReportRow> RowOf(const ReportedCa& ca, const store::CertificateRecord& cert) {
  auto parsed = x509::ParseCertificateDer(cert.der);
  if (!parsed.ok()) {
    return InternalError("certificate " + cert.serial_hex + " of CA " + ca.arn +
                         " does not parse: " + parsed.status().message());
  }
  const X509_NAME* subject = X509_get_subject_name(parsed->get());
  if (subject == nullptr) return InternalError("certificate without subject");
  AuditReportRow row;
  row.aws_account_id = ca.account_id;
  if (!cert.requested_by_service_principal.empty()) {
    row.requested_by_service_principal = cert.requested_by_service_principal;
  }
  row.certificate_arn = ca.arn + "/certificate/" + cert.serial_hex;
  row.serial = SerialWithColons(cert.serial_hex);
  ASSIGN_OR_RETURN(row.subject, x509::NameToRfc2253(*subject));
  row.not_before = ReportTime(cert.not_before_s);
  row.not_after = ReportTime(cert.not_after_s);
  row.issued_at = ReportTime(FloorDiv(cert.issued_at_ms, 1000));
  if (cert.revoked_at_ms.has_value()) {
    row.revoked_at = ReportTime(FloorDiv(*cert.revoked_at_ms, 1000));
    // A revoked row always carries a reason; a code acm-pca cannot set (only a hand-edited
    // database has one) reads as UNSPECIFIED, as the CRL lists a missing one.
    std::optional<std::string_view> name = RevocationReasonName(cert.revocation_reason.value_or(0));
    row.revocation_reason = std::string(name.value_or("UNSPECIFIED"));
  }
  if (!cert.template_arn.empty()) row.template_arn = cert.template_arn;
  return row;
}

std::string_view CsvHeader() {
  static const std::string header = [] {
    std::string h;
    for (size_t i = 0; i < kColumns.size(); ++i) {
      if (i > 0) h.push_back(',');
      h += kColumns[i];
    }
    return h + "\r\n";
  }();
  return header;
}

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const AuditReportRow& row) {
  std::string line;
  const auto values = Values(row);
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) line.push_back(',');
    if (values[i] != nullptr) line += CsvField(*values[i]);
  }
  line += "\r\n";
  return line;
}

std::string JsonObject(const AuditReportRow& row) {
  std::string out = "{";
  const auto values = Values(row);
  bool first = true;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == nullptr) continue;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out += kColumns[i];  // plain ASCII names: nothing to escape
    out += "\":";
    // Subjects may hold any UTF-8; dump() escapes what JSON requires. Invalid UTF-8 (a
    // TeletexString read as Latin-1 is converted, so only a broken row) is replaced, not thrown.
    out += nlohmann::json(*values[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out.push_back('}');
  return out;
}

}  // namespace openpca::audit

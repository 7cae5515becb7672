#include "services/acm_pca/audit_report_handlers.h"

namespace openpca::services::acm_pca {
namespace {

using json = nlohmann::json;

std::string Str(const json& in, const char* member) {
  auto it = in.find(member);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

authority::Caller CallerOf(const api::CallContext& ctx) {
  return authority::Caller{ctx.account_id, ctx.region};
}

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> AcmPcaAuditReportOperations(
    authority::AuditReports& reports) {
  std::vector<std::pair<std::string, api::OperationHandler>> ops;

  ops.emplace_back("CreateCertificateAuthorityAuditReport",
                   [&reports](const api::CallContext& ctx, const json& in) -> Result<json> {
                     ASSIGN_OR_RETURN(
                         authority::CreatedAuditReport created,
                         reports.Create(CallerOf(ctx), Str(in, "CertificateAuthorityArn"),
                                        Str(in, "S3BucketName"),
                                        Str(in, "AuditReportResponseFormat")));
                     return json{{"AuditReportId", created.id}, {"S3Key", created.s3_key}};
                   });

  ops.emplace_back("DescribeCertificateAuthorityAuditReport",
                   [&reports](const api::CallContext& ctx, const json& in) -> Result<json> {
                     ASSIGN_OR_RETURN(store::AuditReportRecord report,
                                      reports.Describe(CallerOf(ctx),
                                                       Str(in, "CertificateAuthorityArn"),
                                                       Str(in, "AuditReportId")));
                     return json{{"AuditReportStatus", report.status},
                                 {"S3BucketName", report.bucket},
                                 {"S3Key", report.object_key},
                                 {"CreatedAt", static_cast<double>(report.created_at_ms) / 1000.0}};
                   });
  return ops;
}

}  // namespace openpca::services::acm_pca

#include "server/audit_report_wiring.h"

#include <spdlog/spdlog.h>

#include "access/bucket_writes.h"
#include "common/arn.h"
#include "services/acm_pca/actions.h"
#include "services/acm_pca/audit_report_handlers.h"

namespace openpca::server {
namespace {

using BucketCheck = std::function<Status(const std::string& bucket, const std::string& key,
                                         const std::string& ca_account,
                                         const std::string& ca_arn)>;

// The bucket must exist in the built-in bucket store and its policy must let
// acm-pca.amazonaws.com write the report object (docs/decisions.md "Audit reports").
BucketCheck MayWriteReport(const AuditReportWiringDeps& deps) {
  return [buckets = deps.buckets, cache = deps.policy_cache,
          partition = std::string(PartitionOfRegion(deps.region))](
             const std::string& bucket, const std::string& key, const std::string& ca_account,
             const std::string& ca_arn) -> Status {
    if (!objects::BucketStore::IsValidBucketName(bucket)) {
      return Status(ErrorCode::kInvalidArgs, "The S3 bucket name " + bucket + " is not valid.");
    }
    Result<std::optional<std::string>> policy = buckets->GetPolicy(bucket);
    if (!policy.ok() || !buckets->BucketExists(bucket)) {
      if (!policy.ok() && policy.status().code() != ErrorCode::kResourceNotFound) {
        return policy.status();
      }
      return Status(ErrorCode::kResourceNotFound, "The S3 bucket " + bucket + " does not exist.");
    }
    Status allowed =
        access::ServiceMayWriteObject(*policy, *cache, bucket, key, partition, ca_account, ca_arn);
    if (!allowed.ok()) {
      spdlog::warn("audit report bucket {}: {}", bucket, allowed.message());
      return Status(ErrorCode::kInvalidArgs,
                    "Permission error with your S3 bucket " + bucket +
                        ": its bucket policy must allow acm-pca.amazonaws.com s3:PutObject.");
    }
    return Status::Ok();
  };
}

audit::ReportGeneratorDeps GeneratorDeps(const AuditReportWiringDeps& deps) {
  audit::ReportGeneratorDeps g;
  g.cas = deps.cas;
  g.certificates = deps.certificates;
  g.reports = deps.reports;
  g.buckets = deps.buckets;
  g.clock = deps.clock;
  g.may_write = MayWriteReport(deps);
  return g;
}

}  // namespace

AuditReportWiring::AuditReportWiring(const AuditReportWiringDeps& deps)
    : generator_(GeneratorDeps(deps)),
      reports_(*deps.authority, *deps.reports, *deps.clock, *deps.random,
               authority::AuditReportHooks{
                   MayWriteReport(deps),
                   [this](const store::AuditReportRecord& report) { generator_.Enqueue(report); }},
               authority::AuditReportOptions{deps.interval}) {}

void AuditReportWiring::Register(api::ApiServer& server) {
  for (auto& [name, handler] : services::acm_pca::AcmPcaAuditReportOperations(reports_)) {
    server.RegisterOperation(name, std::move(handler), services::acm_pca::ActionFor(name));
  }
}

}  // namespace openpca::server

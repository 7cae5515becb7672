// AuditReports: the acm-pca operations CreateCertificateAuthorityAuditReport and
// DescribeCertificateAuthorityAuditReport (revocation.md section 7, docs/audit-reports.md).
//
// Create validates the request (the CA through Authority: InvalidArn, ResourceNotFound; its
// status; the bucket through a hook), then records the report CREATING in the AuditReportStore,
// where the "one report per CA every 30 minutes" rule is checked in the same transaction, and
// hands it to the `created` hook (the background generator, audit/reports/). It returns at once
// with the report's id and S3 key. A rejected call writes nothing.
//
// Thread-safe; the Authority, the store, the clock and the random source must outlive it.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "authority/authority.h"
#include "common/clock.h"
#include "common/random.h"
#include "store/audit_report_store.h"

namespace openpca::authority {

struct AuditReportHooks {
  // Whether `bucket` exists and acm-pca may write the report object `key` into it on behalf of
  // the CA (`ca_account`, `ca_arn`). Errors: kResourceNotFound (no such bucket); kInvalidArgs
  // (not a bucket name, or its policy does not let acm-pca.amazonaws.com write). Unset: every
  // bucket is refused.
  std::function<Status(const std::string& bucket, const std::string& key,
                       const std::string& ca_account, const std::string& ca_arn)>
      check_bucket;
  // The report's CREATING row is durable: write it (in the background). Unset: it stays CREATING.
  std::function<void(const store::AuditReportRecord& report)> created;
};

struct AuditReportOptions {
  // At most one report per CA in this interval (AWS: 30 minutes).
  std::chrono::milliseconds interval = std::chrono::minutes(30);
};

struct CreatedAuditReport {
  std::string id;      // AuditReportId
  std::string s3_key;  // audit-report/<CA id>/<id>.json|csv
};

class AuditReports {
 public:
  AuditReports(Authority& authority, store::AuditReportStore& reports, const Clock& clock,
               Random& random, AuditReportHooks hooks, AuditReportOptions options = {});

  // Errors: kInvalidArn; kResourceNotFound (CA, bucket); kInvalidArgs (format, bucket policy);
  // kInvalidState (the CA is neither ACTIVE nor DISABLED); kRequestInProgress (a report of the CA
  // is being created, or one was created less than `interval` ago); kInternal.
  Result<CreatedAuditReport> Create(const Caller& caller, const std::string& ca_arn,
                                    const std::string& bucket, const std::string& format);
  // Errors: kInvalidArn; kResourceNotFound (CA, or no such report of it); kInternal.
  Result<store::AuditReportRecord> Describe(const Caller& caller, const std::string& ca_arn,
                                            const std::string& report_id);

 private:
  Authority& authority_;
  store::AuditReportStore& reports_;
  const Clock& clock_;
  Random& random_;
  AuditReportHooks hooks_;
  AuditReportOptions options_;
};

}  // namespace openpca::authority

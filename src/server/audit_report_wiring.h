// Wiring of acm-pca audit reports (CreateCertificateAuthorityAuditReport,
// DescribeCertificateAuthorityAuditReport) over the server's AuditReportStore: the background
// generator writing into the built-in bucket store, and the two operations on the API server.
// Owns what it creates; the arguments must outlive it. Start() after the operations are
// registered and before serving; destroy before the store and the bucket store.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "audit/reports/report_generator.h"
#include "authority/audit_reports.h"
#include "authority/authority.h"
#include "common/clock.h"
#include "common/random.h"
#include "objects/bucket_store.h"
#include "policy/policy_cache.h"
#include "store/audit_report_store.h"
#include "store/certificate_scan.h"
#include "store/store.h"

namespace openpca::server {

struct AuditReportWiringDeps {
  store::Store* cas = nullptr;                       // GetCa
  store::AuditReportStore* reports = nullptr;
  store::CertificateScan* certificates = nullptr;
  authority::Authority* authority = nullptr;
  objects::BucketStore* buckets = nullptr;
  policy::PolicyCache* policy_cache = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  std::string region;  // the default region: its partition names the buckets' ARNs
  std::chrono::seconds interval{1800};
};

class AuditReportWiring {
 public:
  explicit AuditReportWiring(const AuditReportWiringDeps& deps);
  // Registers both operations with their ActionSpecs (services/acm_pca/actions.cc).
  void Register(api::ApiServer& server);
  // Starts the generator, which resumes the reports a previous run left CREATING.
  Status Start() { return generator_.Start(); }

 private:
  audit::AuditReportGenerator generator_;
  authority::AuditReports reports_;
};

}  // namespace openpca::server

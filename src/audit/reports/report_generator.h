// AuditReportGenerator: writes acm-pca audit reports into the built-in bucket store, in the
// background, and records each one SUCCESS or FAILED (docs/audit-reports.md is the flow;
// revocation.md section 7 the content).
//
// A report is queued once its CREATING row is durable (AuditReports in authority/ does that);
// one worker thread takes reports in order and, for each: loads the CA, asks `may_write` whether
// acm-pca may still write the bucket for it, streams every certificate of the CA from the
// CertificateScan through report_rows into an ObjectWriter (memory stays constant whatever the
// number of certificates) and commits the object, then marks the row SUCCESS. Any failure marks
// it FAILED and leaves no object.
//
// Restart-safe: Start() queues every report a previous process left CREATING, which is then
// written in full (the object is replaced atomically, so a report interrupted half-way never
// shows). Shutdown interrupts a report in progress without marking it: it stays CREATING and is
// finished at the next start.
//
// Thread-safe. The stores and the bucket store must outlive it; the destructor joins the worker.
#pragma once

#include <condition_variable>
#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "audit/reports/report_rows.h"
#include "common/clock.h"
#include "common/status.h"
#include "objects/bucket_store.h"
#include "store/audit_report_store.h"
#include "store/certificate_scan.h"
#include "store/store.h"

namespace openpca::audit {

struct ReportGeneratorDeps {
  store::Store* cas = nullptr;  // GetCa: the CA's ARN and account
  store::CertificateScan* certificates = nullptr;
  store::AuditReportStore* reports = nullptr;
  objects::BucketStore* buckets = nullptr;
  const Clock* clock = nullptr;
  // Whether acm-pca may write the object `key` into `bucket` on behalf of the CA (`ca_account`,
  // `ca_arn`) now: the bucket policy may have changed since the request was accepted. An error
  // fails the report.
  std::function<Status(const std::string& bucket, const std::string& key,
                       const std::string& ca_account, const std::string& ca_arn)>
      may_write;
};

class AuditReportGenerator {
 public:
  explicit AuditReportGenerator(ReportGeneratorDeps deps);
  ~AuditReportGenerator();
  AuditReportGenerator(const AuditReportGenerator&) = delete;
  AuditReportGenerator& operator=(const AuditReportGenerator&) = delete;

  // Starts the worker and queues the reports left CREATING. Errors: kInternal (store).
  Status Start();
  // Queues a report whose CREATING row is durable.
  void Enqueue(const store::AuditReportRecord& report);

  // Writes `report` on the calling thread and records its outcome: OK when it ended SUCCESS.
  // Errors: the reason it ended FAILED; kServiceUnavailable when shutdown interrupted it (left
  // CREATING). Used by the worker, and by tests.
  Status Generate(const store::AuditReportRecord& report);

 private:
  // Writes the object of `report` (nothing else). Errors: why it cannot be written.
  Status WriteObject(const store::AuditReportRecord& report);
  void Loop();

  ReportGeneratorDeps deps_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<store::AuditReportRecord> queue_;  // guarded by mu_
  bool stopping_ = false;                       // guarded by mu_; also read unlocked via stop_
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

}  // namespace openpca::audit

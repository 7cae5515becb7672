#include "audit/reports/report_generator.h"

#include <spdlog/spdlog.h>

#include "common/thread_name.h"

namespace openpca::audit {

AuditReportGenerator::AuditReportGenerator(ReportGeneratorDeps deps) : deps_(std::move(deps)) {}

AuditReportGenerator::~AuditReportGenerator() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_.store(true);
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status AuditReportGenerator::Start() {
  ASSIGN_OR_RETURN(std::vector<store::AuditReportRecord> left, deps_.reports->ListCreatingAuditReports());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& report : left) {
      spdlog::info("audit report {} of CA {} was being created at shutdown; writing it now",
                   report.id, report.ca_id);
      queue_.push_back(std::move(report));
    }
  }
  worker_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void AuditReportGenerator::Enqueue(const store::AuditReportRecord& report) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(report);
  }
  cv_.notify_one();
}

void AuditReportGenerator::Loop() {
  NameThisThread("audit-reports");
  for (;;) {
    store::AuditReportRecord report;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      report = std::move(queue_.front());
      queue_.pop_front();
    }
    Status st = Generate(report);
    if (!st.ok() && st.code() != ErrorCode::kServiceUnavailable) {
      spdlog::warn("audit report {} of CA {} failed: {}", report.id, report.ca_id, st.message());
    }
  }
}

Status AuditReportGenerator::WriteObject(const store::AuditReportRecord& report) {
  ASSIGN_OR_RETURN(store::CaRecord ca, deps_.cas->GetCa(report.ca_id));
  if (deps_.may_write) {
    RETURN_IF_ERROR(deps_.may_write(report.bucket, report.object_key, ca.account_id, ca.arn));
  }
  const bool json = report.format == "JSON";
  ASSIGN_OR_RETURN(std::unique_ptr<objects::ObjectWriter> object,
                   deps_.buckets->OpenWriter(report.bucket, report.object_key,
                                             json ? "application/json" : "text/csv"));
  RETURN_IF_ERROR(object->Append(json ? std::string_view("[") : CsvHeader()));
  const ReportedCa reported{ca.arn, ca.account_id};
  bool first = true;
  RETURN_IF_ERROR(deps_.certificates->ForEachCertificate(
      ca.id, [&](const store::CertificateRecord& cert) -> Status {
        if (stop_.load(std::memory_order_relaxed)) {
          return Status(ErrorCode::kServiceUnavailable, "shutting down");
        }
        ASSIGN_OR_RETURN(AuditReportRow row, RowOf(reported, cert));
        if (json) {
          if (!first) RETURN_IF_ERROR(object->Append(","));
          first = false;
          return object->Append(JsonObject(row));
        }
        return object->Append(CsvLine(row));
      }));
  if (json) RETURN_IF_ERROR(object->Append("]"));
  return object->Commit();
}

Status AuditReportGenerator::Generate(const store::AuditReportRecord& report) {
  Status written = WriteObject(report);
  // Interrupted by shutdown: stays CREATING and is written again at the next start.
  if (written.code() == ErrorCode::kServiceUnavailable) return written;
  const char* outcome = written.ok() ? "SUCCESS" : "FAILED";
  Status recorded = deps_.reports->FinishAuditReport(report.ca_id, report.id, outcome,
                                                     ToUnixMillis(deps_.clock->Now()));
  if (!recorded.ok()) {
    // Left CREATING (or the CA is gone): a restart writes it again.
    spdlog::error("audit report {} of CA {}: cannot record {}: {}", report.id, report.ca_id,
                  outcome, recorded.message());
    return recorded;
  }
  return written;
}

}  // namespace openpca::audit

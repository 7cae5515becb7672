// Managed renewal of private certificates: 60 days before expiry (or at RenewCertificate), with a
// new key pair and a new serial under the same ARN, when the CA granted acm.amazonaws.com the
// permissions renewal needs. Each renewal is claimed in the store first (version check), so two
// schedulers never renew one certificate twice; a claim that never finished (crash) is retried
// after ManagerOptions::claim_lease_s.
#include <algorithm>

#include "certmanager/certificate_manager.h"
#include "certmanager/domain_names.h"
#include "common/arn.h"

namespace openpca::certmanager {
namespace {

using json = nlohmann::json;
using store::AcmCertificateRecord;

constexpr int64_t kDay = 86400;

bool HasAll(const std::vector<std::string>& actions, std::initializer_list<const char*> needed) {
  for (const char* n : needed) {
    if (std::find(actions.begin(), actions.end(), n) == actions.end()) return false;
  }
  return true;
}

}  // namespace

std::optional<int64_t> CertificateManager::NextRetry(int64_t not_after_s, int64_t now_s) const {
  std::vector<int64_t> days = options_.retry_days_before;
  std::sort(days.begin(), days.end(), std::greater<>());
  for (int64_t d : days) {
    int64_t at = not_after_s - d * kDay;
    if (at > now_s) return at;
  }
  return std::nullopt;
}

Result<bool> CertificateManager::AcmMayRenewWith(const AcmCertificateRecord& cert) {
  auto ca = ParseCaArn(cert.ca_arn);
  if (!ca) return false;
  ASSIGN_OR_RETURN(std::vector<store::CaPermissionRecord> permissions,
                   sharing_.ListCaPermissions(ca->ca_id));
  for (const store::CaPermissionRecord& p : permissions) {
    if (p.principal != kAcmServicePrincipal) continue;
    if (!p.source_account.empty() && p.source_account != cert.account_id) continue;
    if (HasAll(p.actions, {"IssueCertificate", "GetCertificate", "ListPermissions"})) return true;
  }
  return false;
}

Result<AcmCertificateRecord> CertificateManager::Claim(AcmCertificateRecord cert, int64_t now_s) {
  cert.renewal_status = "PENDING_AUTO_RENEWAL";
  cert.renewal_reason.clear();
  cert.renewal_updated_at_ms = now_s * 1000;
  // The lease: if this server stops before it finishes, the certificate is due again then.
  cert.next_renewal_s = now_s + options_.claim_lease_s;
  RETURN_IF_ERROR(store_.UpdateCertificate(cert));
  ++cert.version;
  return cert;
}

Status CertificateManager::RenewClaimed(AcmCertificateRecord cert) {
  const int64_t now_s = ToUnixSeconds(clock_.Now());
  Result<bool> permitted = AcmMayRenewWith(cert);
  if (!permitted.ok()) return permitted.status();
  Status outcome;
  Result<Issued> issued =
      *permitted ? IssueFor(cert, nullptr)
                 : Result<Issued>(Status(ErrorCode::kAccessDenied,
                                         "The certificate authority has not granted " +
                                             std::string(kAcmServicePrincipal) +
                                             " the permissions renewal needs."));
  if (!issued.ok() && issued.status().code() == ErrorCode::kInternal) {
    // Not the CA's answer: leave the claim to expire so the renewal is tried again.
    return issued.status();
  }
  const int64_t done_ms = ToUnixMillis(clock_.Now());
  if (issued.ok()) {
    cert.pca_certificate_arn = issued->pca_certificate_arn;
    cert.certificate_der = std::move(issued->certificate_der);
    cert.chain_pem = std::move(issued->chain_pem);
    cert.sealed_key = std::move(issued->sealed_key);
    cert.not_before_s = issued->not_before_s;
    cert.not_after_s = issued->not_after_s;
    cert.serial_hex = issued->serial_hex;
    cert.issued_at_ms = done_ms;
    cert.renewal_status = "SUCCESS";
    cert.renewal_reason.clear();
    // Eligible again once exported again (ACM: "exported since being issued or last renewed").
    cert.exported = false;
    cert.next_renewal_s.reset();
  } else {
    cert.renewal_status = "FAILED";
    cert.renewal_reason = PcaFailureReason(issued.status());
    cert.next_renewal_s = NextRetry(*cert.not_after_s, now_s);
  }
  cert.renewal_updated_at_ms = done_ms;
  RETURN_IF_ERROR(store_.UpdateCertificate(cert));
  ++cert.version;
  int64_t days = DaysToExpiry(cert, done_ms / 1000).value_or(0);
  if (issued.ok()) {
    Publish(cert, "ACM Certificate Available",
            json{{"Action", "RENEWAL"},
                 {"CertificateType", "PRIVATE"},
                 {"CommonName", cert.domain_name},
                 {"DomainValidationMethod", ""},
                 {"CertificateCreatedDate", IsoTime(cert.created_at_ms)},
                 {"CertificateExpirationDate", IsoTime(*cert.not_after_s * 1000)},
                 {"DaysToExpiry", days},
                 {"InUse", !cert.in_use_by.empty()},
                 {"Exported", false}});
  } else {
    Publish(cert, "ACM Certificate Renewal Action Required",
            json{{"CertificateType", "PRIVATE"},
                 {"CommonName", cert.domain_name},
                 {"DomainValidationMethod", ""},
                 {"RenewalStatusReason", cert.renewal_reason},
                 {"DaysToExpiry", days},
                 {"CertificateExpirationDate", IsoTime(*cert.not_after_s * 1000)},
                 {"InUse", !cert.in_use_by.empty()},
                 {"Exported", cert.exported}});
  }
  return Status::Ok();
}

Status CertificateManager::Renew(const Requester& who, const std::string& arn) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  const int64_t now_s = ToUnixSeconds(clock_.Now());
  if (cert.renewal_status == "PENDING_AUTO_RENEWAL" && cert.next_renewal_s.has_value() &&
      *cert.next_renewal_s > now_s) {
    return Status(ErrorCode::kRequestInProgress, "Certificate " + arn + " is being renewed.");
  }
  if (!RenewalEligible(cert, now_s)) {
    return Status(ErrorCode::kValidation,
                  "Certificate " + arn + " is not eligible for renewal: only private "
                  "certificates requested through ACM and exported since they were issued or "
                  "last renewed can be renewed.");
  }
  Result<AcmCertificateRecord> claimed = Claim(std::move(cert), now_s);
  if (!claimed.ok()) {
    if (claimed.status().code() == ErrorCode::kConcurrentModification) {
      return Status(ErrorCode::kRequestInProgress, "Certificate " + arn + " is being renewed.");
    }
    return claimed.status();
  }
  return RenewClaimed(std::move(*claimed));
}

Result<int> CertificateManager::RenewDue(int limit) {
  const int64_t now_s = ToUnixSeconds(clock_.Now());
  ASSIGN_OR_RETURN(std::vector<std::string> due, store_.DueForRenewal(now_s, limit));
  int attempted = 0;
  for (const std::string& arn : due) {
    Result<AcmCertificateRecord> cert = store_.GetCertificate(arn);
    if (!cert.ok()) continue;  // deleted meanwhile
    if (!cert->next_renewal_s.has_value() || *cert->next_renewal_s > now_s) continue;
    if (!RenewalEligible(*cert, now_s)) {
      // Expired, revoked or no longer exported: nothing to renew any more.
      cert->next_renewal_s.reset();
      if (cert->renewal_status == "PENDING_AUTO_RENEWAL") cert->renewal_status = "FAILED";
      (void)store_.UpdateCertificate(*cert);
      continue;
    }
    Result<AcmCertificateRecord> claimed = Claim(std::move(*cert), now_s);
    if (!claimed.ok()) continue;  // another scheduler claimed it first
    ++attempted;
    (void)RenewClaimed(std::move(*claimed));
  }
  return attempted;
}

}  // namespace openpca::certmanager

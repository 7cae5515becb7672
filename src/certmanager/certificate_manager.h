// CertificateManager: AWS Certificate Manager's certificates over an AcmStore: private
// certificates requested from a CA of this endpoint (key pair generated and sealed by
// keys::ExportableKeys, issued through authority::Authority::IssueCertificate with
// EndEntityCertificate/V1 for 395 days), imported certificates, export under a passphrase, tags,
// the account's expiry-event configuration, and managed renewal (renewal.cc) and expiry events
// (expiry_monitor.h) for the scheduler.
//
// The request pipeline has authorized every call before it reaches this class; the one extra
// decision ACM makes on behalf of a CA (may the requester have the CA issue?) is the
// Requester::may_issue hook, and managed renewal needs the CA's permission for
// acm.amazonaws.com (acm-pca CreatePermission), read from the SharingStore.
//
// Thread-safe: state lives in the store; concurrent updates of one certificate are serialized by
// the store's version check (a managed renewal is claimed exactly once, even across servers).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "authority/authority.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "events/event.h"
#include "keys/exportable_keys.h"
#include "store/acm_store.h"
#include "store/sharing_store.h"

namespace openpca::certmanager {

inline constexpr char kAcmServicePrincipal[] = "acm.amazonaws.com";

struct ManagerOptions {
  std::string default_region = "us-east-1";
  int64_t validity_days = 395;          // ACM private certificates: 13 months
  int64_t renew_before_days = 60;       // managed renewal starts 60 days before expiry
  // After a failed managed renewal, the next attempts (days before expiry), as AWS retries.
  std::vector<int64_t> retry_days_before = {45, 30, 15, 3, 1};
  int64_t default_days_before_expiry = 45;  // ExpiryEvents.DaysBeforeExpiry when never set
  size_t max_domain_names = 10;             // ACM's default quota of names per certificate
  int64_t idempotency_window_ms = 60 * 60 * 1000;  // ACM: one hour
  int64_t claim_lease_s = 3600;  // a claimed renewal that never finished is retried after this
};

// Who asks. `may_issue` is the authorizer's answer to "may this caller have the CA issue
// (acm-pca:IssueCertificate on ca_arn)?"; unset: yes.
struct Requester {
  std::string account_id;
  std::string region;
  std::function<Status(const std::string& ca_arn)> may_issue;
};

struct RequestSpec {
  std::string domain_name;
  std::vector<std::string> sans;  // as given (DomainName is added first when absent)
  std::vector<std::pair<std::string, std::string>> domain_validation_options;  // name, domain
  std::string ca_arn;             // required: openpca issues private certificates only
  std::string key_algorithm = "RSA_2048";
  std::string export_option = "ENABLED";
  std::string ct_logging = "ENABLED";
  std::optional<std::string> idempotency_token;
  std::vector<store::Tag> tags;
};

struct ImportSpec {
  std::optional<std::string> certificate_arn;  // re-import over this ARN
  Bytes certificate_pem;
  Bytes private_key_pem;
  std::optional<Bytes> chain_pem;
  std::vector<store::Tag> tags;
};

struct CertificateAndChain {
  std::string certificate_pem;
  std::string chain_pem;
};

struct ExportedCertificate {
  std::string certificate_pem;
  std::string chain_pem;
  std::string private_key_pem;  // encrypted PKCS#8 under the caller's passphrase
};

// A certificate's status as callers see it: EXPIRED once NotAfter passed (an ISSUED one).
std::string EffectiveStatus(const store::AcmCertificateRecord& cert, int64_t now_s);
// ELIGIBLE for a PRIVATE certificate requested through ACM, issued and not expired, that was
// exported since it was issued or last renewed or is in use; INELIGIBLE otherwise.
bool RenewalEligible(const store::AcmCertificateRecord& cert, int64_t now_s);
// Whole days until NotAfter (floor), or nullopt when there is no certificate or it has expired.
std::optional<int64_t> DaysToExpiry(const store::AcmCertificateRecord& cert, int64_t now_s);
// The FailureReason ACM reports for an error of the private CA.
std::string PcaFailureReason(const Status& status);

class CertificateManager {
 public:
  // `sink` receives ACM's EventBridge events (source aws.acm); it must outlive the manager.
  CertificateManager(store::AcmStore& store, store::SharingStore& sharing,
                     authority::Authority& authority, keys::ExportableKeys& keys,
                     const Clock& clock, Random& random, events::EventSink& sink,
                     ManagerOptions options);

  // RequestCertificate. Returns the certificate ARN; the certificate is ISSUED, or FAILED with
  // a FailureReason when the CA refused (PCA_*). Errors (nothing stored): kInvalidParameter
  // (no CA, key algorithm), kInvalidArn, kInvalidParameterCombination, kLimitExceeded (names),
  // kTooManyTags, kInvalidTag, kValidation (domain names); kInternal.
  Result<std::string> Request(const Requester& who, const RequestSpec& spec);

  // The caller's certificate. Errors: kInvalidArn (not an ACM certificate ARN),
  // kResourceNotFound (absent, or of another account or region).
  Result<store::AcmCertificateRecord> Load(const Requester& who, const std::string& arn);
  // Errors: those of Load; kRequestInProgress until issued.
  Result<CertificateAndChain> GetCertificate(const Requester& who, const std::string& arn);
  // Errors: those of Load; kRequestInProgress until issued; kValidation when the certificate is
  // not an exportable private certificate or is not ISSUED; kInternal.
  Result<ExportedCertificate> Export(const Requester& who, const std::string& arn,
                                     std::span<const uint8_t> passphrase);
  // Every certificate of the caller's account and region, oldest first.
  Result<std::vector<store::AcmCertificateRecord>> List(const Requester& who);
  // RenewCertificate: renews now. Errors: those of Load; kRequestInProgress while a renewal
  // runs; kValidation when the certificate is not eligible for renewal. A renewal the CA refuses
  // is not an error: RenewalSummary shows it FAILED.
  Status Renew(const Requester& who, const std::string& arn);
  // ImportCertificate. Errors: kInvalidParameter (bad PEM, key mismatch, not yet valid or
  // expired, no issuer), kInvalidArn, kResourceNotFound (re-import target), kInvalidParameter
  // (re-import over a non-imported certificate, tags on re-import), kTooManyTags, kInvalidTag.
  Result<std::string> Import(const Requester& who, const ImportSpec& spec);
  // Errors: those of Load; kDeleteConflict while InUseBy is not empty.
  Status Delete(const Requester& who, const std::string& arn);
  // RevokeCertificate (exported private certificates). Errors: those of Load; kValidation when
  // never exported or not ISSUED; kInvalidArgs (reason); errors of the CA's revocation.
  Result<std::string> Revoke(const Requester& who, const std::string& arn,
                             const std::string& reason);

  // Errors: those of Load; kTooManyTags (over 50), kInvalidTag (aws: keys).
  Status AddTags(const Requester& who, const std::string& arn, const std::vector<store::Tag>& tags);
  Status RemoveTags(const Requester& who, const std::string& arn,
                    const std::vector<store::Tag>& tags);

  // ExpiryEvents.DaysBeforeExpiry of the account (default 45).
  Result<int64_t> DaysBeforeExpiry(const std::string& account_id);
  // Errors: kAlreadyExists (ConflictException) when the token was used within the hour with
  // another value; kValidation for days < 1.
  Status PutDaysBeforeExpiry(const std::string& account_id, int64_t days,
                             const std::string& idempotency_token);

  // --- Managed renewal (renewal.cc), for the scheduler. ---
  // Attempts the renewal of every certificate due (at most `limit`), each claimed in the store
  // first. Returns how many were attempted.
  Result<int> RenewDue(int limit);

  const Clock& clock() const { return clock_; }
  store::AcmStore& store() { return store_; }
  events::EventSink& sink() { return sink_; }
  const ManagerOptions& options() const { return options_; }

 private:
  struct Issued {
    std::string pca_certificate_arn;
    Bytes certificate_der;
    std::string chain_pem;
    Bytes sealed_key;
    int64_t not_before_s = 0;
    int64_t not_after_s = 0;
    std::string serial_hex;
  };

  // Generates a key for `cert` and has its CA issue. A CA refusal is returned as a Status whose
  // PcaFailureReason() names it.
  Result<Issued> IssueFor(const store::AcmCertificateRecord& cert,
                          const std::function<Status(const std::string&)>* may_issue);
  // Whether the CA granted acm.amazonaws.com what managed renewal needs (IssueCertificate,
  // GetCertificate, ListPermissions) for the certificate's account.
  Result<bool> AcmMayRenewWith(const store::AcmCertificateRecord& cert);
  // One managed renewal of a claimed certificate (renewal.cc).
  Status RenewClaimed(store::AcmCertificateRecord cert);
  // Claims `cert` (version check) for renewal. Errors: kConcurrentModification.
  Result<store::AcmCertificateRecord> Claim(store::AcmCertificateRecord cert, int64_t now_s);
  std::optional<int64_t> NextRetry(int64_t not_after_s, int64_t now_s) const;
  void Publish(const store::AcmCertificateRecord& cert, std::string detail_type,
               nlohmann::json detail);
  // Writes `mutate(cert)` with the version check, re-reading and retrying a few times.
  Status UpdateWithRetry(const std::string& arn,
                         const std::function<Status(store::AcmCertificateRecord&)>& mutate);
  std::string RegionOf(const Requester& who) const {
    return who.region.empty() ? options_.default_region : who.region;
  }

  store::AcmStore& store_;
  store::SharingStore& sharing_;
  authority::Authority& authority_;
  keys::ExportableKeys& keys_;
  const Clock& clock_;
  Random& random_;
  events::EventSink& sink_;
  ManagerOptions options_;
};

}  // namespace openpca::certmanager

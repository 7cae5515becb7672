// Authority: the CA lifecycle and certificate issuance of AWS Private CA, over a Store and a
// KeyStore. Only this module decides what is signed; keys/ performs the signatures.
//
// Thread-safe: every method may be called concurrently. State lives in the Store; the in-memory
// state is a cache of issuer contexts (CA certificate parsed once, Signer), keyed by CA id and
// invalidated by the CA record's version, and the open CRL partition of each PARTITIONED CA
// (crl_partitions.h).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "authority/certificate_builder.h"
#include "audit/service_event.h"
#include "authority/crl_partitions.h"
#include "authority/requests.h"
#include "common/clock.h"
#include "common/crl_location.h"
#include "common/random.h"
#include "common/status.h"
#include "keys/key_store.h"
#include "store/facts_generation_store.h"
#include "store/generation_cache.h"
#include "store/store.h"

namespace openpca::authority {

struct AuthorityOptions {
  std::string region = "us-east-1";
  int max_cas_per_account = 200;
  std::string public_url;  // base URL relying parties use (CRL/OCSP/caIssuers), no trailing '/'
  // Certificates per CRL partition of a PARTITIONED CA, 1..kMaxCrlPartitionCapacity (16,000, the
  // most that keeps a partition CRL within 1 MB; common/crl_location.h). Smaller values are for
  // tests that need several partitions.
  int64_t crl_partition_capacity = kDefaultCrlPartitionCapacity;
  // How IssueCertificate encodes certificates (certificate_builder.h). kOpenSsl is the reference
  // path, for comparisons only; both give the same bytes.
  CertificateBuilder certificate_builder = CertificateBuilder::kDirect;
};

// Something the authority did that AWS Private CA announces on EventBridge (source "aws.acm-pca"):
// the server turns these into events through an events::EventSink (src/server/events_wiring.cc);
// the authority knows nothing of events. openpca answers synchronously, so only successes occur:
// a failed issuance or creation is the API call's error.
struct AuthorityEvent {
  enum class Kind { kCaCreated, kCertificateIssued, kCertificateRevoked };
  Kind kind = Kind::kCaCreated;
  std::string account_id;  // the CA's account
  std::string region;      // the CA's region
  std::string ca_arn;
  std::string certificate_arn;  // issued or revoked certificate; "" for kCaCreated
};

// What changed about a CA, for the change listener.
struct CaChange {
  std::string ca_id;
  // Set when the change is the revocation of one certificate: the CRL it is listed on
  // (CertificateRecord::crl_partition, "" = the complete CRL). Unset: anything relying parties
  // see may have changed (CA certificate, status, revocation configuration).
  std::optional<std::string> revoked_in_partition;
  // Set with revoked_in_partition: the revoked certificate's serial, hex as the store spells it.
  std::string revoked_serial_hex;
};

// What the authority needs from CRL publishing; set before serving (src/server/server.cc).
struct CrlHooks {
  // Writes kPermissionTestKey into `bucket` (public-read when `public_read`), as AWS does to test
  // that it can write a CRL bucket, on behalf of the CA of `ca_account` (`ca_arn`, "" while the
  // CA is being created): the bucket's policy, if any, must let acm-pca.amazonaws.com write for
  // them. Any error makes Create/UpdateCertificateAuthority fail with ValidationException and
  // change nothing. Unset: no probe.
  std::function<Status(const std::string& bucket, bool public_read, const std::string& ca_account,
                       const std::string& ca_arn)>
      probe_bucket;
  // A CRL partition was just opened (its row is durable) and a certificate naming it is about to
  // be returned: publish its (empty) CRL now, so that the certificate's CDP URL resolves. Failures
  // are the hook's to log and retry.
  std::function<void(const store::CrlPartitionRecord& partition)> partition_opened;
};

class IssuerContext;

class Authority {
 public:
  Authority(store::Store& store, keys::KeyStore& keys, const Clock& clock, Random& random,
            AuthorityOptions options);
  ~Authority();

  // --- CA lifecycle (ca_lifecycle.cc). Errors as the AWS model lists for each operation. ---
  Result<std::string> CreateCertificateAuthority(const Caller& caller, const CreateCaRequest& req);
  Result<store::CaRecord> DescribeCertificateAuthority(const Caller& caller,
                                                       const std::string& ca_arn);
  Result<CaPage> ListCertificateAuthorities(const Caller& caller, int max_results,
                                            const std::string& next_token,
                                            const std::string& resource_owner);
  Status UpdateCertificateAuthority(const Caller& caller, const UpdateCaRequest& req);
  Status DeleteCertificateAuthority(const Caller& caller, const std::string& ca_arn,
                                    std::optional<int> permanent_deletion_days);
  Status RestoreCertificateAuthority(const Caller& caller, const std::string& ca_arn);
  Result<std::string> GetCertificateAuthorityCsr(const Caller& caller, const std::string& ca_arn);

  // --- CA certificate (ca_certificate.cc). ---
  Status ImportCertificateAuthorityCertificate(const Caller& caller, const ImportRequest& req);
  Result<CertificateAndChain> GetCertificateAuthorityCertificate(const Caller& caller,
                                                                 const std::string& ca_arn);

  // --- Issued certificates (issuance.cc). ---
  Result<std::string> IssueCertificate(const Caller& caller, const IssueRequest& req);
  Result<CertificateAndChain> GetCertificate(const Caller& caller, const std::string& ca_arn,
                                             const std::string& certificate_arn);

  // --- Revocation (revocation.cc). The serial is hex, with or without colons. ---
  Status RevokeCertificate(const Caller& caller, const std::string& ca_arn,
                           const std::string& serial, const std::string& reason);
  // Called after every durable change that relying parties see: a revocation, a new CA
  // certificate, a status or revocation-configuration update (CRL and OCSP refresh).
  // Set before serving.
  void SetChangeListener(std::function<void(const CaChange& change)> listener) {
    change_listener_ = std::move(listener);
  }
  // The same, for a listener that needs only the CA id.
  void SetChangeListener(std::function<void(const std::string& ca_id)> listener) {
    change_listener_ = [listener = std::move(listener)](const CaChange& c) { listener(c.ca_id); };
  }
  // Set before serving.
  void SetCrlHooks(CrlHooks hooks) { crl_hooks_ = std::move(hooks); }
  // Called after each durable creation, issuance and revocation (AuthorityEvent), on the calling
  // thread; it must not block. Set before serving.
  void SetEventListener(std::function<void(const AuthorityEvent& event)> listener) {
    event_listener_ = std::move(listener);
  }
  // Receives the service events of what the authority does on its own (a CA purged after its
  // restore window). Not owned; null: none. Before serving.
  void SetServiceEvents(audit::ServiceEventSink* sink) { service_events_ = sink; }
  // Issuance and GetCertificate read a CA from rows kept in memory against `generation`
  // (store/generation_cache.h) while the kept row shows it ACTIVE; every other read and every
  // write reads the store. Before serving; `generation` must outlive this.
  void SetFactsGeneration(store::FactsGenerationStore* generation) {
    kept_rows_.SetGeneration(generation);
  }

  // --- Tags (tags.cc). ---
  Status TagCertificateAuthority(const Caller& caller, const std::string& ca_arn,
                                 const std::vector<store::Tag>& tags);
  Status UntagCertificateAuthority(const Caller& caller, const std::string& ca_arn,
                                   const std::vector<store::Tag>& tags);
  Result<TagPage> ListTags(const Caller& caller, const std::string& ca_arn, int max_results,
                           const std::string& next_token);

  const AuthorityOptions& options() const { return options_; }
  // The base URL of CRL/OCSP/caIssuers links; settable once the listener's port is known.
  void SetPublicUrl(std::string url);
  std::string PublicUrl() const;

 private:
  // Loads the caller's CA by ARN: kInvalidArn for a malformed ARN, kResourceNotFound when absent
  // (or purged because its restoration window passed). The status is resolved (EXPIRED).
  // kKept reads through the kept rows, for reads that change nothing.
  enum class CaRead { kCurrent, kKept };
  Result<store::CaRecord> LoadCa(const Caller& caller, const std::string& ca_arn,
                                 CaRead read = CaRead::kCurrent);
  // Store::GetCa through the kept rows.
  Result<store::CaRecord> KeptCa(const std::string& ca_id);
  const std::string& RegionOf(const Caller& caller) const {
    return caller.region.empty() ? options_.region : caller.region;
  }
  std::string ResolvedStatus(const store::CaRecord& ca) const;
  Result<std::shared_ptr<const IssuerContext>> Issuer(const store::CaRecord& ca);
  void ForgetIssuer(const std::string& ca_id);
  // Writes the permission test key into the bucket of an enabled CRL configuration, when it
  // names one. Errors: kValidation (AWS's "Permission error with your S3 bucket").
  Status ProbeCrlBucket(const nlohmann::json& revocation_configuration,
                        const std::string& ca_account, const std::string& ca_arn);
  void NotifyChange(CaChange change) {
    if (change_listener_) change_listener_(change);
  }
  void NotifyEvent(AuthorityEvent::Kind kind, const store::CaRecord& ca,
                   std::string certificate_arn);

  store::Store& store_;
  // CA rows by CA id; without a generation every read is from the store.
  store::GenerationCache<store::CaRecord> kept_rows_;
  keys::KeyStore& keys_;
  const Clock& clock_;
  Random& random_;
  AuthorityOptions options_;

  std::function<void(const CaChange& change)> change_listener_;
  std::function<void(const AuthorityEvent& event)> event_listener_;
  CrlHooks crl_hooks_;
  audit::ServiceEventSink* service_events_ = nullptr;
  CrlPartitions crl_partitions_;
  mutable std::mutex public_url_mu_;
  std::string public_url_;

  std::mutex issuers_mu_;
  std::unordered_map<std::string, std::shared_ptr<const IssuerContext>> issuers_;
};

}  // namespace openpca::authority

// Authority: the CA lifecycle and certificate issuance of AWS Private CA, over a Store and a
// KeyStore. Only this module decides what is signed; keys/ performs the signatures.
//
// Thread-safe: every method may be called concurrently. State lives in the Store; the only
// in-memory state is a cache of issuer contexts (CA certificate parsed once, Signer), keyed by
// CA id and invalidated by the CA record's version.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "authority/requests.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "keys/key_store.h"
#include "store/store.h"

namespace openpca::authority {

struct AuthorityOptions {
  std::string region = "us-east-1";
  int max_cas_per_account = 200;
  std::string public_url;  // base URL relying parties use (CRL/OCSP/caIssuers), no trailing '/'
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
  void SetChangeListener(std::function<void(const std::string& ca_id)> listener) {
    change_listener_ = std::move(listener);
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
  Result<store::CaRecord> LoadCa(const Caller& caller, const std::string& ca_arn);
  std::string ResolvedStatus(const store::CaRecord& ca) const;
  Result<std::shared_ptr<const IssuerContext>> Issuer(const store::CaRecord& ca);
  void ForgetIssuer(const std::string& ca_id);

  store::Store& store_;
  keys::KeyStore& keys_;
  const Clock& clock_;
  Random& random_;
  AuthorityOptions options_;

  std::function<void(const std::string& ca_id)> change_listener_;
  mutable std::mutex public_url_mu_;
  std::string public_url_;

  std::mutex issuers_mu_;
  std::unordered_map<std::string, std::shared_ptr<const IssuerContext>> issuers_;
};

}  // namespace openpca::authority

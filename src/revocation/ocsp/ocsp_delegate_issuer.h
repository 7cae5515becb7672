// Delegated OCSP signing certificates (RFC 6960 4.2.2.2) that openpca issues to itself, one per
// CA that answers OCSP, and replaces before they get close to expiry.
//
// BuildOcspDelegateCertificate: the certificate alone (a pure function of its inputs): issued and
// signed by the CA key through its Signer, with basicConstraints CA:FALSE, keyUsage
// digitalSignature (critical), extendedKeyUsage id-kp-OCSPSigning, id-pkix-ocsp-nocheck (RFC 6960
// 4.2.2.2.1), SKI and AKI.
//
// OcspDelegateIssuer: keeps the current delegate of each CA. Current() issues a delegate when the
// CA has none, when the CA certificate, the CA key or the signing algorithm changed, when the
// delegate was revoked, and when it is due for rotation; Due() names the CAs whose delegate is due
// so that a periodic caller can refresh them. The delegate's key pair is generated in memory
// (keys::NewEphemeralSigner) and never written anywhere: a restart issues new delegates. Every
// delegate certificate is recorded in the store as a certificate issued by the CA, with template
// ARN kOcspDelegateTemplateArn, before it is used.
//
// Ownership: OcspDelegateIssuer borrows the Store, Clock and Random (they must outlive it) and
// owns the delegate Signers it hands out (shared).
// Thread-safety: OcspDelegateIssuer is thread-safe. Calls for different CAs run in parallel
// (key generation included); calls for one CA are serialised.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/pki_types.h"
#include "common/random.h"
#include "common/status.h"
#include "keys/signer.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "store/records.h"
#include "store/store.h"
#include "x509/ossl.h"

namespace openpca::revocation {

// The templateArn of delegate certificates in the CA's records and audit reports. Not an AWS
// template: no IssueCertificate call can use it (docs/decisions.md).
// In another partition the ARN carries the CA's partition (common/arn.h MakeTemplateArn).
inline constexpr char kOcspDelegateTemplateArn[] =
    "arn:aws:acm-pca:::template/OpenpcaOcspDelegate/V1";
inline constexpr char kOcspDelegateTemplateName[] = "OpenpcaOcspDelegate/V1";

// Appended to the CA's common name to name its delegate (docs/decisions.md).
inline constexpr char kOcspDelegateCnSuffix[] = " OCSP Responder";

struct OcspDelegateOptions {
  // notAfter = issuance time + lifetime, never past the CA certificate's notAfter.
  std::chrono::seconds lifetime = std::chrono::hours(24 * 7);
  // notBefore = issuance time - backdate (not before the CA certificate's notBefore), for relying
  // parties whose clock is behind. The same default backdating as issued certificates.
  std::chrono::seconds backdate = std::chrono::minutes(60);
  // The validity of the responses the delegate signs (OcspIssuerConfig::response_validity). A
  // delegate is replaced once half of `lifetime` has passed, and in any case before less than
  // response_validity + rotation_margin of it remains, so that a fresh response never has its
  // nextUpdate cut short by the delegate's notAfter. rotation_margin covers the time between two
  // checks (Due()).
  std::chrono::seconds response_validity = std::chrono::hours(24);
  std::chrono::seconds rotation_margin = std::chrono::hours(1);
};

// What one delegate certificate is made of.
struct OcspDelegateContent {
  Bytes serial;  // big-endian, positive
  TimePoint not_before;
  TimePoint not_after;
};

// The delegate's subject: the CA's subject with its (last) common name replaced by
// "<CA common name> OCSP Responder" (the CA's name cut to fit the 64-character upper bound), or,
// when the CA's subject has no common name, the CA's subject followed by CN=OCSP Responder.
// Errors: kInternal.
Result<x509::X509NamePtr> OcspDelegateSubject(const X509_NAME& ca_subject);

// Builds and signs (with `ca_signer` and `alg`, the CA's configured signing algorithm) the
// delegate certificate for `delegate_key` (DER SubjectPublicKeyInfo). Returns its DER.
// Errors: kInvalidArgs (a key or content OpenSSL rejects, `alg` does not fit the CA key);
// kInternal.
Result<Bytes> BuildOcspDelegateCertificate(const X509& ca_certificate, const keys::Signer& ca_signer,
                                           SigningAlgorithm alg,
                                           std::span<const uint8_t> delegate_key,
                                           const OcspDelegateContent& content);

// One issued delegate and what it was issued for.
struct IssuedOcspDelegate {
  OcspDelegate delegate;   // certificate DER, in-memory Signer, the CA's signing algorithm
  std::string serial_hex;  // as stored (CertificateRecord::serial_hex)
  TimePoint issued_at;
  TimePoint not_before;
  TimePoint not_after;
  // The CA as it was when the delegate was issued: a change of any of these replaces it.
  Bytes ca_certificate_der;
  std::string ca_key_id;
  SigningAlgorithm ca_signing_algorithm = SigningAlgorithm::kSha256WithRsa;
  TimePoint ca_not_after;
};

class OcspDelegateIssuer {
 public:
  OcspDelegateIssuer(store::Store& store, const Clock& clock, Random& random,
                     OcspDelegateOptions options = {});

  OcspDelegateIssuer(const OcspDelegateIssuer&) = delete;
  OcspDelegateIssuer& operator=(const OcspDelegateIssuer&) = delete;

  // The delegate that is to sign `ca`'s responses now, issuing a new one first when needed (see
  // the top of this file). `ca_signer` holds the CA's key (ca.key_id); `alg` is the CA's
  // configured signing algorithm. When a due rotation fails while the current delegate is still
  // valid for this CA, the current one is returned (and Due() keeps naming the CA).
  // Errors: kInvalidState (the CA has no certificate, or it has expired); kMalformedCertificate
  // (a CA certificate that cannot be parsed); kInvalidArgs (`alg` does not fit the CA key); those of
  // Store::InsertCertificate; kInternal.
  Result<OcspDelegate> Current(const store::CaRecord& ca,
                               std::shared_ptr<const keys::Signer> ca_signer, SigningAlgorithm alg);

  // Drops the delegate of `ca_id` (the CA no longer answers OCSP, or is gone); its key is freed
  // once the last response signer holding it is gone. Unknown ids are ignored.
  void Forget(std::string_view ca_id);

  // The CAs whose delegate is due for rotation at the clock's now, or whose last issuance
  // failed: call Current() for them (through whatever rebuilds the CA's OCSP issuer).
  std::vector<std::string> Due() const;

  // The current delegate of `ca_id`, without issuing; nullopt when there is none.
  std::optional<IssuedOcspDelegate> Get(std::string_view ca_id) const;

  const OcspDelegateOptions& options() const { return options_; }

 private:
  struct Entry {
    std::mutex mu;  // serialises issuance for one CA
    std::optional<IssuedOcspDelegate> state;  // guarded by mu
    bool failed = false;                      // guarded by mu: the last issuance failed
  };

  // True when `d` should be replaced at `now` because of its age or remaining lifetime, and a
  // delegate issued now would live longer than it.
  bool RotationDue(const IssuedOcspDelegate& d, TimePoint now) const;
  Result<IssuedOcspDelegate> Issue(const store::CaRecord& ca, const X509& ca_certificate,
                                   std::shared_ptr<const keys::Signer> ca_signer,
                                   SigningAlgorithm alg, TimePoint now);
  std::shared_ptr<Entry> EntryFor(std::string_view ca_id);

  store::Store& store_;
  const Clock& clock_;
  Random& random_;  // guarded by random_mu_ (a Random need not be thread-safe)
  std::mutex random_mu_;
  const OcspDelegateOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> entries_;  // guarded by mu_
};

}  // namespace openpca::revocation

// OcspIssuer: everything the OCSP responder needs to answer for one CA, prepared once: the CA
// certificate, its CertID hashes (issuerNameHash and issuerKeyHash for SHA-1, SHA-256, SHA-384
// and SHA-512), the key that signs responses (the CA's own Signer, or a delegated OCSP signing
// certificate and its Signer), the encoded pieces every response repeats (responderID byKey,
// signatureAlgorithm, certs), and the answering policy (OCSP enabled, CA status, validity).
//
// OcspIssuerDirectory: how the responder finds the issuer named by a CertID.
// StaticOcspIssuerDirectory: an in-memory directory the server fills from the store and keeps
// current (Add on every CA change, Remove when a CA goes away).
//
// Ownership: an OcspIssuer is immutable after Create() and shared as
// std::shared_ptr<const OcspIssuer>; it shares its Signers. The only mutable state is the
// "retired" flag (see Retire()).
// Thread-safety: OcspIssuer is safe to use from any number of threads. StaticOcspIssuerDirectory
// is thread-safe (a reader-writer lock; Find takes it shared).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "revocation/crl/crl_builder.h"
#include "store/records.h"
#include "x509/ossl.h"

namespace openpca::revocation {

// Hash algorithms accepted in a CertID (RFC 6960 4.1.1, RFC 5019 2.1.1: SHA-1 must be accepted).
enum class OcspHashAlgorithm { kSha1 = 0, kSha256 = 1, kSha384 = 2, kSha512 = 3 };
inline constexpr size_t kNumOcspHashAlgorithms = 4;

// The algorithm for an OpenSSL NID (NID_sha1, ...); nullopt for any other hash.
std::optional<OcspHashAlgorithm> OcspHashAlgorithmFromNid(int nid);

// A delegated OCSP signing certificate (RFC 6960 4.2.2.2): issued directly by the CA, carrying
// extendedKeyUsage id-kp-OCSPSigning. Its certificate goes into every response's `certs`.
struct OcspDelegate {
  Bytes certificate_der;
  std::shared_ptr<const keys::Signer> signer;  // holds the delegate certificate's key
  SigningAlgorithm signing_algorithm = SigningAlgorithm::kSha256WithRsa;
};

struct OcspIssuerConfig {
  std::string ca_id;
  Bytes certificate_der;                       // the CA certificate
  std::shared_ptr<const keys::Signer> signer;  // the CA key; signs responses unless `delegate`
  // The CA's configured signing algorithm; responses are signed with it (spec/revocation.md 5).
  SigningAlgorithm signing_algorithm = SigningAlgorithm::kSha256WithRsa;
  // OcspConfiguration.Enabled. A disabled issuer, like a CA in a state other than ACTIVE or
  // DISABLED, is answered with unauthorized.
  bool ocsp_enabled = true;
  std::string ca_status = "ACTIVE";  // CertificateAuthorityStatus as the model spells it
  // nextUpdate = thisUpdate + response_validity (> 0). Cached responses are re-signed once less
  // than a quarter of this is left (OcspResponderOptions::refresh_fraction).
  std::chrono::seconds response_validity = std::chrono::hours(24);
  // thisUpdate = now - this_update_backdate, for relying parties whose clock is behind.
  std::chrono::seconds this_update_backdate = std::chrono::seconds(0);
  // Whether a certificate revoked for reason unspecified (0) gets a revocationReason: the CRL
  // builder's rule, so that OCSP and CRL agree (see crl_builder.h).
  UnspecifiedReason unspecified_reason = UnspecifiedReason::kInclude;
  std::optional<OcspDelegate> delegate;
};

class OcspIssuer {
 public:
  // Checks the configuration and precomputes the hashes and encodings.
  // Errors: kInvalidArgs (empty ca_id, unparsable certificate, null signer, a signer whose public
  // key is not the certificate's, a signing algorithm that does not fit the key, a validity that
  // is not positive, a delegate not issued and signed by the CA or without id-kp-OCSPSigning);
  // kInternal. Validity periods are not checked here (no clock): the responder answers
  // internalError once the responder certificate has expired.
  static Result<std::shared_ptr<const OcspIssuer>> Create(OcspIssuerConfig config);

  OcspIssuer(const OcspIssuer&) = delete;
  OcspIssuer& operator=(const OcspIssuer&) = delete;

  const std::string& ca_id() const { return config_.ca_id; }
  const X509& certificate() const { return *certificate_; }
  const OcspIssuerConfig& config() const { return config_; }

  // True when the CA answers OCSP: enabled, and ACTIVE or DISABLED (spec/revocation.md 5).
  bool answers() const { return answers_; }

  std::span<const uint8_t> name_hash(OcspHashAlgorithm alg) const {
    return hashes_[static_cast<size_t>(alg)].name_hash;
  }
  std::span<const uint8_t> key_hash(OcspHashAlgorithm alg) const {
    return hashes_[static_cast<size_t>(alg)].key_hash;
  }
  // True when both hashes equal this CA's for `alg`.
  bool Matches(OcspHashAlgorithm alg, std::span<const uint8_t> issuer_name_hash,
               std::span<const uint8_t> issuer_key_hash) const;

  // --- Response signing: the delegate when there is one, else the CA. ---
  const keys::Signer& response_signer() const { return *response_signer_; }
  SigningAlgorithm response_signing_algorithm() const { return response_algorithm_; }
  // ResponderID ::= byKey [2] EXPLICIT KeyHash (SHA-1 of the signer's subjectPublicKey), DER.
  std::span<const uint8_t> responder_id_der() const { return responder_id_der_; }
  // The signatureAlgorithm AlgorithmIdentifier, DER.
  std::span<const uint8_t> signature_algorithm_der() const { return signature_algorithm_der_; }
  // certs [0] EXPLICIT SEQUENCE OF Certificate with the delegate certificate; empty without one.
  std::span<const uint8_t> certs_der() const { return certs_der_; }
  // notAfter of the certificate whose key signs responses: nextUpdate never goes beyond it, and
  // from then on the responder answers internalError (a delegate must be rotated before).
  TimePoint responder_not_after() const { return responder_not_after_; }

  // Marks the issuer as replaced or removed: the responder stops serving cached responses it
  // signed for this issuer. StaticOcspIssuerDirectory calls it from Add (on the issuer replaced)
  // and Remove. WARNING: another directory implementation must do the same when it stops
  // returning an issuer, or cached responses keep being served until they are due for refresh.
  void Retire() const { retired_.store(true, std::memory_order_release); }
  bool retired() const { return retired_.load(std::memory_order_acquire); }

 private:
  struct CertIdHashes {
    Bytes name_hash;
    Bytes key_hash;
  };

  explicit OcspIssuer(OcspIssuerConfig config) : config_(std::move(config)) {}

  OcspIssuerConfig config_;
  x509::X509Ptr certificate_;
  bool answers_ = false;
  CertIdHashes hashes_[kNumOcspHashAlgorithms];
  std::shared_ptr<const keys::Signer> response_signer_;
  SigningAlgorithm response_algorithm_ = SigningAlgorithm::kSha256WithRsa;
  Bytes responder_id_der_;
  Bytes signature_algorithm_der_;
  Bytes certs_der_;
  TimePoint responder_not_after_{};
  mutable std::atomic<bool> retired_{false};
};

// An OcspIssuerConfig for a CA record: ca_id, certificate, signing algorithm (from
// configuration_json), OCSP enabled (revocation_json's OcspConfiguration.Enabled; false when
// absent) and status; the rest keeps its defaults for the caller to adjust.
// Errors: kInvalidState when the CA has no certificate yet (CREATING, PENDING_CERTIFICATE: leave
// such CAs out of the directory); kInvalidArgs when the stored JSON cannot be read.
Result<OcspIssuerConfig> OcspIssuerConfigFromCaRecord(const store::CaRecord& ca,
                                                      std::shared_ptr<const keys::Signer> signer);

// Finds the issuer a CertID names.
class OcspIssuerDirectory {
 public:
  virtual ~OcspIssuerDirectory() = default;

  // The issuer whose name hash and key hash under `alg` are the ones given. An issuer that does
  // not answer (answers() false) is still returned: the responder decides.
  // Errors: kResourceNotFound when no issuer matches; kInternal (the responder then answers
  // internalError).
  virtual Result<std::shared_ptr<const OcspIssuer>> Find(
      OcspHashAlgorithm alg, std::span<const uint8_t> issuer_name_hash,
      std::span<const uint8_t> issuer_key_hash) const = 0;
};

// In-memory directory. Lookups hash the issuerKeyHash; with two issuers of the same key and name
// (which openpca never creates: every CA has its own key) Find prefers one that answers, then the
// one added first.
class StaticOcspIssuerDirectory final : public OcspIssuerDirectory {
 public:
  // Adds `issuer` (non-null), replacing and retiring the issuer with the same ca_id, if any.
  void Add(std::shared_ptr<const OcspIssuer> issuer);
  // Removes and retires the issuer of `ca_id`; does nothing for an unknown id.
  void Remove(std::string_view ca_id);
  // The issuer of `ca_id`, or null.
  std::shared_ptr<const OcspIssuer> Get(std::string_view ca_id) const;
  size_t size() const;

  // Errors: kResourceNotFound.
  Result<std::shared_ptr<const OcspIssuer>> Find(
      OcspHashAlgorithm alg, std::span<const uint8_t> issuer_name_hash,
      std::span<const uint8_t> issuer_key_hash) const override;

 private:
  void IndexLocked(const std::shared_ptr<const OcspIssuer>& issuer);
  void UnindexLocked(const OcspIssuer& issuer);

  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const OcspIssuer>, std::less<>> by_id_;  // guarded by mu_
  // (algorithm octet + issuerKeyHash) -> issuers with that key, in the order added. Guarded by mu_.
  std::unordered_map<std::string, std::vector<std::shared_ptr<const OcspIssuer>>> by_key_hash_;
};

}  // namespace openpca::revocation

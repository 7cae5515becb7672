// IssuerContext: what issuing from one CA needs, prepared once per CA record version: the parsed
// CA certificate, its key identifier, path length and depth, the CA's Signer, and the DER pieces
// every certificate it issues repeats (issuer name, AKI extension, signature AlgorithmIdentifier
// followed by the issuer name, per signing algorithm).
// Immutable after construction; shared between threads through shared_ptr<const>.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/pki_types.h"
#include "keys/signer.h"
#include "store/records.h"
#include "x509/ossl.h"

namespace openpca::authority {

class IssuerContext {
 public:
  std::string ca_id;
  std::string ca_arn;
  int64_t version = 0;
  std::string type;  // ROOT | SUBORDINATE
  std::string usage_mode;
  x509::X509Ptr certificate;  // null until a CA certificate is imported
  Bytes subject_key_id;
  std::optional<int> path_len;
  int depth = 1;  // 1 for a root; 1 + the number of certificates in the chain otherwise
  TimePoint not_after;
  std::shared_ptr<const keys::Signer> signer;
  std::string issued_chain_pem;  // CA certificate + its chain: GetCertificate's CertificateChain
  nlohmann::json revocation;     // stored RevocationConfiguration (object, maybe empty)

  // Set by PrepareEncodings() when `certificate` is set; empty otherwise.
  Bytes issuer_name_der;     // the CA certificate's subject Name
  Bytes aki_extension_der;   // authorityKeyIdentifier extension of the certificates it issues
  std::array<Bytes, 7> signature_and_issuer;  // by SigningAlgorithm: AlgorithmIdentifier + name

  std::span<const uint8_t> SignatureAndIssuer(SigningAlgorithm alg) const {
    return signature_and_issuer[static_cast<size_t>(alg)];
  }
  // Fills the DER pieces above from `certificate` and `subject_key_id`. Errors: kInternal.
  Status PrepareEncodings();
};

}  // namespace openpca::authority

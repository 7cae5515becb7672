// KeyStore: creates, holds and uses CA private keys. Shaped for HSMs: the store generates keys
// internally and hands out Signers; it never returns private key bytes.
// Implementations are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"

namespace openpca::keys {

struct GeneratedKey {
  std::string key_id;     // opaque reference, stored with the CA (e.g. "soft:<uuid>")
  Bytes public_key_der;   // SubjectPublicKeyInfo
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Generates a new key pair inside the store and persists it durably before returning.
  // Errors: kInvalidArgs for an algorithm the store does not support; kInternal.
  virtual Result<GeneratedKey> Generate(KeyAlgorithm algorithm) = 0;

  // Returns a Signer for an existing key (cached; cheap to call repeatedly).
  // Errors: kResourceNotFound for an unknown key id; kInternal (e.g. integrity check failed).
  virtual Result<std::shared_ptr<const Signer>> Load(const std::string& key_id) = 0;

  // Destroys the key material. Errors: kResourceNotFound; kInternal.
  virtual Status Destroy(const std::string& key_id) = 0;

  // The AWS KeyStorageSecurityStandard ("FIPS_140_2_LEVEL_3_OR_HIGHER", ...) that keys made by
  // Generate() are held under, or "" when the store meets none of AWS's standards (the software
  // store; an HSM only when the operator configured the claim).
  virtual std::string GenerationSecurityStandard() const { return ""; }
  // The same for the existing key `key_id` ("" for none or an id of another store).
  virtual std::string SecurityStandardOf(const std::string& key_id) const { return ""; }
};

}  // namespace openpca::keys

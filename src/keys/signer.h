// Signer: signs bytes with one CA key that never leaves its key store.
//
// A Signer is shared (std::shared_ptr<const Signer>) and must be safe to call from many threads
// at once. Callers never see private key material: they get the public key and signatures only.
#pragma once

#include <span>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"

namespace openpca::keys {

// The SM2 distinguishing identifier X.509 uses by default (GM/T 0009-2012), with which every
// Signer signs SM3WITHSM2. OpenSSL 3.0 does not apply it on its own when verifying.
inline constexpr char kSm2DefaultId[] = "1234567812345678";

class Signer {
 public:
  virtual ~Signer() = default;

  virtual KeyAlgorithm algorithm() const = 0;
  // DER SubjectPublicKeyInfo of the key.
  virtual const Bytes& public_key_der() const = 0;

  // Signs `data` (the message, not a digest) as X.509 expects for `alg`: PKCS#1 v1.5 for RSA,
  // DER ECDSA-Sig-Value for ECDSA, SM2 with the default distinguishing identifier.
  // Errors: kInvalidArgs when `alg` does not fit the key family; kInternal on a key store failure.
  virtual Result<Bytes> Sign(SigningAlgorithm alg, std::span<const uint8_t> data) const = 0;
};

}  // namespace openpca::keys

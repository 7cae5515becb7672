// SoftwareSigner: a Signer over an in-memory private key (EVP_PKEY) held by SoftwareKeyStore.
//
// Ownership: owns its EVP_PKEY and one pre-initialised signing context ("prototype") per signing
// algorithm of the key's family. The private key never leaves the object.
// Thread-safety: immutable after Create(); Sign() may be called from any number of threads at
// once. Each call copies a prototype into its own EVP_MD_CTX (EVP_MD_CTX_copy_ex reads the
// prototype through a const pointer), so the digest, the signature method and the SM2 ID are
// fetched and set up once per key, not once per signature.
#pragma once

#include <array>
#include <memory>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "ossl/ossl.h"

namespace openpca::keys {

class SoftwareSigner final : public Signer {
 public:
  // Takes ownership of a private key. The key must be one of the KeyAlgorithm variants (RSA
  // 2048/3072/4096 bits, EC P-256/P-384/P-521, SM2).
  // Errors: kInvalidArgs for any other key; kInternal.
  static Result<std::unique_ptr<SoftwareSigner>> Create(ossl::EvpPkeyPtr private_key);

  KeyAlgorithm algorithm() const override { return algorithm_; }
  const Bytes& public_key_der() const override { return public_key_der_; }

  // Errors: kInvalidArgs when `alg` does not fit the key family; kInternal.
  Result<Bytes> Sign(SigningAlgorithm alg, std::span<const uint8_t> data) const override;

 private:
  static constexpr size_t kNumSigningAlgorithms = 7;

  SoftwareSigner(ossl::EvpPkeyPtr key, KeyAlgorithm algorithm, Bytes public_key_der);

  ossl::EvpPkeyPtr key_;
  KeyAlgorithm algorithm_;
  Bytes public_key_der_;
  size_t max_signature_size_ = 0;
  // Indexed by SigningAlgorithm; null for algorithms of another family.
  std::array<ossl::EvpMdCtxPtr, kNumSigningAlgorithms> prototypes_;
};

}  // namespace openpca::keys

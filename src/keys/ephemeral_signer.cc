#include "keys/ephemeral_signer.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "keys/software_signer.h"
#include "ossl/ossl.h"

namespace openpca::keys {
namespace {

using ossl::EvpPkeyPtr;
using ossl::OsslError;

Result<EvpPkeyPtr> GenerateRsaKey(size_t bits) {
  ossl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  unsigned int e = 65537;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &bits),
      OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &e),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_params(ctx.get(), params) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return OsslError("EVP_PKEY_keygen(RSA)");
  }
  return EvpPkeyPtr(key);
}

Result<EvpPkeyPtr> GenerateKey(KeyAlgorithm algorithm) {
  EVP_PKEY* key = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      return GenerateRsaKey(2048);
    case KeyAlgorithm::kRsa3072:
      return GenerateRsaKey(3072);
    case KeyAlgorithm::kRsa4096:
      return GenerateRsaKey(4096);
    case KeyAlgorithm::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyAlgorithm::kEcP384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyAlgorithm::kEcP521:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
      break;
    case KeyAlgorithm::kSm2:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
      break;
  }
  if (key == nullptr) return OsslError("EVP_PKEY_Q_keygen");
  return EvpPkeyPtr(key);
}

}  // namespace

Result<EvpPkeyPtr> GenerateKeyPair(KeyAlgorithm algorithm) { return GenerateKey(algorithm); }

Result<std::shared_ptr<const Signer>> NewEphemeralSigner(KeyAlgorithm algorithm) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(algorithm));
  ASSIGN_OR_RETURN(std::unique_ptr<SoftwareSigner> signer, SoftwareSigner::Create(std::move(key)));
  return std::shared_ptr<const Signer>(std::move(signer));
}

}  // namespace openpca::keys

#include "keys/software_signer.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <cstring>
#include <string>

namespace openpca::keys {
namespace {

using ossl::EvpMdCtxPtr;
using ossl::EvpPkeyPtr;
using ossl::OsslError;

constexpr SigningAlgorithm kAllSigningAlgorithms[] = {
    SigningAlgorithm::kSha256WithEcdsa, SigningAlgorithm::kSha384WithEcdsa,
    SigningAlgorithm::kSha512WithEcdsa, SigningAlgorithm::kSha256WithRsa,
    SigningAlgorithm::kSha384WithRsa,   SigningAlgorithm::kSha512WithRsa,
    SigningAlgorithm::kSm3WithSm2,
};

Result<KeyAlgorithm> KeyAlgorithmOf(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "RSA")) {
    switch (EVP_PKEY_get_bits(&key)) {
      case 2048:
        return KeyAlgorithm::kRsa2048;
      case 3072:
        return KeyAlgorithm::kRsa3072;
      case 4096:
        return KeyAlgorithm::kRsa4096;
      default:
        return Status(ErrorCode::kInvalidArgs, "unsupported RSA key size");
    }
  }
  if (EVP_PKEY_is_a(&key, "SM2")) return KeyAlgorithm::kSm2;
  if (EVP_PKEY_is_a(&key, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(&key, group, sizeof(group), &len) != 1) {
      ossl::ClearOsslErrors();
      return Status(ErrorCode::kInvalidArgs, "EC key without a named curve");
    }
    std::string name(group, len);
    if (name == "prime256v1" || name == "P-256") return KeyAlgorithm::kEcP256;
    if (name == "secp384r1" || name == "P-384") return KeyAlgorithm::kEcP384;
    if (name == "secp521r1" || name == "P-521") return KeyAlgorithm::kEcP521;
    // An "EC"-typed key on the SM2 curve would sign ECDSA-with-SM3, not SM2: refuse it.
    return Status(ErrorCode::kInvalidArgs, "unsupported EC curve " + name);
  }
  return Status(ErrorCode::kInvalidArgs, "unsupported key type");
}

Result<EvpMdCtxPtr> NewPrototype(EVP_PKEY* key, SigningAlgorithm alg) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OsslError("EVP_MD_CTX_new");
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestSignInit_ex(ctx.get(), &pctx, DigestName(alg), nullptr, nullptr, key, nullptr) !=
      1) {
    return OsslError("EVP_DigestSignInit_ex");
  }
  switch (FamilyOf(alg)) {
    case KeyFamily::kRsa:
      // PKCS#1 v1.5 is OpenSSL's default; set it so that the choice is explicit here.
      if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return OsslError("EVP_PKEY_CTX_set_rsa_padding");
      }
      break;
    case KeyFamily::kSm2:
      if (EVP_PKEY_CTX_set1_id(pctx, kSm2DefaultId, std::strlen(kSm2DefaultId)) != 1) {
        return OsslError("EVP_PKEY_CTX_set1_id");
      }
      break;
    case KeyFamily::kEc:
      break;
  }
  // Each copy is used for exactly one signature: let the final step consume the context instead
  // of duplicating it first.
  EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
  return ctx;
}

}  // namespace

SoftwareSigner::SoftwareSigner(EvpPkeyPtr key, KeyAlgorithm algorithm, Bytes public_key_der)
    : key_(std::move(key)), algorithm_(algorithm), public_key_der_(std::move(public_key_der)) {}

Result<std::unique_ptr<SoftwareSigner>> SoftwareSigner::Create(EvpPkeyPtr private_key) {
  if (private_key == nullptr) return Status(ErrorCode::kInvalidArgs, "no key");
  ASSIGN_OR_RETURN(KeyAlgorithm algorithm, KeyAlgorithmOf(*private_key));

  unsigned char* spki = nullptr;
  int spki_len = i2d_PUBKEY(private_key.get(), &spki);
  if (spki_len <= 0) return OsslError("i2d_PUBKEY");
  Bytes public_key_der(spki, spki + spki_len);
  OPENSSL_free(spki);

  int max_size = EVP_PKEY_get_size(private_key.get());
  if (max_size <= 0) return OsslError("EVP_PKEY_get_size");

  std::unique_ptr<SoftwareSigner> signer(
      new SoftwareSigner(std::move(private_key), algorithm, std::move(public_key_der)));
  signer->max_signature_size_ = static_cast<size_t>(max_size);
  for (SigningAlgorithm alg : kAllSigningAlgorithms) {
    if (FamilyOf(alg) != FamilyOf(algorithm)) continue;
    ASSIGN_OR_RETURN(signer->prototypes_[static_cast<size_t>(alg)],
                     NewPrototype(signer->key_.get(), alg));
  }
  return signer;
}

Result<Bytes> SoftwareSigner::Sign(SigningAlgorithm alg, std::span<const uint8_t> data) const {
  size_t index = static_cast<size_t>(alg);
  if (index >= prototypes_.size() || prototypes_[index] == nullptr) {
    return Status(ErrorCode::kInvalidArgs, std::string(SigningAlgorithmName(alg)) +
                                               " does not fit a " +
                                               std::string(KeyAlgorithmName(algorithm_)) + " key");
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_MD_CTX_copy_ex(ctx.get(), prototypes_[index].get()) != 1) {
    return OsslError("EVP_MD_CTX_copy_ex");
  }
  Bytes signature(max_signature_size_);
  size_t len = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &len, data.data(), data.size()) != 1) {
    return OsslError("EVP_DigestSign");
  }
  signature.resize(len);
  return signature;
}

}  // namespace openpca::keys

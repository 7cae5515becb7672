#include "keys/exportable_keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "keys/ephemeral_signer.h"
#include "keys/key_material.h"
#include "keys/software_signer.h"
#include "ossl/ossl.h"

namespace openpca::keys {
namespace {

using ossl::BioPtr;
using ossl::EvpPkeyPtr;
using ossl::OsslError;

std::string AssociatedData(std::string_view binding) {
  return "acm-key:" + std::string(binding);
}

Result<Bytes> Seal(const SecretBox& box, const EVP_PKEY& key, std::string_view binding) {
  SecretBuffer pkcs8;
  RETURN_IF_ERROR(EncodePkcs8(key, pkcs8));
  return box.Seal(pkcs8.span(), AssociatedData(binding));
}

Result<EvpPkeyPtr> Unseal(const SecretBox& box, std::span<const uint8_t> sealed,
                          std::string_view binding) {
  ASSIGN_OR_RETURN(Bytes der, box.Open(sealed, AssociatedData(binding)));
  CleanseOnExit cleanse(der);
  return DecodePkcs8(der, "sealed certificate key does not parse");
}

// Refuses encrypted PEM: the password callback supplies nothing.
int NoPassword(char*, int, int, void*) { return 0; }

}  // namespace

Result<SealedKeyPair> ExportableKeys::Generate(KeyAlgorithm algorithm,
                                               std::string_view binding) const {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKeyPair(algorithm));
  ASSIGN_OR_RETURN(Bytes sealed, Seal(*box_, *key, binding));
  ASSIGN_OR_RETURN(std::unique_ptr<SoftwareSigner> signer, SoftwareSigner::Create(std::move(key)));
  SealedKeyPair out;
  out.public_key_der = signer->public_key_der();
  out.sealed_private_key = std::move(sealed);
  out.signer = std::move(signer);
  return out;
}

Result<Bytes> ExportableKeys::SealImported(std::span<const uint8_t> pem,
                                           std::span<const uint8_t> public_key_der,
                                           std::string_view binding) const {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OsslError("BIO_new_mem_buf");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassword, nullptr));
  if (key == nullptr) {
    ossl::ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs,
                  "The private key is not supported or is not a valid unencrypted PEM key.");
  }
  const unsigned char* in = public_key_der.data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &in, static_cast<long>(public_key_der.size())));
  if (pub == nullptr || EVP_PKEY_eq(key.get(), pub.get()) != 1) {
    ossl::ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs,
                  "The private key does not match the public key in the certificate.");
  }
  return Seal(*box_, *key, binding);
}

Result<std::string> ExportableKeys::ExportEncryptedPem(std::span<const uint8_t> sealed,
                                                       std::string_view binding,
                                                       std::span<const uint8_t> passphrase) const {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, Unseal(*box_, sealed, binding));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return OsslError("BIO_new");
  // PEM_write_bio_PKCS8PrivateKey copies the passphrase into its own buffer; the const_cast
  // only satisfies the old signature.
  if (PEM_write_bio_PKCS8PrivateKey(
          bio.get(), key.get(), EVP_aes_256_cbc(),
          reinterpret_cast<const char*>(passphrase.data()), static_cast<int>(passphrase.size()),
          nullptr, nullptr) != 1) {
    return OsslError("PEM_write_bio_PKCS8PrivateKey");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return InternalError("empty encrypted key");
  return std::string(data, static_cast<size_t>(len));
}

std::optional<KeyAlgorithm> ExportableKeys::AlgorithmOf(std::span<const uint8_t> public_key_der) {
  const unsigned char* in = public_key_der.data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &in, static_cast<long>(public_key_der.size())));
  if (pub == nullptr) {
    ossl::ClearOsslErrors();
    return std::nullopt;
  }
  if (EVP_PKEY_is_a(pub.get(), "RSA")) {
    switch (EVP_PKEY_get_bits(pub.get())) {
      case 2048:
        return KeyAlgorithm::kRsa2048;
      case 3072:
        return KeyAlgorithm::kRsa3072;
      case 4096:
        return KeyAlgorithm::kRsa4096;
      default:
        return std::nullopt;
    }
  }
  if (EVP_PKEY_is_a(pub.get(), "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pub.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       sizeof(group), &len) != 1) {
      ossl::ClearOsslErrors();
      return std::nullopt;
    }
    std::string_view g(group, len);
    if (g == "prime256v1" || g == "P-256") return KeyAlgorithm::kEcP256;
    if (g == "secp384r1" || g == "P-384") return KeyAlgorithm::kEcP384;
    if (g == "secp521r1" || g == "P-521") return KeyAlgorithm::kEcP521;
  }
  return std::nullopt;
}

}  // namespace openpca::keys

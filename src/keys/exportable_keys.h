// ExportableKeys: end-entity key pairs that AWS Certificate Manager generates for private
// certificates and hands out only through ExportCertificate, encrypted under the caller's
// passphrase. Unlike KeyStore (CA keys, never exported), these keys leave openpca once per export,
// so the key store seals them (SecretBox, AES-256-GCM under the master key, bound to a purpose
// string such as the certificate ARN) and the sealed blob is what the caller stores.
//
// WARNING: the plaintext key exists only inside this class's functions (OpenSSL buffers cleansed
// on release) and in the returned Signer's memory; no Status message or log line names key bytes
// or the passphrase.
// Immutable after construction; thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/secret_box.h"
#include "keys/signer.h"

namespace openpca::keys {

struct SealedKeyPair {
  Bytes public_key_der;     // SubjectPublicKeyInfo
  Bytes sealed_private_key;  // SecretBox-sealed PKCS#8 PrivateKeyInfo DER
  // Signs with the new key (for its CSR); in memory only, gone with the last reference.
  std::shared_ptr<const Signer> signer;
};

class ExportableKeys {
 public:
  explicit ExportableKeys(std::shared_ptr<const SecretBox> box) : box_(std::move(box)) {}

  // Generates a key pair and seals the private key for `binding`. Errors: kInternal.
  Result<SealedKeyPair> Generate(KeyAlgorithm algorithm, std::string_view binding) const;

  // Seals an imported unencrypted PEM private key (PKCS#8 or traditional RSA/EC) after checking
  // that it is the private half of `public_key_der`. Returns the sealed PKCS#8 DER.
  // Errors: kInvalidArgs when it does not parse, is encrypted or does not match; kInternal.
  Result<Bytes> SealImported(std::span<const uint8_t> pem, std::span<const uint8_t> public_key_der,
                             std::string_view binding) const;

  // The sealed key as an encrypted PKCS#8 PEM ("ENCRYPTED PRIVATE KEY": PBES2, PBKDF2 with
  // HMAC-SHA256, AES-256-CBC) under `passphrase`. Errors: kInternal (including a blob sealed for
  // another binding).
  Result<std::string> ExportEncryptedPem(std::span<const uint8_t> sealed, std::string_view binding,
                                         std::span<const uint8_t> passphrase) const;

  // The key algorithm of a SubjectPublicKeyInfo (RSA 2048/3072/4096, EC P-256/384/521), or
  // nullopt for anything else (RSA-1024 is reported separately by callers that accept it).
  static std::optional<KeyAlgorithm> AlgorithmOf(std::span<const uint8_t> public_key_der);

 private:
  std::shared_ptr<const SecretBox> box_;
};

}  // namespace openpca::keys

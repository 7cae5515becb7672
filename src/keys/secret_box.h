// SecretBox: AES-256-GCM sealing of secrets at rest under the master key.
// Sealed format: "OPS1" magic (4) | nonce (12) | ciphertext | tag (16). The nonce is random per
// Seal(). The associated data binds a sealed value to its purpose (e.g. "key:<id>",
// "access-key:<id>") so blobs cannot be swapped.
// Owns a copy of the master key, cleansed on destruction. Immutable after construction;
// thread-safe.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "ossl/ossl.h"

namespace openpca::keys {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr std::string_view kMagic = "OPS1";

  // Errors: kInvalidArgs if the key is not 32 bytes; kInternal.
  static Result<std::unique_ptr<SecretBox>> Create(std::span<const uint8_t> master_key);

  // Loads the master key from `path`, or creates it (32 random bytes, mode 0600, fsynced) when the
  // file does not exist. Errors: kInternal (I/O), kInvalidArgs (wrong size or permissions looser
  // than 0600).
  static Result<std::unique_ptr<SecretBox>> LoadOrCreateKeyFile(const std::string& path);

  // Errors: kInternal.
  Result<Bytes> Seal(std::span<const uint8_t> plaintext, std::string_view associated_data) const;
  // Errors: kInternal when the blob is malformed or authentication fails.
  Result<Bytes> Open(std::span<const uint8_t> sealed, std::string_view associated_data) const;

  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  ~SecretBox();

 private:
  using CipherPtr = std::unique_ptr<EVP_CIPHER, ossl::OsslDeleter<&EVP_CIPHER_free>>;

  SecretBox(std::span<const uint8_t> key, CipherPtr cipher);

  std::array<uint8_t, kKeySize> key_;
  CipherPtr cipher_;  // AES-256-GCM, fetched once
};

}  // namespace openpca::keys

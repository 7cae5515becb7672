// SecretBox: AES-256-GCM sealing of secrets at rest under the master key.
// Sealed format: "OPS1" magic (4) | nonce (12) | ciphertext | tag (16). The associated data binds a
// sealed value to its purpose (e.g. "key:<id>", "access-key:<id>") so blobs cannot be swapped.
// Immutable after construction; thread-safe.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::keys {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;

  // Errors: kInvalidArgs if the key is not 32 bytes.
  static Result<std::unique_ptr<SecretBox>> Create(std::span<const uint8_t> master_key);

  // Loads the master key from `path`, or creates it (32 random bytes, mode 0600, fsynced) when the
  // file does not exist. Errors: kInternal (I/O), kInvalidArgs (wrong size or permissions looser
  // than 0600).
  static Result<std::unique_ptr<SecretBox>> LoadOrCreateKeyFile(const std::string& path);

  Result<Bytes> Seal(std::span<const uint8_t> plaintext, std::string_view associated_data) const;
  // Errors: kInternal when the blob is malformed or authentication fails.
  Result<Bytes> Open(std::span<const uint8_t> sealed, std::string_view associated_data) const;

  ~SecretBox();

 private:
  explicit SecretBox(std::span<const uint8_t> key);
  std::array<uint8_t, kKeySize> key_;
};

}  // namespace openpca::keys

// Private key bytes in the clear, as briefly as possible: the PKCS#8 encoding and decoding the
// software key store and the exportable (ACM) keys share, with buffers cleansed on scope exit.
// Only keys/ uses it; nothing here logs or returns key bytes outside the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/bytes.h"
#include "common/status.h"
#include "ossl/ossl.h"

namespace openpca::keys {

// A buffer of private key bytes allocated by OpenSSL; cleansed and freed on scope exit.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  ~SecretBuffer() { OPENSSL_clear_free(data_, size_); }
  unsigned char** data_ptr() { return &data_; }
  size_t* size_ptr() { return &size_; }
  std::span<const uint8_t> span() const { return {data_, size_}; }

 private:
  unsigned char* data_ = nullptr;
  size_t size_ = 0;
};

// Cleanses a Bytes holding plaintext key material when it goes out of scope.
class CleanseOnExit {
 public:
  explicit CleanseOnExit(Bytes& b) : b_(b) {}
  CleanseOnExit(const CleanseOnExit&) = delete;
  CleanseOnExit& operator=(const CleanseOnExit&) = delete;
  ~CleanseOnExit() { OPENSSL_cleanse(b_.data(), b_.size()); }

 private:
  Bytes& b_;
};

// PKCS#8 PrivateKeyInfo DER of `key` into `out` (cleansed on release). Errors: kInternal.
Status EncodePkcs8(const EVP_PKEY& key, SecretBuffer& out);

// The key of a PKCS#8 DER (no trailing bytes). Errors: kInternal with `what_on_error` as the
// whole message (the OpenSSL error queue is cleared, never quoted: it may describe key bytes).
Result<ossl::EvpPkeyPtr> DecodePkcs8(std::span<const uint8_t> der, const char* what_on_error);

}  // namespace openpca::keys

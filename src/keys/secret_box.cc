#include "keys/secret_box.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "common/durable_file.h"

namespace openpca::keys {
namespace {

constexpr size_t kHeaderSize = SecretBox::kMagic.size() + SecretBox::kNonceSize;
constexpr size_t kOverhead = kHeaderSize + SecretBox::kTagSize;

// Largest plaintext we seal; keeps all lengths comfortably inside an int for the EVP API.
constexpr size_t kMaxPlaintext = size_t{1} << 30;

// A length-limited buffer of secret bytes, cleansed when it goes out of scope.
struct CleansedArray {
  std::array<uint8_t, SecretBox::kKeySize> bytes{};
  ~CleansedArray() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

}  // namespace

SecretBox::SecretBox(std::span<const uint8_t> key, CipherPtr cipher) : cipher_(std::move(cipher)) {
  OPENPCA_CHECK(key.size() == kKeySize);
  std::copy(key.begin(), key.end(), key_.begin());
}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

Result<std::unique_ptr<SecretBox>> SecretBox::Create(std::span<const uint8_t> master_key) {
  if (master_key.size() != kKeySize) {
    return Status(ErrorCode::kInvalidArgs, "the master key must be 32 bytes");
  }
  CipherPtr cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (cipher == nullptr) return ossl::OsslError("EVP_CIPHER_fetch(AES-256-GCM)");
  return std::unique_ptr<SecretBox>(new SecretBox(master_key, std::move(cipher)));
}

Result<std::unique_ptr<SecretBox>> SecretBox::LoadOrCreateKeyFile(const std::string& path) {
  // Two attempts: if another process creates the file between our read and our create, read it.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<Bytes> existing = ReadPrivateFile(path, kKeySize, /*require_private=*/true);
    if (existing.ok()) {
      Bytes& key = *existing;
      Result<std::unique_ptr<SecretBox>> box =
          key.size() == kKeySize
              ? Create(key)
              : Result<std::unique_ptr<SecretBox>>(
                    Status(ErrorCode::kInvalidArgs, path + ": the master key must be 32 bytes"));
      OPENSSL_cleanse(key.data(), key.size());
      return box;
    }
    if (existing.status().code() != ErrorCode::kResourceNotFound) return existing.status();

    CleansedArray key;
    if (RAND_priv_bytes(key.bytes.data(), static_cast<int>(key.bytes.size())) != 1) {
      return ossl::OsslError("RAND_priv_bytes");
    }
    Status created = CreatePrivateFileDurably(path, key.bytes);
    if (created.ok()) return Create(key.bytes);
    if (created.code() != ErrorCode::kRequestAlreadyProcessed) return created;
  }
  return InternalError(path + ": master key file appeared and vanished concurrently");
}

Result<Bytes> SecretBox::Seal(std::span<const uint8_t> plaintext,
                              std::string_view associated_data) const {
  if (plaintext.size() > kMaxPlaintext || associated_data.size() > kMaxPlaintext) {
    return InternalError("SecretBox::Seal: input too large");
  }
  Bytes out(kOverhead + plaintext.size());
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  uint8_t* nonce = out.data() + kMagic.size();
  uint8_t* ct = out.data() + kHeaderSize;
  uint8_t* tag = ct + plaintext.size();
  // A random 96-bit nonce per message; fine far beyond the number of secrets we will ever seal.
  if (RAND_bytes(nonce, kNonceSize) != 1) return ossl::OsslError("RAND_bytes");

  ossl::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), cipher_.get(), key_.data(), nonce, nullptr) != 1) {
    return ossl::OsslError("EVP_EncryptInit_ex2");
  }
  if (!associated_data.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) != 1) {
    return ossl::OsslError("EVP_EncryptUpdate(aad)");
  }
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), ct, &len, plaintext.data(),
                                              static_cast<int>(plaintext.size())) != 1) {
    return ossl::OsslError("EVP_EncryptUpdate");
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &len) != 1 || len != 0) {
    return ossl::OsslError("EVP_EncryptFinal_ex");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) != 1) {
    return ossl::OsslError("EVP_CTRL_AEAD_GET_TAG");
  }
  return out;
}

Result<Bytes> SecretBox::Open(std::span<const uint8_t> sealed,
                              std::string_view associated_data) const {
  if (sealed.size() < kOverhead || sealed.size() - kOverhead > kMaxPlaintext ||
      std::memcmp(sealed.data(), kMagic.data(), kMagic.size()) != 0) {
    return InternalError("sealed secret is malformed");
  }
  if (associated_data.size() > kMaxPlaintext) return InternalError("associated data too large");
  const uint8_t* nonce = sealed.data() + kMagic.size();
  const uint8_t* ct = sealed.data() + kHeaderSize;
  size_t ct_len = sealed.size() - kOverhead;
  const uint8_t* tag = ct + ct_len;

  ossl::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex2(ctx.get(), cipher_.get(), key_.data(), nonce, nullptr) != 1) {
    return ossl::OsslError("EVP_DecryptInit_ex2");
  }
  if (!associated_data.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) != 1) {
    return ossl::OsslError("EVP_DecryptUpdate(aad)");
  }
  Bytes out(ct_len);
  auto fail = [&out](const char* what) {
    OPENSSL_cleanse(out.data(), out.size());
    ossl::ClearOsslErrors();
    return InternalError(what);
  };
  if (ct_len > 0 &&
      EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct, static_cast<int>(ct_len)) != 1) {
    return fail("sealed secret could not be decrypted");
  }
  // EVP_CTRL_AEAD_SET_TAG takes a non-const pointer but only reads the tag.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize, const_cast<uint8_t*>(tag)) !=
      1) {
    return fail("sealed secret could not be decrypted");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + ct_len, &len) != 1) {
    // Wrong key, wrong associated data or a modified blob: indistinguishable on purpose.
    return fail("sealed secret failed authentication");
  }
  return out;
}

}  // namespace openpca::keys

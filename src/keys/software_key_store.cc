#include "keys/software_key_store.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/params.h>

#include "common/durable_file.h"
#include "keys/software_signer.h"

namespace openpca::keys {
namespace {

using ossl::EvpPkeyPtr;
using ossl::OsslError;

using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, ossl::OsslDeleter<&OSSL_ENCODER_CTX_free>>;

// Sealed PKCS#8 of an RSA-4096 key is ~2.4 KB; anything much larger is not one of our files.
constexpr size_t kMaxKeyFileSize = 64 * 1024;

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

// PKCS#8 PrivateKeyInfo DER, in an OpenSSL buffer that is cleansed on release.
Status EncodePkcs8(const EVP_PKEY& key, SecretBuffer& out) {
  EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(&key, OSSL_KEYMGMT_SELECT_KEYPAIR, "DER",
                                                  "PrivateKeyInfo", nullptr));
  if (ctx == nullptr || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0) {
    return OsslError("OSSL_ENCODER_CTX_new_for_pkey");
  }
  if (OSSL_ENCODER_to_data(ctx.get(), out.data_ptr(), out.size_ptr()) != 1) {
    return OsslError("OSSL_ENCODER_to_data");
  }
  return Status::Ok();
}

Result<EvpPkeyPtr> DecodePkcs8(std::span<const uint8_t> der) {
  const unsigned char* in = der.data();
  EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &in, static_cast<long>(der.size())));
  if (key == nullptr || in != der.data() + der.size()) {
    // The queue may name the structure; it never contains key bytes, but keep the message bare.
    ossl::ClearOsslErrors();
    return InternalError("stored private key does not parse");
  }
  return key;
}

std::string AssociatedData(const std::string& key_id) { return "key:" + key_id; }

bool IsLowerHexUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

SoftwareKeyStore::SoftwareKeyStore(std::string dir, std::shared_ptr<const SecretBox> box,
                                   Random& random)
    : dir_(std::move(dir)), box_(std::move(box)), random_(random) {}

Result<std::unique_ptr<SoftwareKeyStore>> SoftwareKeyStore::Open(
    const std::string& dir, std::shared_ptr<const SecretBox> box, Random& random) {
  if (box == nullptr) return Status(ErrorCode::kInvalidArgs, "no SecretBox");
  std::string clean = dir;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  if (clean.empty()) return Status(ErrorCode::kInvalidArgs, "empty key directory");
  RETURN_IF_ERROR(EnsurePrivateDirectory(clean));
  return std::unique_ptr<SoftwareKeyStore>(
      new SoftwareKeyStore(std::move(clean), std::move(box), random));
}

Result<std::string> SoftwareKeyStore::PathFor(const std::string& key_id) const {
  std::string_view id(key_id);
  // WARNING: key ids come from the database and requests; only a strict UUID may become a path.
  if (!id.starts_with(kKeyIdPrefix) || !IsLowerHexUuid(id.substr(kKeyIdPrefix.size()))) {
    return Status(ErrorCode::kResourceNotFound, "not a software key id");
  }
  return dir_ + "/" + std::string(id.substr(kKeyIdPrefix.size())) + ".key";
}

Result<GeneratedKey> SoftwareKeyStore::Generate(KeyAlgorithm algorithm) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(algorithm));
  std::string uuid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uuid = NewUuidV4(random_);
  }
  std::string key_id = std::string(kKeyIdPrefix) + uuid;
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));

  Bytes sealed;
  {
    SecretBuffer pkcs8;
    RETURN_IF_ERROR(EncodePkcs8(*key, pkcs8));
    ASSIGN_OR_RETURN(sealed, box_->Seal(pkcs8.span(), AssociatedData(key_id)));
  }
  // Everything that can fail before the file exists does, so that no orphan file is left behind.
  ASSIGN_OR_RETURN(std::unique_ptr<SoftwareSigner> signer, SoftwareSigner::Create(std::move(key)));
  RETURN_IF_ERROR(WritePrivateFileAtomically(path, sealed));

  GeneratedKey out{key_id, signer->public_key_der()};
  std::lock_guard<std::mutex> lock(mu_);
  cache_.emplace(key_id, std::move(signer));
  return out;
}

Result<std::shared_ptr<const Signer>> SoftwareKeyStore::Load(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));
  // Held across the (rare) miss so that a concurrent Destroy() cannot be undone by a late insert.
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(key_id); it != cache_.end()) return it->second;

  Result<Bytes> sealed = ReadPrivateFile(path, kMaxKeyFileSize, /*require_private=*/false);
  if (!sealed.ok()) {
    if (sealed.status().code() == ErrorCode::kResourceNotFound) {
      return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
    }
    return InternalError("key " + key_id + ": " + sealed.status().message());
  }
  Result<Bytes> pkcs8 = box_->Open(*sealed, AssociatedData(key_id));
  if (!pkcs8.ok()) return InternalError("key " + key_id + ": integrity check failed");
  Result<EvpPkeyPtr> key = [&] {
    CleanseOnExit cleanse(*pkcs8);
    return DecodePkcs8(*pkcs8);
  }();
  if (!key.ok()) return InternalError("key " + key_id + ": " + key.status().message());
  Result<std::unique_ptr<SoftwareSigner>> signer = SoftwareSigner::Create(std::move(*key));
  if (!signer.ok()) return InternalError("key " + key_id + ": " + signer.status().message());
  std::shared_ptr<const Signer> shared = std::move(*signer);
  cache_.emplace(key_id, shared);
  return shared;
}

Result<EvpPkeyPtr> SoftwareKeyStore::ExportPrivateKey(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));
  Result<Bytes> sealed = ReadPrivateFile(path, kMaxKeyFileSize, /*require_private=*/false);
  if (!sealed.ok()) {
    if (sealed.status().code() == ErrorCode::kResourceNotFound) {
      return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
    }
    return InternalError("key " + key_id + ": " + sealed.status().message());
  }
  Result<Bytes> pkcs8 = box_->Open(*sealed, AssociatedData(key_id));
  if (!pkcs8.ok()) return InternalError("key " + key_id + ": integrity check failed");
  CleanseOnExit cleanse(*pkcs8);
  return DecodePkcs8(*pkcs8);
}

Status SoftwareKeyStore::Destroy(const std::string& key_id) {
  ASSIGN_OR_RETURN(std::string path, PathFor(key_id));
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(key_id);
  Status st = RemoveFileDurably(path);
  if (st.code() == ErrorCode::kResourceNotFound) {
    return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
  }
  return st;
}

}  // namespace openpca::keys

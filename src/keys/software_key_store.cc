#include "keys/software_key_store.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/params.h>

#include "common/durable_file.h"
#include "keys/ephemeral_signer.h"
#include "keys/key_material.h"
#include "keys/software_signer.h"

namespace openpca::keys {
namespace {

using ossl::EvpPkeyPtr;
using ossl::OsslError;

// Sealed PKCS#8 of an RSA-4096 key is ~2.4 KB; anything much larger is not one of our files.
constexpr size_t kMaxKeyFileSize = 64 * 1024;

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
  ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKeyPair(algorithm));
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
    return DecodePkcs8(*pkcs8, "stored private key does not parse");
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
  return DecodePkcs8(*pkcs8, "stored private key does not parse");
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

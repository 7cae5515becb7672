#include "keys/software_key_store.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/params.h>

#include "keys/ephemeral_signer.h"
#include "keys/key_material.h"
#include "keys/software_signer.h"

namespace openpca::keys {
namespace {

using ossl::EvpPkeyPtr;
using ossl::OsslError;

std::string AssociatedData(const std::string& key_id) { return "key:" + key_id; }

bool IsSoftKeyId(std::string_view id) {
  return id.starts_with(SoftwareKeyStore::kKeyIdPrefix) &&
         id.size() == SoftwareKeyStore::kKeyIdPrefix.size() + 36;
}

}  // namespace

SoftwareKeyStore::SoftwareKeyStore(std::unique_ptr<KeyVault> vault,
                                   std::shared_ptr<const SecretBox> box, Random& random)
    : vault_(std::move(vault)), box_(std::move(box)), random_(random) {}

Result<std::unique_ptr<SoftwareKeyStore>> SoftwareKeyStore::Open(
    const std::string& dir, std::shared_ptr<const SecretBox> box, Random& random) {
  if (box == nullptr) return Status(ErrorCode::kInvalidArgs, "no SecretBox");
  ASSIGN_OR_RETURN(std::unique_ptr<FileKeyVault> vault, FileKeyVault::Open(dir));
  return Create(std::move(vault), std::move(box), random);
}

Result<std::unique_ptr<SoftwareKeyStore>> SoftwareKeyStore::Create(
    std::unique_ptr<KeyVault> vault, std::shared_ptr<const SecretBox> box, Random& random) {
  if (vault == nullptr || box == nullptr) {
    return Status(ErrorCode::kInvalidArgs, "no key vault or SecretBox");
  }
  return std::unique_ptr<SoftwareKeyStore>(
      new SoftwareKeyStore(std::move(vault), std::move(box), random));
}

Result<GeneratedKey> SoftwareKeyStore::Generate(KeyAlgorithm algorithm) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKeyPair(algorithm));
  std::string uuid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uuid = NewUuidV4(random_);
  }
  std::string key_id = std::string(kKeyIdPrefix) + uuid;

  Bytes sealed;
  {
    SecretBuffer pkcs8;
    RETURN_IF_ERROR(EncodePkcs8(*key, pkcs8));
    ASSIGN_OR_RETURN(sealed, box_->Seal(pkcs8.span(), AssociatedData(key_id)));
  }
  // Everything that can fail before the key is stored does, so that no orphan is left behind.
  ASSIGN_OR_RETURN(std::unique_ptr<SoftwareSigner> signer, SoftwareSigner::Create(std::move(key)));
  RETURN_IF_ERROR(vault_->Put(key_id, sealed));

  GeneratedKey out{key_id, signer->public_key_der()};
  std::lock_guard<std::mutex> lock(mu_);
  cache_.emplace(key_id, std::move(signer));
  return out;
}

Result<ossl::EvpPkeyPtr> SoftwareKeyStore::Unseal(const std::string& key_id) {
  if (!IsSoftKeyId(key_id)) return Status(ErrorCode::kResourceNotFound, "not a software key id");
  Result<Bytes> sealed = vault_->Get(key_id);
  if (!sealed.ok()) {
    if (sealed.status().code() == ErrorCode::kResourceNotFound) {
      return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
    }
    return InternalError("key " + key_id + ": " + sealed.status().message());
  }
  Result<Bytes> pkcs8 = box_->Open(*sealed, AssociatedData(key_id));
  if (!pkcs8.ok()) return InternalError("key " + key_id + ": integrity check failed");
  CleanseOnExit cleanse(*pkcs8);
  Result<EvpPkeyPtr> key = DecodePkcs8(*pkcs8, "stored private key does not parse");
  if (!key.ok()) return InternalError("key " + key_id + ": " + key.status().message());
  return key;
}

Result<std::shared_ptr<const Signer>> SoftwareKeyStore::Load(const std::string& key_id) {
  if (!IsSoftKeyId(key_id)) return Status(ErrorCode::kResourceNotFound, "not a software key id");
  // Held across the (rare) miss so that a concurrent Destroy() cannot be undone by a late insert.
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(key_id); it != cache_.end()) return it->second;
  ASSIGN_OR_RETURN(EvpPkeyPtr key, Unseal(key_id));
  Result<std::unique_ptr<SoftwareSigner>> signer = SoftwareSigner::Create(std::move(key));
  if (!signer.ok()) return InternalError("key " + key_id + ": " + signer.status().message());
  std::shared_ptr<const Signer> shared = std::move(*signer);
  cache_.emplace(key_id, shared);
  return shared;
}

Result<EvpPkeyPtr> SoftwareKeyStore::ExportPrivateKey(const std::string& key_id) {
  return Unseal(key_id);
}

Status SoftwareKeyStore::Destroy(const std::string& key_id) {
  if (!IsSoftKeyId(key_id)) return Status(ErrorCode::kResourceNotFound, "not a software key id");
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(key_id);
  return vault_->Remove(key_id);
}

}  // namespace openpca::keys

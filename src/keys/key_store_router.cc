#include "keys/key_store_router.h"

namespace openpca::keys {

KeyStore* KeyStoreRouter::StoreFor(const std::string& key_id) const {
  for (const auto& [prefix, store] : routes_) {
    if (key_id.starts_with(prefix)) return store;
  }
  return nullptr;
}

Result<GeneratedKey> KeyStoreRouter::Generate(KeyAlgorithm algorithm) {
  return generator_.Generate(algorithm);
}

Result<std::shared_ptr<const Signer>> KeyStoreRouter::Load(const std::string& key_id) {
  KeyStore* store = StoreFor(key_id);
  if (store == nullptr) {
    return Status(ErrorCode::kResourceNotFound,
                  "no configured key store holds key " + key_id);
  }
  return store->Load(key_id);
}

Status KeyStoreRouter::Destroy(const std::string& key_id) {
  KeyStore* store = StoreFor(key_id);
  if (store == nullptr) {
    return Status(ErrorCode::kResourceNotFound,
                  "no configured key store holds key " + key_id);
  }
  return store->Destroy(key_id);
}

std::string KeyStoreRouter::GenerationSecurityStandard() const {
  return generator_.GenerationSecurityStandard();
}

std::string KeyStoreRouter::SecurityStandardOf(const std::string& key_id) const {
  KeyStore* store = StoreFor(key_id);
  return store == nullptr ? "" : store->SecurityStandardOf(key_id);
}

}  // namespace openpca::keys

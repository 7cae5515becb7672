// KeyStoreRouter: one KeyStore over several, chosen by key id prefix ("soft:" to the software
// store, "pkcs11:" to the PKCS#11 store). New keys go to the store configured for generation;
// existing keys keep working wherever they live (e.g. CAs created before an HSM was configured,
// or moved into it with `openpca migrate-key`).
//
// Ownership: borrows the stores, which must outlive the router.
// Thread-safety: immutable after construction; as thread-safe as the stores.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "keys/key_store.h"

namespace openpca::keys {

class KeyStoreRouter final : public KeyStore {
 public:
  // `routes`: (key id prefix, store); `generator` must be one of them.
  KeyStoreRouter(KeyStore& generator, std::vector<std::pair<std::string, KeyStore*>> routes)
      : generator_(generator), routes_(std::move(routes)) {}

  // Errors: those of the generating store.
  Result<GeneratedKey> Generate(KeyAlgorithm algorithm) override;
  // Errors: kResourceNotFound for an id no configured store takes; those of the store.
  Result<std::shared_ptr<const Signer>> Load(const std::string& key_id) override;
  Status Destroy(const std::string& key_id) override;
  std::string GenerationSecurityStandard() const override;
  std::string SecurityStandardOf(const std::string& key_id) const override;

 private:
  KeyStore* StoreFor(const std::string& key_id) const;

  KeyStore& generator_;
  const std::vector<std::pair<std::string, KeyStore*>> routes_;
};

}  // namespace openpca::keys

// The CA key stores of a server (and of `openpca migrate-key`): the software store under
// <data_dir>/keys, always open so that its keys keep working, and the PKCS#11 store when a module
// is configured; a KeyStoreRouter in front picks the store by key id and generates new keys in
// the configured key_store.type.
#pragma once

#include <memory>
#include <string>

#include "common/random.h"
#include "common/status.h"
#include "config/config.h"
#include "keys/key_store_router.h"
#include "keys/pkcs11/pkcs11_key_store.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"

namespace openpca::server {

struct KeyStores {
  std::unique_ptr<keys::SoftwareKeyStore> software;
  std::unique_ptr<keys::pkcs11::Pkcs11KeyStore> pkcs11;  // null without key_store.module
  std::unique_ptr<keys::KeyStoreRouter> router;           // what everything else uses
};

// Opens the stores `cfg.key_store` names (after ApplyKeyStoreEnvironment and Validate). The
// software key store keeps its sealed keys in `vault` (the shared database, DbKeyVault, when
// several servers share it), or as files under <data_dir>/keys when `vault` is null.
// Errors: those of SoftwareKeyStore::Open and Pkcs11KeyStore::Open (a missing token or a refused
// PIN stops the server).
Result<KeyStores> OpenKeyStores(const config::ServerConfig& cfg,
                                std::shared_ptr<const keys::SecretBox> box, Random& random,
                                std::unique_ptr<keys::KeyVault> vault = nullptr);

}  // namespace openpca::server

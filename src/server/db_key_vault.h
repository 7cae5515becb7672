// DbKeyVault: the software key store's KeyVault (keys/key_vault.h) over the shared database
// (store::SealedKeyStore), so that every server sharing the database, and the master key file,
// loads and signs with the same CA keys. The keys module knows no store; this adapter joins them.
#pragma once

#include "common/clock.h"
#include "keys/key_vault.h"
#include "store/sealed_key_store.h"

namespace openpca::server {

class DbKeyVault final : public keys::KeyVault {
 public:
  DbKeyVault(store::SealedKeyStore& keys, const Clock& clock) : keys_(keys), clock_(clock) {}

  Status Put(const std::string& key_id, std::span<const uint8_t> sealed) override {
    return keys_.InsertSealedKey(key_id, sealed, ToUnixMillis(clock_.Now()));
  }
  Result<Bytes> Get(const std::string& key_id) override { return keys_.GetSealedKey(key_id); }
  Status Remove(const std::string& key_id) override { return keys_.DeleteSealedKey(key_id); }

 private:
  store::SealedKeyStore& keys_;
  const Clock& clock_;
};

}  // namespace openpca::server

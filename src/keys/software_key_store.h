// SoftwareKeyStore: a KeyStore that keeps each private key as its PKCS#8 DER sealed with a
// SecretBox (associated data "key:" + key id, so sealed keys cannot be swapped between ids), in a
// KeyVault: files `<dir>/<uuid>.key` (Open), or the shared database when several servers sign for
// the same CAs (Create with server/db_key_vault.h). Key ids are "soft:<uuid>".
//
// Ownership: shares the SecretBox; borrows `random` (used for key ids), which must outlive the
// store. Owns the cache of loaded Signers; a Signer handed out stays usable after Destroy().
// Thread-safety: all methods are thread-safe (one mutex around the cache and the id generator;
// key generation and signing run outside it).
// Key material never appears in a Status message or a log line.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/random.h"
#include "keys/key_store.h"
#include "keys/key_vault.h"
#include "keys/secret_box.h"
#include "ossl/ossl.h"

namespace openpca::keys {

class SoftwareKeyStore final : public KeyStore {
 public:
  static constexpr std::string_view kKeyIdPrefix = "soft:";

  // Opens (creating it with mode 0700 if missing) the key directory.
  // Errors: kInvalidArgs (not a directory, writable by group/other, null box); kInternal.
  static Result<std::unique_ptr<SoftwareKeyStore>> Open(const std::string& dir,
                                                        std::shared_ptr<const SecretBox> box,
                                                        Random& random);
  // Keeps the sealed keys in `vault`. Errors: kInvalidArgs (null vault or box).
  static Result<std::unique_ptr<SoftwareKeyStore>> Create(std::unique_ptr<KeyVault> vault,
                                                          std::shared_ptr<const SecretBox> box,
                                                          Random& random);

  // Errors: kInternal (key generation, sealing or I/O failed).
  Result<GeneratedKey> Generate(KeyAlgorithm algorithm) override;
  // Errors: kResourceNotFound (unknown or malformed id); kInternal (unreadable, failed
  // authentication, unparsable).
  Result<std::shared_ptr<const Signer>> Load(const std::string& key_id) override;
  // Errors: kResourceNotFound; kInternal.
  Status Destroy(const std::string& key_id) override;

  // The decrypted private key of `key_id`, for moving it into a hardware token (`openpca
  // migrate-key`); nothing else may call it.
  // WARNING: the key leaves the store; the caller must drop it as soon as it is copied.
  // Errors: as Load().
  Result<ossl::EvpPkeyPtr> ExportPrivateKey(const std::string& key_id);

 private:
  SoftwareKeyStore(std::unique_ptr<KeyVault> vault, std::shared_ptr<const SecretBox> box,
                   Random& random);

  // The sealed key of `key_id`, opened and parsed. Errors: as Load().
  Result<ossl::EvpPkeyPtr> Unseal(const std::string& key_id);

  const std::unique_ptr<KeyVault> vault_;
  const std::shared_ptr<const SecretBox> box_;
  std::mutex mu_;
  Random& random_;                                                        // guarded by mu_
  std::unordered_map<std::string, std::shared_ptr<const Signer>> cache_;  // guarded by mu_
};

}  // namespace openpca::keys

// DigestKeys: the per-region RSA-2048 keys that sign CloudTrail digest files.
//
// Each key is generated inside the key store (a CA-independent key id; the private key is sealed
// by the store and never written in the clear) and its public half is recorded in the
// TrailDeliveryStore with its validity window [valid_from, valid_from + lifetime], which is what
// ListPublicKeys returns (PKCS#1 DER, fingerprint = hex MD5 of that DER). A key signs while now is
// inside its window; after it, a new key is generated and the old one stays listed for its window.
//
// Thread-safe (one mutex around the per-region cache; generation happens under it, so two
// callers never make two keys for one region).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/status.h"
#include "keys/key_store.h"
#include "store/trail_delivery_store.h"

namespace openpca::audit {

class DigestKeys {
 public:
  struct SigningKey {
    std::string fingerprint;
    std::shared_ptr<const keys::Signer> signer;
    int64_t valid_from_s = 0;
    int64_t valid_to_s = 0;
  };

  // `lifetime`: how long a key signs (and its listed validity), > 0.
  DigestKeys(store::TrailDeliveryStore& store, keys::KeyStore& key_store, const Clock& clock,
             std::chrono::seconds lifetime);

  // The key that signs in `region` now, generated when none is valid.
  // Errors: kInternal (key store or store failure).
  Result<SigningKey> Current(const std::string& region);

  // The fingerprint of a PKCS#1 DER public key: lower-case hex MD5.
  static std::string Fingerprint(std::span<const uint8_t> pkcs1_der);

 private:
  store::TrailDeliveryStore& store_;
  keys::KeyStore& key_store_;
  const Clock& clock_;
  const std::chrono::seconds lifetime_;
  std::mutex mu_;
  std::unordered_map<std::string, SigningKey> current_;  // guarded by mu_; by region
};

}  // namespace openpca::audit

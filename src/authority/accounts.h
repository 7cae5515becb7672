// Accounts: the server's account and its access keys. On first start Bootstrap() creates the
// account (a random 12-digit id) and an administrator access key whose secret is sealed under the
// master key at rest. Lookup() serves the SigV4 verifier from an in-memory cache.
// Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "keys/secret_box.h"
#include "store/store.h"

namespace openpca::authority {

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
};

struct BootstrapResult {
  std::string account_id;
  AccessKey admin_key;
  bool created = false;  // true when this call created the admin key
};

class Accounts {
 public:
  Accounts(store::Store& store, const keys::SecretBox& box, Random& random, const Clock& clock);

  // Ensures the account and the administrator key exist. When `fixed_key_id`/`fixed_secret` are
  // given (automation), that key is the administrator key. Errors: kInvalidArgs (a fixed key id
  // that exists with another secret, or a malformed fixed key), kInternal.
  Result<BootstrapResult> Bootstrap(const std::optional<std::string>& fixed_key_id,
                                    const std::optional<std::string>& fixed_secret);

  // Errors: kUnrecognizedClient for an unknown key id; kInternal.
  Result<AccessKey> Lookup(const std::string& access_key_id);

  const std::string& account_id() const { return account_id_; }

 private:
  store::Store& store_;
  const keys::SecretBox& box_;
  Random& random_;
  const Clock& clock_;
  std::string account_id_;

  std::shared_mutex mu_;
  std::unordered_map<std::string, AccessKey> cache_;
};

}  // namespace openpca::authority

// `openpca migrate-key`: moves a CA's key from the software key store onto the configured PKCS#11
// token, and refuses the reverse for keys the token will not let go (docs/operations.md).
//
// Run it with the server stopped, with the same configuration (file, --data-dir, environment) the
// server uses. The move: the software key is decrypted, created on the token as a sensitive,
// non-extractable key pair (C_CreateObject), read back and compared, the CA record's key id (and
// KeyStorageSecurityStandard) updated through the store, and only then the software key file is
// destroyed (kept with --keep-software-key). A failure before the record update removes the
// token copy; the CA keeps its software key.
#pragma once

#include <optional>
#include <string>

namespace openpca::server {

struct MigrateKeyFlags {
  std::optional<std::string> data_dir;
  std::optional<std::string> config_file;
  std::string ca_arn;
  std::string to = "pkcs11";  // "pkcs11" | "software"
  bool keep_software_key = false;
};

// Returns the process exit code: 0 moved (or already there), 1 failure, 2 refused.
int MigrateKey(const MigrateKeyFlags& flags);

}  // namespace openpca::server

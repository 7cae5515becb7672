// KeyVault: where a software key store keeps its sealed keys (SecretBox output: never a clear
// key). FileKeyVault keeps them as files in a private directory (one server); a vault over the
// shared database (server/db_key_vault.h) lets every server sharing that database load them.
//
// Implementations are thread-safe; Put is durable before it returns.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::keys {

class KeyVault {
 public:
  virtual ~KeyVault() = default;
  // Stores the sealed key of a new `key_id` (a fresh UUID: a vault may refuse a taken id with
  // kInvalidArgs). Errors: kInternal.
  virtual Status Put(const std::string& key_id, std::span<const uint8_t> sealed) = 0;
  // Errors: kResourceNotFound (unknown id); kInternal.
  virtual Result<Bytes> Get(const std::string& key_id) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Status Remove(const std::string& key_id) = 0;
};

// The files `<dir>/<uuid>.key` (0600, written atomically) of key ids "soft:<uuid>".
class FileKeyVault final : public KeyVault {
 public:
  // Opens (creating it with mode 0700 if missing) the key directory.
  // Errors: kInvalidArgs (not a directory, writable by group/other); kInternal.
  static Result<std::unique_ptr<FileKeyVault>> Open(const std::string& dir);

  Status Put(const std::string& key_id, std::span<const uint8_t> sealed) override;
  Result<Bytes> Get(const std::string& key_id) override;
  Status Remove(const std::string& key_id) override;

 private:
  explicit FileKeyVault(std::string dir) : dir_(std::move(dir)) {}
  // The key file for `key_id`, or kResourceNotFound when the id is not a well-formed soft id.
  Result<std::string> PathFor(const std::string& key_id) const;

  const std::string dir_;
};

}  // namespace openpca::keys

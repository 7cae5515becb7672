// SealedKeyStore: sealed CA private keys (SecretBox output, never a clear key) in the database,
// for servers that share it and sign for the same CAs (the software key store's vault on
// PostgreSQL, server/db_key_vault.h). Thread-safe; writes are durable before they return.
#pragma once

#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::store {

class SealedKeyStore {
 public:
  virtual ~SealedKeyStore() = default;
  // Errors: kInvalidArgs when `key_id` exists already; kInternal.
  virtual Status InsertSealedKey(std::string_view key_id, std::span<const uint8_t> sealed,
                                 int64_t created_at_ms) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Result<Bytes> GetSealedKey(std::string_view key_id) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Status DeleteSealedKey(std::string_view key_id) = 0;
};

}  // namespace openpca::store

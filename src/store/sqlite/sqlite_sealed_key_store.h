// SqliteSealedKeyStore: the SealedKeyStore (store/sealed_key_store.h) on the database of a
// SqliteStore. Thread-safe; the SqliteStore must outlive it.
#pragma once

#include "store/sealed_key_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {

class SqliteSealedKeyStore final : public SealedKeyStore {
 public:
  explicit SqliteSealedKeyStore(SqliteStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Status InsertSealedKey(std::string_view key_id, std::span<const uint8_t> sealed,
                         int64_t created_at_ms) override;
  Result<Bytes> GetSealedKey(std::string_view key_id) override;
  Status DeleteSealedKey(std::string_view key_id) override;

 private:
  SqliteReadPool& reads_;
  SqliteWriter& writer_;
};

}  // namespace openpca::store

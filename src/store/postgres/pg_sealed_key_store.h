// PgSealedKeyStore: the SealedKeyStore (store/sealed_key_store.h) on the database of a PgStore:
// every server sharing the database loads the same sealed CA keys. Thread-safe; the PgStore must
// outlive it.
#pragma once

#include "store/postgres/pg_store.h"
#include "store/sealed_key_store.h"

namespace openpca::store {

class PgSealedKeyStore final : public SealedKeyStore {
 public:
  explicit PgSealedKeyStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Status InsertSealedKey(std::string_view key_id, std::span<const uint8_t> sealed,
                         int64_t created_at_ms) override;
  Result<Bytes> GetSealedKey(std::string_view key_id) override;
  Status DeleteSealedKey(std::string_view key_id) override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

}  // namespace openpca::store

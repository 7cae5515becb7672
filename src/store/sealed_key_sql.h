// The statements of the sealed_keys table (migration 0013), the same text for every SQL dialect:
// parameters numbered ($1 in PostgreSQL, ?1 in SQLite, spelled by `p`).
#pragma once

#include <string>

namespace openpca::store {

// 1 key_id, 2 sealed, 3 created_at_ms. Returns the key id when inserted; no row when it exists.
inline std::string InsertSealedKeySql(char p) {
  const std::string s(1, p);
  return "INSERT INTO sealed_keys (key_id, sealed, created_at_ms) VALUES (" + s + "1, " + s +
         "2, " + s + "3) ON CONFLICT (key_id) DO NOTHING RETURNING key_id";
}
inline std::string GetSealedKeySql(char p) {
  return std::string("SELECT sealed FROM sealed_keys WHERE key_id = ") + p + "1";
}
inline std::string DeleteSealedKeySql(char p) {
  return std::string("DELETE FROM sealed_keys WHERE key_id = ") + p + "1 RETURNING key_id";
}

}  // namespace openpca::store

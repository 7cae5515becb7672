// A table whose rows expire (idempotency claims of acm-pca and of ACM), and the SQL that purges
// one bounded batch of its expired rows, for both engines (sqlite/sqlite_expiry.h,
// postgres/pg_expiry.h). Pure functions.
#pragma once

#include <string>

#include "common/status.h"

namespace openpca::store {

// A primary key column and an expiry column in Unix milliseconds. The names are compile-time
// constants of the store, never input.
struct ExpiringTable {
  const char* table;
  const char* key_column;
  const char* expires_at_ms_column;
};

// DELETE of at most `limit_param` rows expired at or before `now_param` (the dialect's
// placeholders); `lock` ends the inner SELECT (" FOR UPDATE SKIP LOCKED" on PostgreSQL).
inline std::string PurgeExpiredSql(const ExpiringTable& t, const char* now_param,
                                   const char* limit_param, const char* lock) {
  return std::string("DELETE FROM ") + t.table + " WHERE " + t.key_column + " IN (SELECT " +
         t.key_column + " FROM " + t.table + " WHERE " + t.expires_at_ms_column +
         " <= " + now_param + " LIMIT " + limit_param + lock + ")";
}

inline Status CheckPurgeLimit(int limit) {
  if (limit <= 0) return Status(ErrorCode::kInvalidArgs, "purge limit must be positive");
  return Status::Ok();
}

}  // namespace openpca::store

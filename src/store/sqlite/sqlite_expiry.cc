#include "store/sqlite/sqlite_expiry.h"

#include <string>

namespace openpca::store {

Result<int64_t> PurgeExpiredRows(SqliteWriter& writer, const ExpiringTable& t, int64_t now_ms,
                                 int limit) {
  RETURN_IF_ERROR(CheckPurgeLimit(limit));
  const std::string sql = PurgeExpiredSql(t, "?1", "?2", "");
  int64_t deleted = 0;
  RETURN_IF_ERROR(writer.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    stmt.BindInt64(1, now_ms).BindInt64(2, limit);
    RETURN_IF_ERROR(stmt.Run());
    deleted = stmt.Changes();
    return Status::Ok();
  }));
  return deleted;
}

}  // namespace openpca::store

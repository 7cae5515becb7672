#include "store/postgres/pg_expiry.h"

#include <string>

namespace openpca::store {

Result<int64_t> PgPurgeExpiredRows(PgWriter& writer, const ExpiringTable& t, int64_t now_ms,
                                   int limit) {
  RETURN_IF_ERROR(CheckPurgeLimit(limit));
  const std::string sql = PurgeExpiredSql(t, "$1", "$2", " FOR UPDATE SKIP LOCKED");
  int64_t deleted = 0;
  RETURN_IF_ERROR(writer.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Int64(now_ms).Int64(limit);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec(sql, params));
    deleted = done.affected_rows();
    return Status::Ok();
  }));
  return deleted;
}

}  // namespace openpca::store

#include "store/postgres/pg_stats_store.h"

#include <string>

namespace openpca::store {

Result<std::vector<CaExpiryRecord>> PgStatsStore::ListCaExpiries() {
  return WithPgReader(reads_, [](PgConnection& conn) -> Result<std::vector<CaExpiryRecord>> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT id, status, not_after_s FROM certificate_authorities "
                               "WHERE not_after_s IS NOT NULL AND status NOT IN "
                               "('DELETED', 'FAILED') ORDER BY id"));
    std::vector<CaExpiryRecord> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) {
      CaExpiryRecord& e = out.emplace_back();
      e.ca_id = rows.String(r, 0);
      e.status = rows.String(r, 1);
      e.not_after_s = rows.Int64(r, 2);
    }
    return out;
  });
}

Result<std::vector<ExpiryBucketCount>> PgStatsStore::CountCertificatesByExpiry(
    int64_t now_s, std::span<const int64_t> upper_bounds_s) {
  // $1 = now; $2.. = the bounds. The CASE picks the first bucket whose bound is not below. SUM of
  // a BIGINT is NUMERIC in PostgreSQL: cast back (a sum of seconds left fits in 64 bits).
  std::string sql = "SELECT ca_id, CASE";
  for (size_t i = 0; i < upper_bounds_s.size(); ++i) {
    sql += " WHEN not_after_s - $1 <= $" + std::to_string(i + 2) + " THEN " + std::to_string(i);
  }
  sql += " ELSE " + std::to_string(upper_bounds_s.size()) +
         " END AS bucket, COUNT(*), SUM(not_after_s - $1)::BIGINT FROM certificates "
         "WHERE revoked_at_ms IS NULL AND not_after_s > $1 GROUP BY ca_id, bucket "
         "ORDER BY ca_id, bucket";
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<ExpiryBucketCount>> {
    PgParams params;
    params.Int64(now_s);
    for (int64_t bound : upper_bounds_s) params.Int64(bound);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
    std::vector<ExpiryBucketCount> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) {
      ExpiryBucketCount& c = out.emplace_back();
      c.ca_id = rows.String(r, 0);
      c.bucket = static_cast<size_t>(rows.Int64(r, 1));
      c.count = rows.Int64(r, 2);
      c.seconds_left = rows.Int64(r, 3);
    }
    return out;
  });
}

}  // namespace openpca::store

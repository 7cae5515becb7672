#include "store/sqlite/sqlite_stats_store.h"

namespace openpca::store {

Result<std::vector<CaExpiryRecord>> SqliteStatsStore::ListCaExpiries() {
  ASSIGN_OR_RETURN(SqliteReadPool::Lease conn, reads_.Acquire());
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn->Prepare("SELECT id, status, not_after_s FROM certificate_authorities "
                                 "WHERE not_after_s IS NOT NULL AND status NOT IN "
                                 "('DELETED', 'FAILED') ORDER BY id"));
  std::vector<CaExpiryRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    CaExpiryRecord& r = out.emplace_back();
    r.ca_id = stmt.ColumnText(0);
    r.status = stmt.ColumnText(1);
    r.not_after_s = stmt.ColumnInt64(2);
  }
}

Result<std::vector<ExpiryBucketCount>> SqliteStatsStore::CountCertificatesByExpiry(
    int64_t now_s, std::span<const int64_t> upper_bounds_s) {
  // ?1 = now; ?2.. = the bounds. The CASE picks the first bucket whose bound is not below.
  std::string sql = "SELECT ca_id, CASE";
  for (size_t i = 0; i < upper_bounds_s.size(); ++i) {
    sql += " WHEN not_after_s - ?1 <= ?" + std::to_string(i + 2) + " THEN " + std::to_string(i);
  }
  sql += " ELSE " + std::to_string(upper_bounds_s.size()) +
         " END AS bucket, COUNT(*), SUM(not_after_s - ?1) FROM certificates "
         "WHERE revoked_at_ms IS NULL AND not_after_s > ?1 GROUP BY ca_id, bucket "
         "ORDER BY ca_id, bucket";
  ASSIGN_OR_RETURN(SqliteReadPool::Lease conn, reads_.Acquire());
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn->Prepare(sql));
  stmt.BindInt64(1, now_s);
  for (size_t i = 0; i < upper_bounds_s.size(); ++i) {
    stmt.BindInt64(static_cast<int>(i + 2), upper_bounds_s[i]);
  }
  std::vector<ExpiryBucketCount> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    ExpiryBucketCount& c = out.emplace_back();
    c.ca_id = stmt.ColumnText(0);
    c.bucket = static_cast<size_t>(stmt.ColumnInt64(1));
    c.count = stmt.ColumnInt64(2);
    c.seconds_left = stmt.ColumnInt64(3);
  }
}

}  // namespace openpca::store

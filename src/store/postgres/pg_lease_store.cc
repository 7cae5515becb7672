#include "store/postgres/pg_lease_store.h"

#include <string>

#include "store/lease_sql.h"

namespace openpca::store {
namespace {

Status PgCheckLeaseArgs(std::string_view name, std::string_view holder, int64_t term_ms) {
  if (name.empty() || holder.empty() || term_ms <= 0) {
    return Status(ErrorCode::kInvalidArgs, "lease name, holder and a positive term are required");
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<LeaseRecord>> PgLeaseStore::AcquireLease(std::string_view name,
                                                              std::string_view holder,
                                                              int64_t now_ms, int64_t term_ms) {
  RETURN_IF_ERROR(PgCheckLeaseArgs(name, holder, term_ms));
  static const std::string sql = AcquireLeaseSql('$');
  std::optional<LeaseRecord> held;
  RETURN_IF_ERROR(writer_.Run([&](PgConnection& conn) -> Status {
    held.reset();
    PgParams params;
    params.Text(name).Text(holder).Int64(now_ms).Int64(now_ms + term_ms);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
    if (rows.rows() > 0) {
      held = LeaseRecord{std::string(name), rows.String(0, 0), rows.Int64(0, 1), rows.Int64(0, 2)};
    }
    return Status::Ok();
  }));
  return held;
}

Status PgLeaseStore::ReleaseLease(std::string_view name, std::string_view holder) {
  static const std::string sql = ReleaseLeaseSql('$');
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(name).Text(holder);
    return conn.Exec(sql, params).status();
  });
}

Result<std::optional<LeaseRecord>> PgLeaseStore::GetLease(std::string_view name) {
  static const std::string sql = GetLeaseSql('$');
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::optional<LeaseRecord>> {
    PgParams params;
    params.Text(name);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
    if (rows.rows() == 0) return std::optional<LeaseRecord>();
    return std::optional<LeaseRecord>(
        LeaseRecord{std::string(name), rows.String(0, 0), rows.Int64(0, 1), rows.Int64(0, 2)});
  });
}

}  // namespace openpca::store

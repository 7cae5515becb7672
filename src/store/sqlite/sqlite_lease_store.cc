#include "store/sqlite/sqlite_lease_store.h"

#include <string>

#include "store/lease_sql.h"

namespace openpca::store {
namespace {

Status CheckLeaseArgs(std::string_view name, std::string_view holder, int64_t term_ms) {
  if (name.empty() || holder.empty() || term_ms <= 0) {
    return Status(ErrorCode::kInvalidArgs, "lease name, holder and a positive term are required");
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<LeaseRecord>> SqliteLeaseStore::AcquireLease(std::string_view name,
                                                                  std::string_view holder,
                                                                  int64_t now_ms,
                                                                  int64_t term_ms) {
  RETURN_IF_ERROR(CheckLeaseArgs(name, holder, term_ms));
  static const std::string sql = AcquireLeaseSql('?');
  std::optional<LeaseRecord> held;
  RETURN_IF_ERROR(writer_.Run([&](SqliteConnection& conn) -> Status {
    held.reset();
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    stmt.BindText(1, name).BindText(2, holder).BindInt64(3, now_ms).BindInt64(4, now_ms + term_ms);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) {
      held = LeaseRecord{std::string(name), stmt.ColumnText(0), stmt.ColumnInt64(1),
                         stmt.ColumnInt64(2)};
      ASSIGN_OR_RETURN(bool more, stmt.Step());  // finish the statement
      (void)more;
    }
    return Status::Ok();
  }));
  return held;
}

Status SqliteLeaseStore::ReleaseLease(std::string_view name, std::string_view holder) {
  static const std::string sql = ReleaseLeaseSql('?');
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    stmt.BindText(1, name).BindText(2, holder);
    return stmt.Run();
  });
}

Result<std::optional<LeaseRecord>> SqliteLeaseStore::GetLease(std::string_view name) {
  static const std::string sql = GetLeaseSql('?');
  ASSIGN_OR_RETURN(SqliteReadPool::Lease conn, reads_.Acquire());
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn->Prepare(sql));
  stmt.BindText(1, name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<LeaseRecord>();
  return std::optional<LeaseRecord>(
      LeaseRecord{std::string(name), stmt.ColumnText(0), stmt.ColumnInt64(1), stmt.ColumnInt64(2)});
}

}  // namespace openpca::store

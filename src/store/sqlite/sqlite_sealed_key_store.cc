#include "store/sqlite/sqlite_sealed_key_store.h"

#include <string>

#include "store/sealed_key_sql.h"

namespace openpca::store {
namespace {

Status SqliteNoSuchSealedKey(std::string_view key_id) {
  return Status(ErrorCode::kResourceNotFound, "no sealed key " + std::string(key_id));
}

}  // namespace

Status SqliteSealedKeyStore::InsertSealedKey(std::string_view key_id,
                                             std::span<const uint8_t> sealed,
                                             int64_t created_at_ms) {
  static const std::string sql = InsertSealedKeySql('?');
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    stmt.BindText(1, key_id).BindBlob(2, sealed).BindInt64(3, created_at_ms);
    ASSIGN_OR_RETURN(bool inserted, stmt.Step());
    if (!inserted) {
      return Status(ErrorCode::kInvalidArgs, "sealed key " + std::string(key_id) + " exists");
    }
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    (void)more;
    return Status::Ok();
  });
}

Result<Bytes> SqliteSealedKeyStore::GetSealedKey(std::string_view key_id) {
  static const std::string sql = GetSealedKeySql('?');
  ASSIGN_OR_RETURN(SqliteReadPool::Lease conn, reads_.Acquire());
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn->Prepare(sql));
  stmt.BindText(1, key_id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return SqliteNoSuchSealedKey(key_id);
  return stmt.ColumnBlob(0);
}

Status SqliteSealedKeyStore::DeleteSealedKey(std::string_view key_id) {
  static const std::string sql = DeleteSealedKeySql('?');
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    stmt.BindText(1, key_id);
    ASSIGN_OR_RETURN(bool deleted, stmt.Step());
    if (!deleted) return SqliteNoSuchSealedKey(key_id);
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    (void)more;
    return Status::Ok();
  });
}

}  // namespace openpca::store

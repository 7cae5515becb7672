#include "store/postgres/pg_sealed_key_store.h"

#include <string>

#include "store/sealed_key_sql.h"

namespace openpca::store {
namespace {

Status PgNoSuchSealedKey(std::string_view key_id) {
  return Status(ErrorCode::kResourceNotFound, "no sealed key " + std::string(key_id));
}

}  // namespace

Status PgSealedKeyStore::InsertSealedKey(std::string_view key_id, std::span<const uint8_t> sealed,
                                         int64_t created_at_ms) {
  static const std::string sql = InsertSealedKeySql('$');
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(key_id).Bytea(sealed).Int64(created_at_ms);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
    if (rows.rows() == 0) {
      return Status(ErrorCode::kInvalidArgs, "sealed key " + std::string(key_id) + " exists");
    }
    return Status::Ok();
  });
}

Result<Bytes> PgSealedKeyStore::GetSealedKey(std::string_view key_id) {
  static const std::string sql = GetSealedKeySql('$');
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<Bytes> {
    PgParams params;
    params.Text(key_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
    if (rows.rows() == 0) return PgNoSuchSealedKey(key_id);
    return rows.Bytea(0, 0);
  });
}

Status PgSealedKeyStore::DeleteSealedKey(std::string_view key_id) {
  static const std::string sql = DeleteSealedKeySql('$');
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(key_id);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
    if (rows.rows() == 0) return PgNoSuchSealedKey(key_id);
    return Status::Ok();
  });
}

}  // namespace openpca::store

// SqliteStore's IdentityStore half: binds and reads the rows of store/identity_rows.h.
#include <string>
#include <variant>
#include <vector>

#include "store/identity_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::store {
namespace {

void Bind(SqliteStatement& stmt, int index, const IdentityValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    stmt.BindText(index, *s);
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    stmt.BindInt64(index, *i);
  } else {
    stmt.BindBlob(index, std::get<Bytes>(v));
  }
}

template <typename R>
Status PutRow(SqliteConnection& conn, const R& record) {
  IdentityTable t = IdentityMapping<R>::T();
  std::string sql = std::string("INSERT OR REPLACE INTO ") + t.name + " (";
  std::string values;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i ? ", " : "") + std::string(t.columns[i]);
    values += (i ? ", ?" : "?") + std::to_string(i + 1);
  }
  sql += ") VALUES (" + values + ")";
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  IdentityRow row = IdentityMapping<R>::To(record);
  for (size_t i = 0; i < row.size(); ++i) Bind(stmt, static_cast<int>(i + 1), row[i]);
  return stmt.Run();
}

template <typename R>
Status DeleteRow(SqliteConnection& conn, const R& record) {
  IdentityTable t = IdentityMapping<R>::T();
  std::string sql = std::string("DELETE FROM ") + t.name + " WHERE ";
  for (size_t i = 0; i < t.key_count; ++i) {
    sql += (i ? " AND " : "") + std::string(t.columns[i]) + " = ?" + std::to_string(i + 1);
  }
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  IdentityRow row = IdentityMapping<R>::To(record);
  for (size_t i = 0; i < t.key_count; ++i) Bind(stmt, static_cast<int>(i + 1), row[i]);
  return stmt.Run();
}

template <typename R>
Status LoadTable(SqliteConnection& conn, std::vector<IdentityRecord>& out) {
  IdentityTable t = IdentityMapping<R>::T();
  std::string sql = "SELECT ";
  for (size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + std::string(t.columns[i]);
  sql += std::string(" FROM ") + t.name + " ORDER BY rowid";
  ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
  IdentityRow prototype = IdentityMapping<R>::To(R{});
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    IdentityRow row = prototype;
    for (size_t i = 0; i < row.size(); ++i) {
      int c = static_cast<int>(i);
      if (std::holds_alternative<std::string>(row[i])) {
        row[i] = stmt.ColumnText(c);
      } else if (std::holds_alternative<int64_t>(row[i])) {
        row[i] = stmt.ColumnInt64(c);
      } else {
        row[i] = stmt.ColumnBlob(c);
      }
    }
    out.push_back(IdentityMapping<R>::From(std::move(row)));
  }
  return Status::Ok();
}

template <size_t... Is>
Status LoadAll(SqliteConnection& conn, std::vector<IdentityRecord>& out,
               std::index_sequence<Is...>) {
  Status st;
  ((st.ok() ? (st = LoadTable<std::variant_alternative_t<Is, IdentityRecord>>(conn, out), 0)
            : 0),
   ...);
  return st;
}

}  // namespace

Result<IdentitySnapshot> SqliteStore::LoadIdentity() {
  return WithIdentityReader([](SqliteConnection& conn) -> Result<IdentitySnapshot> {
    IdentitySnapshot snapshot;
    RETURN_IF_ERROR(LoadAll(conn, snapshot.records,
                            std::make_index_sequence<std::variant_size_v<IdentityRecord>>()));
    return snapshot;
  });
}

Status SqliteStore::ApplyIdentityChanges(std::span<const IdentityChange> changes) {
  return writer_->Run([&](SqliteConnection& conn) -> Status {
    for (const IdentityChange& change : changes) {
      Status st = std::visit(
          [&](const auto& record) {
            return change.kind == IdentityChange::Kind::kPut ? PutRow(conn, record)
                                                             : DeleteRow(conn, record);
          },
          change.record);
      RETURN_IF_ERROR(st);
    }
    ASSIGN_OR_RETURN(SqliteStatement bump,
                     conn.Prepare("INSERT INTO settings (name, value) VALUES "
                                  "('identity_generation', '1') ON CONFLICT (name) DO UPDATE SET "
                                  "value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"));
    return bump.Run();
  });
}

Result<int64_t> SqliteStore::IdentityGeneration() {
  ASSIGN_OR_RETURN(std::optional<std::string> value, GetSetting("identity_generation"));
  if (!value.has_value()) return int64_t{0};
  return static_cast<int64_t>(std::stoll(*value));
}

}  // namespace openpca::store

// PgStore's IdentityStore half: binds and reads the rows of store/identity_rows.h.
//
// A put is one INSERT ... ON CONFLICT (key) DO UPDATE, so servers sharing the database may put the
// same key at once (the later one wins, as with one server); it also takes the new spelling of a
// case-insensitive name key. LoadIdentity reads every table in one REPEATABLE READ snapshot, each
// table in key order: PostgreSQL keeps no insertion order (the identity module keys every table).
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/identity_rows.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {
namespace {

void PgAddIdentityParam(PgParams& params, const IdentityValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    params.Text(*s);
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    params.Int64(*i);
  } else {
    params.Bytea(std::get<Bytes>(v));
  }
}

std::string PgIdentityColumnList(const IdentityTable& t, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += (i ? ", " : "") + std::string(t.columns[i]);
  return out;
}

template <typename R>
const std::string& PgPutIdentitySql() {
  static const std::string sql = [] {
    const IdentityTable t = IdentityMapping<R>::T();
    std::string s = std::string("INSERT INTO ") + t.name + " (" +
                    PgIdentityColumnList(t, t.columns.size()) + ") VALUES (";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      s += (i ? ", $" : "$") + std::to_string(i + 1);
    }
    s += ") ON CONFLICT (" + PgIdentityColumnList(t, t.key_count) + ") DO UPDATE SET ";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const std::string c = t.columns[i];
      s += (i ? ", " : "") + c + " = excluded." + c;
    }
    return s;
  }();
  return sql;
}

template <typename R>
const std::string& PgDeleteIdentitySql() {
  static const std::string sql = [] {
    const IdentityTable t = IdentityMapping<R>::T();
    std::string s = std::string("DELETE FROM ") + t.name + " WHERE ";
    for (size_t i = 0; i < t.key_count; ++i) {
      s += (i ? " AND " : "") + std::string(t.columns[i]) + " = $" + std::to_string(i + 1);
    }
    return s;
  }();
  return sql;
}

template <typename R>
const std::string& PgLoadIdentitySql() {
  static const std::string sql = [] {
    const IdentityTable t = IdentityMapping<R>::T();
    return "SELECT " + PgIdentityColumnList(t, t.columns.size()) + " FROM " + t.name +
           " ORDER BY " + PgIdentityColumnList(t, t.key_count);
  }();
  return sql;
}

template <typename R>
Status PgPutIdentityRow(PgConnection& conn, const R& record) {
  const IdentityRow row = IdentityMapping<R>::To(record);
  PgParams params;
  for (const IdentityValue& v : row) PgAddIdentityParam(params, v);
  return conn.Exec(PgPutIdentitySql<R>(), params).status();
}

template <typename R>
Status PgDeleteIdentityRow(PgConnection& conn, const R& record) {
  const IdentityRow row = IdentityMapping<R>::To(record);
  PgParams params;
  for (size_t i = 0; i < IdentityMapping<R>::T().key_count; ++i) {
    PgAddIdentityParam(params, row[i]);
  }
  return conn.Exec(PgDeleteIdentitySql<R>(), params).status();
}

template <typename R>
Status PgLoadIdentityTable(PgConnection& conn, std::vector<IdentityRecord>& out) {
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgLoadIdentitySql<R>()));
  const IdentityRow prototype = IdentityMapping<R>::To(R{});
  for (int r = 0; r < rows.rows(); ++r) {
    IdentityRow row = prototype;
    for (size_t i = 0; i < row.size(); ++i) {
      const int c = static_cast<int>(i);
      if (std::holds_alternative<std::string>(row[i])) {
        row[i] = rows.String(r, c);
      } else if (std::holds_alternative<int64_t>(row[i])) {
        row[i] = rows.Int64(r, c);
      } else {
        row[i] = rows.Bytea(r, c);
      }
    }
    out.push_back(IdentityMapping<R>::From(std::move(row)));
  }
  return Status::Ok();
}

template <size_t... Is>
Status PgLoadAllIdentity(PgConnection& conn, std::vector<IdentityRecord>& out,
                         std::index_sequence<Is...>) {
  Status st;
  ((st.ok()
        ? (st = PgLoadIdentityTable<std::variant_alternative_t<Is, IdentityRecord>>(conn, out), 0)
        : 0),
   ...);
  return st;
}

}  // namespace

Result<IdentitySnapshot> PgStore::LoadIdentity() {
  return WithPgReader(*reads_, [](PgConnection& conn) -> Result<IdentitySnapshot> {
    // One snapshot for every table: a change committed meanwhile is seen whole or not at all.
    RETURN_IF_ERROR(conn.Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    IdentitySnapshot snapshot;
    Status loaded = PgLoadAllIdentity(
        conn, snapshot.records, std::make_index_sequence<std::variant_size_v<IdentityRecord>>());
    if (loaded.ok()) loaded = conn.Run("COMMIT");
    if (!loaded.ok()) {
      // Best effort: a connection left in a transaction is not reused by the pool.
      if (!conn.broken()) (void)conn.Run("ROLLBACK");
      return loaded;
    }
    return snapshot;
  });
}

Status PgStore::ApplyIdentityChanges(std::span<const IdentityChange> changes) {
  return writer_->Run([&](PgConnection& conn) -> Status {
    for (const IdentityChange& change : changes) {
      Status st = std::visit(
          [&](const auto& record) {
            return change.kind == IdentityChange::Kind::kPut ? PgPutIdentityRow(conn, record)
                                                             : PgDeleteIdentityRow(conn, record);
          },
          change.record);
      RETURN_IF_ERROR(st);
    }
    return conn
        .Exec("INSERT INTO settings (name, value) VALUES ('identity_generation', '1') "
              "ON CONFLICT (name) DO UPDATE SET value = (settings.value::bigint + 1)::text")
        .status();
  });
}

Result<int64_t> PgStore::IdentityGeneration() {
  ASSIGN_OR_RETURN(std::optional<std::string> value, GetSetting("identity_generation"));
  if (!value.has_value()) return int64_t{0};
  return static_cast<int64_t>(std::stoll(*value));
}

}  // namespace openpca::store

#include "store/sqlite/sqlite_connection.h"

#include <utility>

namespace openpca::store {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = "sqlite ";
  message.append(what);
  message.append(": ");
  // sqlite3_errmsg describes the connection's last error, which is `rc` when called right after
  // the failing call; fall back to the generic text for the code otherwise.
  const char* detail =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message.append(detail != nullptr ? detail : "unknown error");
  message.append(" (");
  message.append(std::to_string(rc));
  message.append(")");
  return InternalError(std::move(message));
}

// --- SqliteStatement ---

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_status_(std::move(other.bind_status_)),
      last_error_code_(other.last_error_code_) {}

SqliteStatement::~SqliteStatement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void SqliteStatement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = SqliteError(db_, rc, "bind parameter " + std::to_string(index));
  }
}

SqliteStatement& SqliteStatement::BindInt64(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

SqliteStatement& SqliteStatement::BindText(int index, std::string_view value) {
  // A null pointer would bind SQL NULL; an empty string_view may carry one.
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBind(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8),
           index);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::span<const uint8_t> value) {
  // sqlite binds NULL for a null pointer, and an empty vector's data() may be null.
  if (value.empty()) {
    NoteBind(sqlite3_bind_zeroblob(stmt_, index, 0), index);
  } else {
    NoteBind(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_STATIC), index);
  }
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

SqliteStatement& SqliteStatement::BindOptionalInt64(int index,
                                                    const std::optional<int64_t>& value) {
  return value.has_value() ? BindInt64(index, *value) : BindNull(index);
}

SqliteStatement& SqliteStatement::BindOptionalText(int index,
                                                   const std::optional<std::string>& value) {
  return value.has_value() ? BindText(index, *value) : BindNull(index);
}

Result<bool> SqliteStatement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  last_error_code_ = rc;
  return SqliteError(db_, rc, "step");
}

Status SqliteStatement::Run() {
  ASSIGN_OR_RETURN(bool has_row, Step());
  if (has_row) {
    return InternalError(std::string("sqlite: statement returned rows: ") + sqlite3_sql(stmt_));
  }
  return Status::Ok();
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

void SqliteStatement::ColumnTextInto(int column, std::string& out) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) {
    out.clear();
    return;
  }
  out.assign(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

Bytes SqliteStatement::ColumnBlob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return Bytes();  // NULL or zero-length
  return Bytes(data, data + sqlite3_column_bytes(stmt_, column));
}

std::optional<int64_t> SqliteStatement::ColumnOptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnInt64(column);
}

std::optional<std::string> SqliteStatement::ColumnOptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnText(column);
}

// --- SqliteConnection ---

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 bool create, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDbPtr db(raw);  // sqlite may allocate a handle even when opening fails
  if (rc != SQLITE_OK) {
    Status error = SqliteError(db.get(), rc, "open " + path);
    return error;
  }
  sqlite3_extended_result_codes(db.get(), 1);
  rc = sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "busy_timeout");
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(std::move(db)));
}

Result<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    SqliteStmtPtr stmt(raw);
    if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
    // A cached statement is one statement; trailing text would be silently ignored.
    OPENPCA_CHECK(stmt != nullptr && tail == sql.data() + sql.size());
    it = statements_.emplace(std::string(sql), std::move(stmt)).first;
  }
  return SqliteStatement(db_.get(), it->second.get());
}

Status SqliteConnection::Execute(std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  return stmt.Run();
}

Status SqliteConnection::ExecuteScript(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = "sqlite exec: ";
  message.append(error != nullptr ? error : sqlite3_errstr(rc));
  message.append(" (" + std::to_string(rc) + ")");
  sqlite3_free(error);
  return InternalError(std::move(message));
}

Result<std::string> SqliteConnection::QueryText(std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return InternalError("sqlite: no row from " + std::string(sql));
  return stmt.ColumnText(0);
}

}  // namespace openpca::store

// SqliteConnection and SqliteStatement: RAII ownership of a sqlite3* and its prepared statements.
//
// A SqliteConnection owns one sqlite3 handle (opened SQLITE_OPEN_NOMUTEX) and a cache of prepared
// statements keyed by SQL text, so each statement is compiled once per connection. It is
// thread-compatible: one thread at a time uses it, which SqliteWriter (a single writer thread) and
// SqliteReadPool (one lease holder per connection) guarantee.
//
// A SqliteStatement borrows a cached statement for one use; its destructor resets it and clears
// its bindings. Hold at most one SqliteStatement per SQL text on a connection at a time.
// Every sqlite failure becomes kInternal carrying sqlite's message; the caller may also read the
// extended result code (e.g. SQLITE_CONSTRAINT_FOREIGNKEY) to map specific failures.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::store {

// kInternal status "sqlite <what>: <sqlite message> (<extended code>)".
Status SqliteError(sqlite3* db, int rc, std::string_view what);

struct SqliteDbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteStmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteDbPtr = std::unique_ptr<sqlite3, SqliteDbCloser>;
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, SqliteStmtFinalizer>;

class SqliteConnection;

// One use of a cached prepared statement. Move-only. Parameters are 1-based, columns 0-based.
// Bind* never fail on their own: the first binding error is kept and returned by Step()/Run().
// Text and blobs are bound without copying: they must outlive this object.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  SqliteStatement& BindInt64(int index, int64_t value);
  SqliteStatement& BindText(int index, std::string_view value);
  SqliteStatement& BindBlob(int index, std::span<const uint8_t> value);
  SqliteStatement& BindNull(int index);
  SqliteStatement& BindOptionalInt64(int index, const std::optional<int64_t>& value);
  SqliteStatement& BindOptionalText(int index, const std::optional<std::string>& value);

  // true when a row is available, false when the statement has finished.
  Result<bool> Step();
  // Steps to completion of a statement that returns no rows (rows are an error).
  Status Run();

  bool IsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  // ColumnText into an existing string, reusing its capacity (hot loops over many rows).
  void ColumnTextInto(int column, std::string& out) const;
  Bytes ColumnBlob(int column) const;
  std::optional<int64_t> ColumnOptionalInt64(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;

  // Rows changed by the last completed INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  // Extended result code of the last failed Step()/Run(), SQLITE_OK if none failed.
  int last_error_code() const { return last_error_code_; }

 private:
  void NoteBind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;  // owned by the connection's cache; nullptr once moved from
  Status bind_status_;
  int last_error_code_ = SQLITE_OK;
};

class SqliteConnection {
 public:
  // Opens `path` (creating the file only when `create`), with extended result codes and the
  // given busy timeout. Errors: kInternal.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool create,
                                                        int busy_timeout_ms);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // The cached statement for `sql` (a single statement), prepared on first use.
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Prepares (cached) and runs one statement that returns no rows.
  Status Execute(std::string_view sql);
  // Runs a script of several statements, uncached (schema migrations, pragmas).
  Status ExecuteScript(const std::string& sql);
  // Runs a one-row, one-column query and returns the value as text (PRAGMAs).
  Result<std::string> QueryText(std::string_view sql);

  // True when no transaction is open (sqlite may roll one back by itself on I/O errors).
  bool autocommit() const { return sqlite3_get_autocommit(db_.get()) != 0; }
  sqlite3* raw() const { return db_.get(); }

 private:
  explicit SqliteConnection(SqliteDbPtr db) : db_(std::move(db)) {}

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  SqliteDbPtr db_;  // declared first: destroyed after the statements it owns
  std::unordered_map<std::string, SqliteStmtPtr, StringHash, std::equal_to<>> statements_;
};

}  // namespace openpca::store

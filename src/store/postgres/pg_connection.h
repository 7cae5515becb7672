// PgConnection, PgParams and PgResult: RAII ownership of a libpq connection (PGconn) and its
// results (PGresult), with typed parameters and typed row access.
//
// A PgConnection owns one PGconn. It is thread-compatible: one thread at a time uses it, which
// PgWriter (a single writer thread) and PgPool (one lease holder per connection) guarantee.
// Statements run with PQexecParams: parameters are sent in binary form with their type (int8,
// text, bytea), so no value is ever spliced into SQL text; results come back as text and are
// decoded by PgResult.
//
// Every failure becomes kInternal carrying the server's message and SQLSTATE; the caller reads
// last_sqlstate() to map specific failures (e.g. kPgForeignKeyViolation) to a store error code.
// WARNING: a connection string may hold a password. It is never copied into a Status message or
// kept by this class: libpq's own message for an unparsable string, which may echo parts of it, is
// replaced by a fixed text.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::store {

// SQLSTATE codes the store maps to its own errors.
inline constexpr std::string_view kPgUniqueViolation = "23505";
inline constexpr std::string_view kPgForeignKeyViolation = "23503";
inline constexpr std::string_view kPgSerializationFailure = "40001";
inline constexpr std::string_view kPgDeadlockDetected = "40P01";

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultClearer>;

// The parameters $1, $2, ... of one statement, in order. Text and bytea values are referenced,
// not copied: they must outlive the Exec() call that uses them. Integers are kept here.
class PgParams {
 public:
  PgParams() = default;
  PgParams(const PgParams&) = delete;
  PgParams& operator=(const PgParams&) = delete;

  PgParams& Int64(int64_t value);
  PgParams& Text(std::string_view value);
  PgParams& Bytea(std::span<const uint8_t> value);
  PgParams& Null();
  PgParams& OptionalInt64(const std::optional<int64_t>& value);
  PgParams& OptionalText(const std::optional<std::string>& value);

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class PgConnection;
  PgParams& Add(Oid type, const char* data, size_t length);

  std::deque<std::array<char, 8>> ints_;  // deque: stable addresses while parameters are added
  std::vector<Oid> types_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// The rows of one successful statement. Move-only. Rows and columns are 0-based. Column accessors
// expect the column's SQL type (a mismatch is a bug and aborts).
class PgResult {
 public:
  explicit PgResult(PgResultPtr result) : result_(std::move(result)) {}

  int rows() const { return PQntuples(result_.get()); }
  // Rows changed by an INSERT/UPDATE/DELETE (without RETURNING: rows() is 0).
  int64_t affected_rows() const;

  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;  // valid while this result lives
  std::string String(int row, int column) const { return std::string(Text(row, column)); }
  std::optional<std::string> OptionalString(int row, int column) const;
  int64_t Int64(int row, int column) const;
  std::optional<int64_t> OptionalInt64(int row, int column) const;
  Bytes Bytea(int row, int column) const;

 private:
  PgResultPtr result_;
};

class PgConnection {
 public:
  // Connects with a libpq connection string ("host=... dbname=..." or a postgresql:// URI) and
  // sets the session up: UTF8 client encoding, hex bytea output, and `session_sql` when not
  // empty (e.g. "SET default_transaction_read_only = on"). Errors: kInternal.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                       std::string_view session_sql = {});

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with parameters. Errors: kInternal (see last_sqlstate()).
  Result<PgResult> Exec(std::string_view sql, const PgParams& params);
  Result<PgResult> Exec(std::string_view sql) { return Exec(sql, PgParams()); }
  // Runs one statement whose rows are not needed (BEGIN, SAVEPOINT, ...). Errors: kInternal.
  Status Run(std::string_view sql);
  // Runs a script of several statements without parameters, in the current transaction if one
  // is open (schema migrations). Errors: kInternal.
  Status RunScript(const std::string& sql);

  // SQLSTATE of the last failed call ("" when the last call succeeded or failed client-side).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // Whether the last failure means the connection is gone (it must be replaced), as opposed to a
  // statement error after which the connection stays usable.
  bool broken() const;
  // Cheap check between uses: false when the server has closed the connection or sent something
  // while idle (a termination notice). Never blocks.
  bool LooksHealthy();
  // Transaction state: idle, in a transaction, in a failed transaction, or unknown (lost).
  PGTransactionStatusType transaction_status() const { return PQtransactionStatus(conn_.get()); }

 private:
  explicit PgConnection(PgConnPtr conn) : conn_(std::move(conn)) {}
  // Turns a failed result (or none) into a Status and records its SQLSTATE.
  Status Failure(const PGresult* result, std::string_view sql);

  // The name of the server-side prepared statement for `sql` (prepared now on first use), or
  // nullptr to run it unprepared: not a plain SELECT/INSERT/UPDATE/DELETE/WITH, the cache full,
  // or the server refused to prepare it.
  const char* PreparedName(const std::string& sql, const PgParams& params);

  PgConnPtr conn_;
  std::string last_sqlstate_;
  // Statements prepared on this connection, by text: parsed and planned once, then only bound
  // and executed (an IssueCertificate's inserts are the same few statements every time).
  std::unordered_map<std::string, std::string> prepared_;
  static constexpr size_t kMaxPrepared = 512;
};

}  // namespace openpca::store

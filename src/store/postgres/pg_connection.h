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
//
// Pipeline mode (PgWriter's pipelined pass, docs/architecture.md): EnterPipeline(), then any
// number of SendInPipeline() whose results are read in order by NextPipelineResult() after a
// FlushPipeline(), then EndPipeline(). Statements are still prepared once per connection (the
// PREPARE travels in the same pipeline). A job of the pass does not touch the PGconn: it gets a
// PgConnection made by ForChannel(), whose Exec() hands each statement to a PgStatementChannel
// (the pass suspends the job until the writer has sent it with those of the other jobs and read
// its result).
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

// Where a PgConnection made by PgConnection::ForChannel() sends its statements.
class PgStatementChannel {
 public:
  virtual ~PgStatementChannel() = default;
  // Runs `sql` with `params` (both valid until it returns) and returns its result.
  virtual Result<PgResult> Exec(std::string_view sql, const PgParams& params) = 0;
};

class PgConnection {
 public:
  // Connects with a libpq connection string ("host=... dbname=..." or a postgresql:// URI) and
  // sets the session up: UTF8 client encoding, hex bytea output, and `session_sql` when not
  // empty (e.g. "SET default_transaction_read_only = on"). Errors: kInternal.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                       std::string_view session_sql = {});

  // A connection without a socket of its own: Exec() and Run() go through `channel` (which must
  // outlive it); RunScript() fails (a pipeline carries one statement per command); it reports no
  // broken state and an open transaction.
  static std::unique_ptr<PgConnection> ForChannel(PgStatementChannel* channel);

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
  PGTransactionStatusType transaction_status() const {
    return channel_ != nullptr ? PQTRANS_INTRANS : PQtransactionStatus(conn_.get());
  }

  // --- Pipeline mode. Between EnterPipeline() and EndPipeline() only these calls are allowed. ---

  // Enters pipeline mode (no result may be pending). Errors: kInternal.
  Status EnterPipeline();
  // Queues one statement (preparing it first, in the pipeline, when it is new). `params` need
  // not outlive the call. Every successful call adds exactly one result for
  // NextPipelineResult(). Errors: kInternal (nothing was queued).
  Status SendInPipeline(std::string_view sql, const PgParams& params);
  // Sends everything queued and asks the server to send back the results so far (no sync: the
  // transaction and the pipeline stay open). Errors: kInternal.
  Status FlushPipeline();
  // The result of the oldest statement queued and not yet read; blocks until it arrives. After a
  // failed statement the server skips the rest of the pipeline: those results are errors too.
  // Errors: kInternal (see last_sqlstate()).
  Result<PgResult> NextPipelineResult();
  // Marks the sync point that ends the pipeline and sends everything queued; results stay to be
  // read by NextPipelineResult() and EndPipeline(). Errors: kInternal.
  Status SyncPipeline();
  // Reads the results not yet read (discarding them), marks the sync point unless SyncPipeline()
  // did, waits for it and leaves pipeline mode. An open transaction stays open (failed, if a
  // statement failed). Errors: kInternal (the connection must then be replaced), also after a
  // failed SendInPipeline().
  Status EndPipeline();

 private:
  explicit PgConnection(PgConnPtr conn) : conn_(std::move(conn)) {}
  explicit PgConnection(PgStatementChannel* channel) : channel_(channel) {}
  // Whether `sql` may be prepared: plain DML and queries only (utility statements such as BEGIN,
  // SAVEPOINT, DECLARE or LOCK run unprepared).
  static bool Preparable(const std::string& sql);
  // Turns a failed result (or none) into a Status and records its SQLSTATE.
  Status Failure(const PGresult* result, std::string_view sql);

  // The name of the server-side prepared statement for `sql` (prepared now on first use), or
  // nullptr to run it unprepared: not a plain SELECT/INSERT/UPDATE/DELETE/WITH, the cache full,
  // or the server refused to prepare it.
  const char* PreparedName(const std::string& sql, const PgParams& params);

  PgConnPtr conn_;
  PgStatementChannel* channel_ = nullptr;  // set: a job's view of a pipelined pass (no conn_)
  std::string last_sqlstate_;
  // Pipeline mode: what each queued command is, in order, so NextPipelineResult() knows which
  // results belong to one statement. A statement prepared in the pipeline has two entries.
  struct PipelineEntry {
    bool prepare;          // a PREPARE (its result is folded into the next entry's)
    std::string prepared;  // prepare: the statement text, forgotten if the PREPARE fails
    std::string head;      // the start of the statement, for error messages
  };
  std::deque<PipelineEntry> pipeline_;
  bool pipeline_synced_ = false;  // SyncPipeline() was called
  bool pipeline_broken_ = false;  // a command could not be sent: results no longer line up
  // Statements prepared on this connection, by text: parsed and planned once, then only bound
  // and executed (an IssueCertificate's inserts are the same few statements every time).
  std::unordered_map<std::string, std::string> prepared_;
  static constexpr size_t kMaxPrepared = 512;
};

}  // namespace openpca::store

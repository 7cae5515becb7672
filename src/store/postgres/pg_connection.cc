#include "store/postgres/pg_connection.h"

#include <cctype>

#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace openpca::store {
namespace {

// Type OIDs of the parameters we send (pg_type.h; stable across PostgreSQL versions).
constexpr Oid kPgInt8Oid = 20;
constexpr Oid kPgTextOid = 25;
constexpr Oid kPgByteaOid = 17;

// libpq messages end with a newline and may span lines; a Status message is one line.
std::string OneLine(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out.empty() ? "unknown error" : out;
}

// The start of a statement, to say which one failed (its text is ours: never a value).
std::string_view StatementHead(std::string_view sql) {
  constexpr size_t kMax = 60;
  return sql.substr(0, std::min(sql.size(), kMax));
}

}  // namespace

// --- PgParams ---

PgParams& PgParams::Add(Oid type, const char* data, size_t length) {
  types_.push_back(type);
  values_.push_back(data);
  lengths_.push_back(static_cast<int>(length));
  formats_.push_back(1);  // binary
  return *this;
}

PgParams& PgParams::Int64(int64_t value) {
  // int8 in binary form is big-endian two's complement.
  std::array<char, 8>& bytes = ints_.emplace_back();
  uint64_t v = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return Add(kPgInt8Oid, bytes.data(), bytes.size());
}

PgParams& PgParams::Text(std::string_view value) {
  // A null pointer would send SQL NULL; an empty string_view may carry one.
  return Add(kPgTextOid, value.data() != nullptr ? value.data() : "", value.size());
}

PgParams& PgParams::Bytea(std::span<const uint8_t> value) {
  const char* data = value.data() != nullptr ? reinterpret_cast<const char*>(value.data()) : "";
  return Add(kPgByteaOid, data, value.size());
}

PgParams& PgParams::Null() {
  // Type 0: the server infers it from the context.
  return Add(0, nullptr, 0);
}

PgParams& PgParams::OptionalInt64(const std::optional<int64_t>& value) {
  return value.has_value() ? Int64(*value) : Null();
}

PgParams& PgParams::OptionalText(const std::optional<std::string>& value) {
  return value.has_value() ? Text(*value) : Null();
}

// --- PgResult ---

int64_t PgResult::affected_rows() const {
  const char* tuples = PQcmdTuples(result_.get());
  int64_t n = 0;
  if (tuples != nullptr && *tuples != '\0') {
    std::from_chars(tuples, tuples + std::strlen(tuples), n);
  }
  return n;
}

bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::Text(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

std::optional<std::string> PgResult::OptionalString(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return String(row, column);
}

int64_t PgResult::Int64(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // The column is BIGINT (or an integer expression) by the schema: anything else is a bug.
  OPENPCA_CHECK(ec == std::errc() && end == text.data() + text.size() && !text.empty());
  return value;
}

std::optional<int64_t> PgResult::OptionalInt64(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int64(row, column);
}

Bytes PgResult::Bytea(int row, int column) const {
  // bytea_output = hex (set at connect): "\x" then two lower-case hex digits per byte.
  std::string_view text = Text(row, column);
  OPENPCA_CHECK(text.size() >= 2 && text[0] == '\\' && text[1] == 'x' && text.size() % 2 == 0);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out((text.size() - 2) / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(text[2 + 2 * i]);
    int lo = nibble(text[3 + 2 * i]);
    OPENPCA_CHECK(hi >= 0 && lo >= 0);
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

// --- PgConnection ---

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo,
                                                            std::string_view session_sql) {
  {
    // Validate first: libpq's parse errors quote the string, which may hold a password.
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (error != nullptr) PQfreemem(error);
    if (options == nullptr) return InternalError("postgres: invalid connection string");
    PQconninfoFree(options);
  }
  const char* const keywords[] = {"dbname", "fallback_application_name", nullptr};
  const char* const values[] = {conninfo.c_str(), "openpca", nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) return InternalError("postgres: out of memory while connecting");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq names the server and user here, never the password.
    return InternalError("postgres: cannot connect: " + OneLine(PQerrorMessage(conn.get())));
  }
  if (PQsetClientEncoding(conn.get(), "UTF8") != 0) {
    return InternalError("postgres: cannot set client encoding: " +
                         OneLine(PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PgConnection> pg(new PgConnection(std::move(conn)));
  // PgResult::Bytea reads the hex form, whatever the server's default is. Notices (e.g. "already
  // exists, skipping") would go to stderr: only warnings and worse are sent.
  RETURN_IF_ERROR(pg->RunScript("SET bytea_output = 'hex'; SET client_min_messages = warning"));
  if (!session_sql.empty()) RETURN_IF_ERROR(pg->RunScript(std::string(session_sql)));
  return pg;
}

Status PgConnection::Failure(const PGresult* result, std::string_view sql) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  std::string message = "postgres: ";
  if (result != nullptr && PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) != nullptr) {
    message += OneLine(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
  } else {
    message += OneLine(PQerrorMessage(conn_.get()));
  }
  if (!last_sqlstate_.empty()) message += " (SQLSTATE " + last_sqlstate_ + ")";
  if (broken()) message += " (connection lost)";
  message += " in: ";
  message += StatementHead(sql);
  return InternalError(std::move(message));
}

bool PgConnection::Preparable(const std::string& sql) {
  size_t start = sql.find_first_not_of(" \t\n");
  if (start == std::string::npos) return false;
  std::string verb;
  for (size_t i = start; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i) {
    verb.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i]))));
  }
  return verb == "SELECT" || verb == "INSERT" || verb == "UPDATE" || verb == "DELETE" ||
         verb == "WITH";
}

const char* PgConnection::PreparedName(const std::string& sql, const PgParams& params) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second.c_str();
  if (prepared_.size() >= kMaxPrepared || !Preparable(sql)) return nullptr;
  std::string name = "openpca_" + std::to_string(prepared_.size());
  PgResultPtr made(PQprepare(conn_.get(), name.c_str(), sql.c_str(), params.size(),
                             params.types_.data()));
  if (made == nullptr || PQresultStatus(made.get()) != PGRES_COMMAND_OK) return nullptr;
  return prepared_.emplace(sql, std::move(name)).first->second.c_str();
}

std::unique_ptr<PgConnection> PgConnection::ForChannel(PgStatementChannel* channel) {
  return std::unique_ptr<PgConnection>(new PgConnection(channel));
}

Result<PgResult> PgConnection::Exec(std::string_view sql, const PgParams& params) {
  if (channel_ != nullptr) {
    // The pass that owns the channel decides the batch's fate from its own reading of the
    // results; the SQLSTATE does not travel.
    Result<PgResult> result = channel_->Exec(sql, params);
    last_sqlstate_.clear();
    return result;
  }
  const std::string text(sql);  // libpq wants a terminated string
  // Inside a failed transaction a PREPARE would fail too: run the statement as it is, for its
  // own (expected) error.
  const char* name = PQtransactionStatus(conn_.get()) == PQTRANS_INERROR
                         ? nullptr
                         : PreparedName(text, params);
  PgResultPtr result(
      name != nullptr
          ? PQexecPrepared(conn_.get(), name, params.size(), params.values_.data(),
                           params.lengths_.data(), params.formats_.data(), /*resultFormat=*/0)
          : PQexecParams(conn_.get(), text.c_str(), params.size(), params.types_.data(),
                         params.values_.data(), params.lengths_.data(), params.formats_.data(),
                         /*resultFormat=*/0));
  ExecStatusType status = result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Failure(result.get(), sql);
  }
  last_sqlstate_.clear();
  return PgResult(std::move(result));
}

Status PgConnection::Run(std::string_view sql) { return Exec(sql).status(); }

Status PgConnection::RunScript(const std::string& sql) {
  if (channel_ != nullptr) {
    return InternalError("postgres: a script cannot run in a pipeline: " +
                         std::string(StatementHead(sql)));
  }
  // The simple query protocol runs several statements; the result is the last one's, and the
  // first failure stops the script.
  PgResultPtr result(PQexec(conn_.get(), sql.c_str()));
  ExecStatusType status = result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return Failure(result.get(), sql);
  }
  last_sqlstate_.clear();
  return Status::Ok();
}

bool PgConnection::broken() const {
  return channel_ == nullptr && PQstatus(conn_.get()) != CONNECTION_OK;
}

bool PgConnection::LooksHealthy() {
  if (channel_ != nullptr) return true;
  if (broken()) return false;
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  int ready = poll(&p, 1, 0);
  if (ready < 0) return false;
  // An idle session receives nothing (no LISTEN is ever issued): readable means a termination
  // notice or end of stream.
  return ready == 0;
}

// --- Pipeline mode ---

Status PgConnection::EnterPipeline() {
  if (PQenterPipelineMode(conn_.get()) != 1) {
    return InternalError("postgres: cannot enter pipeline mode: " +
                         OneLine(PQerrorMessage(conn_.get())));
  }
  pipeline_.clear();
  pipeline_synced_ = false;
  pipeline_broken_ = false;
  return Status::Ok();
}

Status PgConnection::SyncPipeline() {
  if (PQpipelineSync(conn_.get()) != 1) return Failure(nullptr, "(pipeline sync)");
  pipeline_synced_ = true;
  return Status::Ok();
}

Status PgConnection::SendInPipeline(std::string_view sql, const PgParams& params) {
  const std::string text(sql);
  auto it = prepared_.find(text);
  const char* name = it != prepared_.end() ? it->second.c_str() : nullptr;
  if (name == nullptr && prepared_.size() < kMaxPrepared && Preparable(text)) {
    // Prepared now, in the pipeline: the server parses it before the execution that follows.
    // Should the PREPARE fail, NextPipelineResult() forgets the name again.
    std::string fresh = "openpca_" + std::to_string(prepared_.size());
    if (PQsendPrepare(conn_.get(), fresh.c_str(), text.c_str(), params.size(),
                      params.types_.data()) != 1) {
      pipeline_broken_ = true;
      return Failure(nullptr, sql);
    }
    pipeline_.push_back({true, text, ""});
    name = prepared_.emplace(text, std::move(fresh)).first->second.c_str();
  }
  const int sent =
      name != nullptr ? PQsendQueryPrepared(conn_.get(), name, params.size(), params.values_.data(),
                                            params.lengths_.data(), params.formats_.data(), 0)
                      : PQsendQueryParams(conn_.get(), text.c_str(), params.size(),
                                          params.types_.data(), params.values_.data(),
                                          params.lengths_.data(), params.formats_.data(), 0);
  if (sent != 1) {
    // What the server will answer no longer matches what we expect: EndPipeline() gives up.
    pipeline_broken_ = true;
    return Failure(nullptr, sql);
  }
  pipeline_.push_back({false, "", std::string(StatementHead(sql))});
  return Status::Ok();
}

Status PgConnection::FlushPipeline() {
  // Blocking mode: PQflush returns once everything is written. The server's answers to a round
  // are a few bytes per statement, far below what the socket buffers hold, so it never waits
  // for us to read while we write.
  if (PQsendFlushRequest(conn_.get()) != 1 || PQflush(conn_.get()) != 0) {
    return Failure(nullptr, "(pipeline flush)");
  }
  return Status::Ok();
}

Result<PgResult> PgConnection::NextPipelineResult() {
  OPENPCA_CHECK(!pipeline_.empty());
  Status prepare_failure = Status::Ok();
  for (;;) {
    PipelineEntry entry = std::move(pipeline_.front());
    pipeline_.pop_front();
    // One command's results end with a null result; a lost connection may end them early.
    PgResultPtr result(PQgetResult(conn_.get()));
    if (result != nullptr) {
      while (PgResultPtr extra{PQgetResult(conn_.get())}) {
        if (broken()) break;
      }
    }
    ExecStatusType status = result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (entry.prepare) {
      if (status != PGRES_COMMAND_OK) {
        prepared_.erase(entry.prepared);
        prepare_failure = Failure(result.get(), entry.prepared);
      }
      // Every PREPARE is followed by its execution, unless sending that failed (the pipeline is
      // then abandoned: pipeline_broken_).
      if (pipeline_.empty()) {
        return prepare_failure.ok() ? InternalError("postgres: statement not sent in pipeline")
                                    : prepare_failure;
      }
      continue;
    }
    if (!prepare_failure.ok()) return prepare_failure;
    if (status == PGRES_PIPELINE_ABORTED) {
      last_sqlstate_.clear();
      return InternalError("postgres: skipped after an earlier failure in the pipeline in: " +
                           entry.head);
    }
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Failure(result.get(), entry.head);
    }
    last_sqlstate_.clear();
    return PgResult(std::move(result));
  }
}

Status PgConnection::EndPipeline() {
  if (pipeline_broken_) {
    // The results cannot be matched to statements any more: the connection must be replaced.
    pipeline_.clear();
    return InternalError("postgres: a statement could not be sent in the pipeline");
  }
  while (!pipeline_.empty()) {
    (void)NextPipelineResult();  // read to reach the sync; the caller has its results already
    if (broken()) {
      pipeline_.clear();
      return Failure(nullptr, "(pipeline end)");
    }
  }
  if (!pipeline_synced_) RETURN_IF_ERROR(SyncPipeline());
  // Every command's results were read, so what comes next is the sync point (a null result
  // only when the connection is lost).
  for (int nulls = 0;;) {
    PgResultPtr result(PQgetResult(conn_.get()));
    if (result == nullptr) {
      if (broken() || ++nulls > 16) return Failure(nullptr, "(pipeline sync)");
      continue;
    }
    if (PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(conn_.get()) != 1) {
    return InternalError("postgres: cannot leave pipeline mode: " +
                         OneLine(PQerrorMessage(conn_.get())));
  }
  return Status::Ok();
}

}  // namespace openpca::store

#include "store/sqlite/sqlite_events_store.h"

#include "store/sqlite/sqlite_read_rows.h"

namespace openpca::store {
namespace {

using json = nlohmann::json;

json Document(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

bool IsUniqueViolation(int code) {
  return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

constexpr char kRuleColumns[] =
    "arn, account_id, region, name, state, document, created_at_ms, updated_at_ms";

EventRuleRecord ReadRule(const SqliteStatement& s) {
  EventRuleRecord r;
  r.arn = s.ColumnText(0);
  r.account_id = s.ColumnText(1);
  r.region = s.ColumnText(2);
  r.name = s.ColumnText(3);
  r.state = s.ColumnText(4);
  r.document = Document(s.ColumnText(5));
  r.created_at_ms = s.ColumnInt64(6);
  r.updated_at_ms = s.ColumnInt64(7);
  return r;
}

constexpr char kConnectionColumns[] =
    "arn, account_id, region, name, authorization_type, state, document, secret, created_at_ms, "
    "updated_at_ms";

EventConnectionRecord ReadConnection(const SqliteStatement& s) {
  EventConnectionRecord r;
  r.arn = s.ColumnText(0);
  r.account_id = s.ColumnText(1);
  r.region = s.ColumnText(2);
  r.name = s.ColumnText(3);
  r.authorization_type = s.ColumnText(4);
  r.state = s.ColumnText(5);
  r.document = Document(s.ColumnText(6));
  r.sealed_secret = s.ColumnBlob(7);
  r.created_at_ms = s.ColumnInt64(8);
  r.updated_at_ms = s.ColumnInt64(9);
  return r;
}

constexpr char kDestinationColumns[] =
    "arn, account_id, region, name, connection_arn, document, created_at_ms, updated_at_ms";

ApiDestinationRecord ReadDestination(const SqliteStatement& s) {
  ApiDestinationRecord r;
  r.arn = s.ColumnText(0);
  r.account_id = s.ColumnText(1);
  r.region = s.ColumnText(2);
  r.name = s.ColumnText(3);
  r.connection_arn = s.ColumnText(4);
  r.document = Document(s.ColumnText(5));
  r.created_at_ms = s.ColumnInt64(6);
  r.updated_at_ms = s.ColumnInt64(7);
  return r;
}

constexpr char kDeliveryColumns[] =
    "id, rule_arn, target_id, target_arn, target, envelope, attempts, accepted_at_ms, "
    "next_attempt_at_ms, last_error";

EventDeliveryRecord ReadDelivery(const SqliteStatement& s) {
  EventDeliveryRecord r;
  r.id = s.ColumnText(0);
  r.rule_arn = s.ColumnText(1);
  r.target_id = s.ColumnText(2);
  r.target_arn = s.ColumnText(3);
  r.target = s.ColumnText(4);
  r.envelope = s.ColumnText(5);
  r.attempts = s.ColumnInt64(6);
  r.accepted_at_ms = s.ColumnInt64(7);
  r.next_attempt_at_ms = s.ColumnInt64(8);
  r.last_error = s.ColumnText(9);
  return r;
}

Status DeleteByArn(SqliteWriter& writer, std::string_view table, std::string_view arn,
                   std::string_view what) {
  const std::string sql = "DELETE FROM " + std::string(table) + " WHERE arn = ?1";
  return writer.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    stmt.BindText(1, arn);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) {
      return Status(ErrorCode::kResourceNotFound, std::string(what) + " does not exist.");
    }
    return Status::Ok();
  });
}

}  // namespace

// --- Rules ---

Result<std::optional<EventRuleRecord>> SqliteEventsStore::GetRule(std::string_view arn) {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::optional<EventRuleRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(std::string("SELECT ") + kRuleColumns +
                                                        " FROM events_rules WHERE arn = ?1"));
    stmt.BindText(1, arn);
    return ReadOneRow<EventRuleRecord>(stmt, ReadRule);
  });
}

Result<std::vector<EventRuleRecord>> SqliteEventsStore::ListRules() {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<EventRuleRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare(std::string("SELECT ") + kRuleColumns +
                                  " FROM events_rules ORDER BY account_id, region, name"));
    return ReadAllRows<EventRuleRecord>(stmt, ReadRule);
  });
}

Status SqliteEventsStore::PutRule(const EventRuleRecord& rule) {
  const std::string document = rule.document.dump();
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare("INSERT INTO events_rules (arn, account_id, region, name, state, document, "
                     "created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                     "ON CONFLICT (arn) DO UPDATE SET state = excluded.state, "
                     "document = excluded.document, updated_at_ms = excluded.updated_at_ms"));
    stmt.BindText(1, rule.arn)
        .BindText(2, rule.account_id)
        .BindText(3, rule.region)
        .BindText(4, rule.name)
        .BindText(5, rule.state)
        .BindText(6, document)
        .BindInt64(7, rule.created_at_ms)
        .BindInt64(8, rule.updated_at_ms);
    return stmt.Run();
  });
}

Status SqliteEventsStore::DeleteRule(std::string_view arn) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    {
      ASSIGN_OR_RETURN(SqliteStatement count,
                       conn.Prepare("SELECT COUNT(*) FROM events_targets WHERE rule_arn = ?1"));
      count.BindText(1, arn);
      ASSIGN_OR_RETURN(bool row, count.Step());
      if (row && count.ColumnInt64(0) > 0) {
        return Status(ErrorCode::kValidation, "Rule can't be deleted since it has targets.");
      }
    }
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare("DELETE FROM events_rules WHERE arn = ?1"));
    stmt.BindText(1, arn);
    RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() == 0) return Status(ErrorCode::kResourceNotFound, "Rule does not exist.");
    return Status::Ok();
  });
}

// --- Targets ---

Result<std::vector<EventTargetRecord>> SqliteEventsStore::ListTargets() {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<EventTargetRecord>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT rule_arn, target_id, document, created_at_ms FROM "
                                  "events_targets ORDER BY rule_arn, target_id"));
    return ReadAllRows<EventTargetRecord>(stmt, [](const SqliteStatement& s) {
      return EventTargetRecord{s.ColumnText(0), s.ColumnText(1), Document(s.ColumnText(2)),
                               s.ColumnInt64(3)};
    });
  });
}

Status SqliteEventsStore::PutTargets(std::string_view rule_arn,
                                     const std::vector<EventTargetRecord>& targets,
                                     size_t max_targets) {
  std::vector<std::string> documents;
  for (const auto& t : targets) documents.push_back(t.document.dump());
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    {
      ASSIGN_OR_RETURN(SqliteStatement exists,
                       conn.Prepare("SELECT 1 FROM events_rules WHERE arn = ?1"));
      exists.BindText(1, rule_arn);
      ASSIGN_OR_RETURN(bool row, exists.Step());
      if (!row) return Status(ErrorCode::kResourceNotFound, "Rule does not exist.");
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      ASSIGN_OR_RETURN(
          SqliteStatement stmt,
          conn.Prepare("INSERT INTO events_targets (rule_arn, target_id, document, created_at_ms) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (rule_arn, target_id) DO UPDATE SET "
                       "document = excluded.document"));
      stmt.BindText(1, rule_arn)
          .BindText(2, targets[i].target_id)
          .BindText(3, documents[i])
          .BindInt64(4, targets[i].created_at_ms);
      RETURN_IF_ERROR(stmt.Run());
    }
    ASSIGN_OR_RETURN(SqliteStatement count,
                     conn.Prepare("SELECT COUNT(*) FROM events_targets WHERE rule_arn = ?1"));
    count.BindText(1, rule_arn);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row && static_cast<size_t>(count.ColumnInt64(0)) > max_targets) {
      return Status(ErrorCode::kLimitExceeded,
                    "The requested resource exceeds the maximum number "
                    "allowed.");
    }
    return Status::Ok();
  });
}

Status SqliteEventsStore::RemoveTargets(std::string_view rule_arn,
                                        const std::vector<std::string>& ids) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(
          SqliteStatement stmt,
          conn.Prepare("DELETE FROM events_targets WHERE rule_arn = ?1 AND target_id = ?2"));
      stmt.BindText(1, rule_arn).BindText(2, id);
      RETURN_IF_ERROR(stmt.Run());
    }
    return Status::Ok();
  });
}

// --- Connections ---

Status SqliteEventsStore::InsertConnection(const EventConnectionRecord& c) {
  const std::string document = c.document.dump();
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare(std::string("INSERT INTO events_connections (") + kConnectionColumns +
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    stmt.BindText(1, c.arn)
        .BindText(2, c.account_id)
        .BindText(3, c.region)
        .BindText(4, c.name)
        .BindText(5, c.authorization_type)
        .BindText(6, c.state)
        .BindText(7, document)
        .BindBlob(8, c.sealed_secret)
        .BindInt64(9, c.created_at_ms)
        .BindInt64(10, c.updated_at_ms);
    Status st = stmt.Run();
    if (!st.ok() && IsUniqueViolation(stmt.last_error_code())) {
      return Status(ErrorCode::kAlreadyExists, "Connection " + c.name + " already exists.");
    }
    return st;
  });
}

Result<std::optional<EventConnectionRecord>> SqliteEventsStore::GetConnection(
    std::string_view account_id, std::string_view region, std::string_view name) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::optional<EventConnectionRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kConnectionColumns +
                                      " FROM events_connections WHERE account_id = ?1 AND "
                                      "region = ?2 AND name = ?3"));
        stmt.BindText(1, account_id).BindText(2, region).BindText(3, name);
        return ReadOneRow<EventConnectionRecord>(stmt, ReadConnection);
      });
}

Result<std::optional<EventConnectionRecord>> SqliteEventsStore::GetConnectionByArn(
    std::string_view arn) {
  return WithReader(reads_,
                    [&](SqliteConnection& conn) -> Result<std::optional<EventConnectionRecord>> {
                      ASSIGN_OR_RETURN(SqliteStatement stmt,
                                       conn.Prepare(std::string("SELECT ") + kConnectionColumns +
                                                    " FROM events_connections WHERE arn = ?1"));
                      stmt.BindText(1, arn);
                      return ReadOneRow<EventConnectionRecord>(stmt, ReadConnection);
                    });
}

Result<std::vector<EventConnectionRecord>> SqliteEventsStore::ListConnections(
    std::string_view account_id, std::string_view region) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::vector<EventConnectionRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kConnectionColumns +
                                      " FROM events_connections WHERE account_id = ?1 AND "
                                      "region = ?2 ORDER BY name"));
        stmt.BindText(1, account_id).BindText(2, region);
        return ReadAllRows<EventConnectionRecord>(stmt, ReadConnection);
      });
}

Status SqliteEventsStore::DeleteConnection(std::string_view arn) {
  return DeleteByArn(writer_, "events_connections", arn, "Connection");
}

// --- API destinations ---

Status SqliteEventsStore::InsertApiDestination(const ApiDestinationRecord& d) {
  const std::string document = d.document.dump();
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare(std::string("INSERT INTO events_api_destinations (") + kDestinationColumns +
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    stmt.BindText(1, d.arn)
        .BindText(2, d.account_id)
        .BindText(3, d.region)
        .BindText(4, d.name)
        .BindText(5, d.connection_arn)
        .BindText(6, document)
        .BindInt64(7, d.created_at_ms)
        .BindInt64(8, d.updated_at_ms);
    Status st = stmt.Run();
    if (!st.ok() && IsUniqueViolation(stmt.last_error_code())) {
      return Status(ErrorCode::kAlreadyExists,
                    "An api-destination '" + d.name + "' already exists.");
    }
    return st;
  });
}

Result<std::optional<ApiDestinationRecord>> SqliteEventsStore::GetApiDestination(
    std::string_view account_id, std::string_view region, std::string_view name) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::optional<ApiDestinationRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kDestinationColumns +
                                      " FROM events_api_destinations WHERE account_id = ?1 AND "
                                      "region = ?2 AND name = ?3"));
        stmt.BindText(1, account_id).BindText(2, region).BindText(3, name);
        return ReadOneRow<ApiDestinationRecord>(stmt, ReadDestination);
      });
}

Result<std::optional<ApiDestinationRecord>> SqliteEventsStore::GetApiDestinationByArn(
    std::string_view arn) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::optional<ApiDestinationRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kDestinationColumns +
                                      " FROM events_api_destinations WHERE arn = ?1"));
        stmt.BindText(1, arn);
        return ReadOneRow<ApiDestinationRecord>(stmt, ReadDestination);
      });
}

Result<std::vector<ApiDestinationRecord>> SqliteEventsStore::ListApiDestinations(
    std::string_view account_id, std::string_view region) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::vector<ApiDestinationRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kDestinationColumns +
                                      " FROM events_api_destinations WHERE account_id = ?1 AND "
                                      "region = ?2 ORDER BY name"));
        stmt.BindText(1, account_id).BindText(2, region);
        return ReadAllRows<ApiDestinationRecord>(stmt, ReadDestination);
      });
}

Status SqliteEventsStore::DeleteApiDestination(std::string_view arn) {
  return DeleteByArn(writer_, "events_api_destinations", arn, "Api destination");
}

// --- Deliveries ---

Status SqliteEventsStore::EnqueueDeliveries(const std::vector<EventDeliveryRecord>& deliveries) {
  if (deliveries.empty()) return Status::Ok();
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    for (const EventDeliveryRecord& d : deliveries) {
      ASSIGN_OR_RETURN(
          SqliteStatement stmt,
          conn.Prepare(std::string("INSERT INTO events_deliveries (") + kDeliveryColumns +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
      stmt.BindText(1, d.id)
          .BindText(2, d.rule_arn)
          .BindText(3, d.target_id)
          .BindText(4, d.target_arn)
          .BindText(5, d.target)
          .BindText(6, d.envelope)
          .BindInt64(7, d.attempts)
          .BindInt64(8, d.accepted_at_ms)
          .BindInt64(9, d.next_attempt_at_ms)
          .BindText(10, d.last_error);
      RETURN_IF_ERROR(stmt.Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<EventDeliveryRecord>> SqliteEventsStore::DueDeliveries(int64_t now_ms,
                                                                          size_t limit) {
  return WithReader(
      reads_, [&](SqliteConnection& conn) -> Result<std::vector<EventDeliveryRecord>> {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare(std::string("SELECT ") + kDeliveryColumns +
                                      " FROM events_deliveries WHERE next_attempt_at_ms <= ?1 "
                                      "ORDER BY next_attempt_at_ms, id LIMIT ?2"));
        stmt.BindInt64(1, now_ms).BindInt64(2, static_cast<int64_t>(limit));
        return ReadAllRows<EventDeliveryRecord>(stmt, ReadDelivery);
      });
}

Result<std::optional<int64_t>> SqliteEventsStore::NextDeliveryDueMs() {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::optional<int64_t>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT MIN(next_attempt_at_ms) FROM events_deliveries"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || stmt.IsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt.ColumnInt64(0));
  });
}

Status SqliteEventsStore::CompleteDelivery(std::string_view id) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("DELETE FROM events_deliveries WHERE id = ?1"));
    stmt.BindText(1, id);
    return stmt.Run();
  });
}

Status SqliteEventsStore::RescheduleDelivery(std::string_view id, int64_t attempts,
                                             int64_t next_attempt_at_ms,
                                             std::string_view last_error) {
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("UPDATE events_deliveries SET attempts = ?2, "
                                  "next_attempt_at_ms = ?3, last_error = ?4 WHERE id = ?1"));
    stmt.BindText(1, id)
        .BindInt64(2, attempts)
        .BindInt64(3, next_attempt_at_ms)
        .BindText(4, last_error);
    return stmt.Run();
  });
}

}  // namespace openpca::store

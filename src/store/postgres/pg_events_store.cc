#include "store/postgres/pg_events_store.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "store/postgres/pg_read_rows.h"

namespace openpca::store {
namespace {

// Text keys sort as bytes (COLLATE "C"), as in SQLite and std::string, whatever the database's
// locale.

nlohmann::json PgEventsDocument(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

constexpr char kPgRuleColumns[] =
    "arn, account_id, region, name, state, document, created_at_ms, updated_at_ms";

EventRuleRecord PgReadRule(const PgResult& rows, int r) {
  EventRuleRecord rule;
  rule.arn = rows.String(r, 0);
  rule.account_id = rows.String(r, 1);
  rule.region = rows.String(r, 2);
  rule.name = rows.String(r, 3);
  rule.state = rows.String(r, 4);
  rule.document = PgEventsDocument(rows.Text(r, 5));
  rule.created_at_ms = rows.Int64(r, 6);
  rule.updated_at_ms = rows.Int64(r, 7);
  return rule;
}

constexpr char kPgConnectionColumns[] =
    "arn, account_id, region, name, authorization_type, state, document, secret, created_at_ms, "
    "updated_at_ms";

EventConnectionRecord PgReadConnection(const PgResult& rows, int r) {
  EventConnectionRecord c;
  c.arn = rows.String(r, 0);
  c.account_id = rows.String(r, 1);
  c.region = rows.String(r, 2);
  c.name = rows.String(r, 3);
  c.authorization_type = rows.String(r, 4);
  c.state = rows.String(r, 5);
  c.document = PgEventsDocument(rows.Text(r, 6));
  c.sealed_secret = rows.Bytea(r, 7);
  c.created_at_ms = rows.Int64(r, 8);
  c.updated_at_ms = rows.Int64(r, 9);
  return c;
}

constexpr char kPgDestinationColumns[] =
    "arn, account_id, region, name, connection_arn, document, created_at_ms, updated_at_ms";

ApiDestinationRecord PgReadDestination(const PgResult& rows, int r) {
  ApiDestinationRecord d;
  d.arn = rows.String(r, 0);
  d.account_id = rows.String(r, 1);
  d.region = rows.String(r, 2);
  d.name = rows.String(r, 3);
  d.connection_arn = rows.String(r, 4);
  d.document = PgEventsDocument(rows.Text(r, 5));
  d.created_at_ms = rows.Int64(r, 6);
  d.updated_at_ms = rows.Int64(r, 7);
  return d;
}

constexpr char kPgDeliveryColumns[] =
    "id, rule_arn, target_id, target_arn, target, envelope, attempts, accepted_at_ms, "
    "next_attempt_at_ms, last_error";

EventDeliveryRecord PgReadDelivery(const PgResult& rows, int r) {
  EventDeliveryRecord d;
  d.id = rows.String(r, 0);
  d.rule_arn = rows.String(r, 1);
  d.target_id = rows.String(r, 2);
  d.target_arn = rows.String(r, 3);
  d.target = rows.String(r, 4);
  d.envelope = rows.String(r, 5);
  d.attempts = rows.Int64(r, 6);
  d.accepted_at_ms = rows.Int64(r, 7);
  d.next_attempt_at_ms = rows.Int64(r, 8);
  d.last_error = rows.String(r, 9);
  return d;
}

// The rule's row lock, held to the end of the transaction: changes to one rule's targets, from
// any server, happen one after the other. False when there is no such rule.
Result<bool> PgLockRule(PgConnection& conn, std::string_view arn) {
  PgParams params;
  params.Text(arn);
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec("SELECT 1 FROM events_rules WHERE arn = $1 FOR UPDATE", params));
  return rows.rows() > 0;
}

Result<int64_t> PgCountTargets(PgConnection& conn, std::string_view rule_arn) {
  PgParams params;
  params.Text(rule_arn);
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec("SELECT COUNT(*) FROM events_targets WHERE rule_arn = $1", params));
  return rows.rows() > 0 ? rows.Int64(0, 0) : int64_t{0};
}

Status PgEventsDeleteByArn(PgWriter& writer, std::string_view table, std::string_view arn,
                           std::string_view what) {
  const std::string sql = "DELETE FROM " + std::string(table) + " WHERE arn = $1";
  return writer.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult done, conn.Exec(sql, params));
    if (done.affected_rows() == 0) {
      return Status(ErrorCode::kResourceNotFound, std::string(what) + " does not exist.");
    }
    return Status::Ok();
  });
}

}  // namespace

// --- Rules ---

Result<std::optional<EventRuleRecord>> PgEventsStore::GetRule(std::string_view arn) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::optional<EventRuleRecord>> {
    PgParams params;
    params.Text(arn);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgRuleColumns +
                                                  " FROM events_rules WHERE arn = $1",
                                              params));
    return ReadFirstPgRow<EventRuleRecord>(rows, PgReadRule);
  });
}

Result<std::vector<EventRuleRecord>> PgEventsStore::ListRules() {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<EventRuleRecord>> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgRuleColumns +
                               " FROM events_rules ORDER BY account_id COLLATE \"C\", "
                               "region COLLATE \"C\", name COLLATE \"C\""));
    return ReadAllPgRows<EventRuleRecord>(rows, PgReadRule);
  });
}

Status PgEventsStore::PutRule(const EventRuleRecord& rule) {
  const std::string document = rule.document.dump();
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(rule.arn)
        .Text(rule.account_id)
        .Text(rule.region)
        .Text(rule.name)
        .Text(rule.state)
        .Text(document)
        .Int64(rule.created_at_ms)
        .Int64(rule.updated_at_ms);
    return conn
        .Exec(std::string("INSERT INTO events_rules (") + kPgRuleColumns +
                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                  "ON CONFLICT (arn) DO UPDATE SET state = excluded.state, "
                  "document = excluded.document, updated_at_ms = excluded.updated_at_ms",
              params)
        .status();
  });
}

Status PgEventsStore::DeleteRule(std::string_view arn) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgLockRule(conn, arn));
    if (!exists) return Status(ErrorCode::kResourceNotFound, "Rule does not exist.");
    ASSIGN_OR_RETURN(int64_t targets, PgCountTargets(conn, arn));
    if (targets > 0) {
      return Status(ErrorCode::kValidation, "Rule can't be deleted since it has targets.");
    }
    PgParams params;
    params.Text(arn);
    return conn.Exec("DELETE FROM events_rules WHERE arn = $1", params).status();
  });
}

// --- Targets ---

Result<std::vector<EventTargetRecord>> PgEventsStore::ListTargets() {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<EventTargetRecord>> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT rule_arn, target_id, document, created_at_ms FROM "
                               "events_targets ORDER BY rule_arn COLLATE \"C\", "
                               "target_id COLLATE \"C\""));
    return ReadAllPgRows<EventTargetRecord>(rows, [](const PgResult& rs, int r) {
      return EventTargetRecord{rs.String(r, 0), rs.String(r, 1), PgEventsDocument(rs.Text(r, 2)),
                               rs.Int64(r, 3)};
    });
  });
}

Status PgEventsStore::PutTargets(std::string_view rule_arn,
                                 const std::vector<EventTargetRecord>& targets,
                                 size_t max_targets) {
  std::vector<std::string> documents;
  documents.reserve(targets.size());
  for (const EventTargetRecord& t : targets) documents.push_back(t.document.dump());
  return writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(bool exists, PgLockRule(conn, rule_arn));
    if (!exists) return Status(ErrorCode::kResourceNotFound, "Rule does not exist.");
    for (size_t i = 0; i < targets.size(); ++i) {
      PgParams params;
      params.Text(rule_arn)
          .Text(targets[i].target_id)
          .Text(documents[i])
          .Int64(targets[i].created_at_ms);
      RETURN_IF_ERROR(conn.Exec("INSERT INTO events_targets (rule_arn, target_id, document, "
                                "created_at_ms) VALUES ($1, $2, $3, $4) "
                                "ON CONFLICT (rule_arn, target_id) DO UPDATE SET "
                                "document = excluded.document",
                                params)
                          .status());
    }
    ASSIGN_OR_RETURN(int64_t count, PgCountTargets(conn, rule_arn));
    if (static_cast<size_t>(count) > max_targets) {
      return Status(ErrorCode::kLimitExceeded,
                    "The requested resource exceeds the maximum number allowed.");
    }
    return Status::Ok();
  });
}

Status PgEventsStore::RemoveTargets(std::string_view rule_arn,
                                    const std::vector<std::string>& ids) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    for (const std::string& id : ids) {
      PgParams params;
      params.Text(rule_arn).Text(id);
      RETURN_IF_ERROR(
          conn.Exec("DELETE FROM events_targets WHERE rule_arn = $1 AND target_id = $2", params)
              .status());
    }
    return Status::Ok();
  });
}

// --- Connections ---

Status PgEventsStore::InsertConnection(const EventConnectionRecord& c) {
  const std::string document = c.document.dump();
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(c.arn)
        .Text(c.account_id)
        .Text(c.region)
        .Text(c.name)
        .Text(c.authorization_type)
        .Text(c.state)
        .Text(document)
        .Bytea(c.sealed_secret)
        .Int64(c.created_at_ms)
        .Int64(c.updated_at_ms);
    Result<PgResult> done =
        conn.Exec(std::string("INSERT INTO events_connections (") + kPgConnectionColumns +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                  params);
    if (!done.ok() && conn.last_sqlstate() == kPgUniqueViolation) {
      return Status(ErrorCode::kAlreadyExists, "Connection " + c.name + " already exists.");
    }
    return done.status();
  });
}

Result<std::optional<EventConnectionRecord>> PgEventsStore::GetConnection(
    std::string_view account_id, std::string_view region, std::string_view name) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::optional<EventConnectionRecord>> {
        PgParams params;
        params.Text(account_id).Text(region).Text(name);
        ASSIGN_OR_RETURN(PgResult rows,
                         conn.Exec(std::string("SELECT ") + kPgConnectionColumns +
                                       " FROM events_connections WHERE account_id = $1 AND "
                                       "region = $2 AND name = $3",
                                   params));
        return ReadFirstPgRow<EventConnectionRecord>(rows, PgReadConnection);
      });
}

Result<std::optional<EventConnectionRecord>> PgEventsStore::GetConnectionByArn(
    std::string_view arn) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::optional<EventConnectionRecord>> {
        PgParams params;
        params.Text(arn);
        ASSIGN_OR_RETURN(PgResult rows, conn.Exec(std::string("SELECT ") + kPgConnectionColumns +
                                                      " FROM events_connections WHERE arn = $1",
                                                  params));
        return ReadFirstPgRow<EventConnectionRecord>(rows, PgReadConnection);
      });
}

Result<std::vector<EventConnectionRecord>> PgEventsStore::ListConnections(
    std::string_view account_id, std::string_view region) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::vector<EventConnectionRecord>> {
        PgParams params;
        params.Text(account_id).Text(region);
        ASSIGN_OR_RETURN(PgResult rows,
                         conn.Exec(std::string("SELECT ") + kPgConnectionColumns +
                                       " FROM events_connections WHERE account_id = $1 AND "
                                       "region = $2 ORDER BY name COLLATE \"C\"",
                                   params));
        return ReadAllPgRows<EventConnectionRecord>(rows, PgReadConnection);
      });
}

Status PgEventsStore::DeleteConnection(std::string_view arn) {
  return PgEventsDeleteByArn(writer_, "events_connections", arn, "Connection");
}

// --- API destinations ---

Status PgEventsStore::InsertApiDestination(const ApiDestinationRecord& d) {
  const std::string document = d.document.dump();
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(d.arn)
        .Text(d.account_id)
        .Text(d.region)
        .Text(d.name)
        .Text(d.connection_arn)
        .Text(document)
        .Int64(d.created_at_ms)
        .Int64(d.updated_at_ms);
    Result<PgResult> done =
        conn.Exec(std::string("INSERT INTO events_api_destinations (") + kPgDestinationColumns +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                  params);
    if (!done.ok() && conn.last_sqlstate() == kPgUniqueViolation) {
      return Status(ErrorCode::kAlreadyExists,
                    "An api-destination '" + d.name + "' already exists.");
    }
    return done.status();
  });
}

Result<std::optional<ApiDestinationRecord>> PgEventsStore::GetApiDestination(
    std::string_view account_id, std::string_view region, std::string_view name) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::optional<ApiDestinationRecord>> {
        PgParams params;
        params.Text(account_id).Text(region).Text(name);
        ASSIGN_OR_RETURN(PgResult rows,
                         conn.Exec(std::string("SELECT ") + kPgDestinationColumns +
                                       " FROM events_api_destinations WHERE account_id = $1 AND "
                                       "region = $2 AND name = $3",
                                   params));
        return ReadFirstPgRow<ApiDestinationRecord>(rows, PgReadDestination);
      });
}

Result<std::optional<ApiDestinationRecord>> PgEventsStore::GetApiDestinationByArn(
    std::string_view arn) {
  return WithPgReader(
      reads_, [&](PgConnection& conn) -> Result<std::optional<ApiDestinationRecord>> {
        PgParams params;
        params.Text(arn);
        ASSIGN_OR_RETURN(PgResult rows,
                         conn.Exec(std::string("SELECT ") + kPgDestinationColumns +
                                       " FROM events_api_destinations WHERE arn = $1",
                                   params));
        return ReadFirstPgRow<ApiDestinationRecord>(rows, PgReadDestination);
      });
}

Result<std::vector<ApiDestinationRecord>> PgEventsStore::ListApiDestinations(
    std::string_view account_id, std::string_view region) {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<ApiDestinationRecord>> {
    PgParams params;
    params.Text(account_id).Text(region);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgDestinationColumns +
                                   " FROM events_api_destinations WHERE account_id = $1 AND "
                                   "region = $2 ORDER BY name COLLATE \"C\"",
                               params));
    return ReadAllPgRows<ApiDestinationRecord>(rows, PgReadDestination);
  });
}

Status PgEventsStore::DeleteApiDestination(std::string_view arn) {
  return PgEventsDeleteByArn(writer_, "events_api_destinations", arn, "Api destination");
}

// --- Deliveries ---

Status PgEventsStore::EnqueueDeliveries(const std::vector<EventDeliveryRecord>& deliveries) {
  if (deliveries.empty()) return Status::Ok();
  const std::string sql = std::string("INSERT INTO events_deliveries (") + kPgDeliveryColumns +
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  return writer_.Run([&](PgConnection& conn) -> Status {
    for (const EventDeliveryRecord& d : deliveries) {
      PgParams params;
      params.Text(d.id)
          .Text(d.rule_arn)
          .Text(d.target_id)
          .Text(d.target_arn)
          .Text(d.target)
          .Text(d.envelope)
          .Int64(d.attempts)
          .Int64(d.accepted_at_ms)
          .Int64(d.next_attempt_at_ms)
          .Text(d.last_error);
      RETURN_IF_ERROR(conn.Exec(sql, params).status());
    }
    return Status::Ok();
  });
}

Result<std::vector<EventDeliveryRecord>> PgEventsStore::DueDeliveries(int64_t now_ms,
                                                                      size_t limit) {
  const int64_t bounded = static_cast<int64_t>(
      std::min<size_t>(limit, static_cast<size_t>(std::numeric_limits<int64_t>::max())));
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<EventDeliveryRecord>> {
    PgParams params;
    params.Int64(now_ms).Int64(bounded);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec(std::string("SELECT ") + kPgDeliveryColumns +
                                   " FROM events_deliveries WHERE next_attempt_at_ms <= $1 "
                                   "ORDER BY next_attempt_at_ms, id COLLATE \"C\" LIMIT $2",
                               params));
    return ReadAllPgRows<EventDeliveryRecord>(rows, PgReadDelivery);
  });
}

Result<std::optional<int64_t>> PgEventsStore::NextDeliveryDueMs() {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::optional<int64_t>> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT MIN(next_attempt_at_ms) FROM events_deliveries"));
    if (rows.rows() == 0) return std::optional<int64_t>();
    return rows.OptionalInt64(0, 0);
  });
}

Status PgEventsStore::CompleteDelivery(std::string_view id) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(id);
    return conn.Exec("DELETE FROM events_deliveries WHERE id = $1", params).status();
  });
}

Status PgEventsStore::RescheduleDelivery(std::string_view id, int64_t attempts,
                                         int64_t next_attempt_at_ms, std::string_view last_error) {
  return writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Text(id).Int64(attempts).Int64(next_attempt_at_ms).Text(last_error);
    return conn
        .Exec(
            "UPDATE events_deliveries SET attempts = $2, next_attempt_at_ms = $3, "
            "last_error = $4 WHERE id = $1",
            params)
        .status();
  });
}

}  // namespace openpca::store

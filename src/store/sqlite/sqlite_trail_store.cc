#include "store/sqlite/sqlite_trail_store.h"

#include <string_view>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/event_json.h"

namespace openpca::store {
namespace {

constexpr std::string_view kEventColumns =
    "h.seq, h.event_id, h.recipient_account_id, h.region, h.event_time_ms, h.event_source, "
    "h.event_name, h.read_only, h.username, h.access_key_id, h.resources_json, h.record_json";

StoredEvent ReadEvent(const SqliteStatement& stmt) {
  StoredEvent e;
  e.seq = stmt.ColumnInt64(0);
  e.event_id = stmt.ColumnText(1);
  e.recipient_account_id = stmt.ColumnText(2);
  e.region = stmt.ColumnText(3);
  e.event_time_ms = stmt.ColumnInt64(4);
  e.event_source = stmt.ColumnText(5);
  e.event_name = stmt.ColumnText(6);
  e.read_only = stmt.ColumnInt64(7) != 0;
  e.username = stmt.ColumnText(8);
  e.access_key_id = stmt.ColumnText(9);
  e.resources = EventResourcesFromJson(
      nlohmann::json::parse(stmt.ColumnText(10), nullptr, /*allow_exceptions=*/false));
  stmt.ColumnTextInto(11, e.record_json);
  return e;
}

Status InsertFinal(SqliteConnection& conn, const StoredEvent& e) {
  {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        conn.Prepare("INSERT INTO event_history (event_id, recipient_account_id, region, "
                     "event_time_ms, event_source, event_name, read_only, username, "
                     "access_key_id, resources_json, record_json) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    std::string resources = EventResourcesToJson(e.resources).dump();
    stmt.BindText(1, e.event_id)
        .BindText(2, e.recipient_account_id)
        .BindText(3, e.region)
        .BindInt64(4, e.event_time_ms)
        .BindText(5, e.event_source)
        .BindText(6, e.event_name)
        .BindInt64(7, e.read_only ? 1 : 0)
        .BindText(8, e.username)
        .BindText(9, e.access_key_id)
        .BindText(10, resources)
        .BindText(11, e.record_json);
    RETURN_IF_ERROR(stmt.Run());
  }
  if (e.resources.empty()) return Status::Ok();
  const int64_t seq = sqlite3_last_insert_rowid(conn.raw());
  for (const EventResourceRef& r : e.resources) {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("INSERT INTO event_resources (seq, recipient_account_id, region, "
                                  "event_time_ms, type, name) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                  "ON CONFLICT DO NOTHING"));
    stmt.BindInt64(1, seq)
        .BindText(2, e.recipient_account_id)
        .BindText(3, e.region)
        .BindInt64(4, e.event_time_ms)
        .BindText(5, r.type)
        .BindText(6, r.name);
    RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

// The column a lookup key filters on, in event_history (h) or event_resources (r).
std::string_view KeyColumn(EventLookupKey key) {
  switch (key) {
    case EventLookupKey::kEventName: return "event_name";
    case EventLookupKey::kReadOnly: return "read_only";
    case EventLookupKey::kUsername: return "username";
    case EventLookupKey::kEventSource: return "event_source";
    case EventLookupKey::kAccessKeyId: return "access_key_id";
    case EventLookupKey::kResourceType: return "type";
    case EventLookupKey::kResourceName: return "name";
    case EventLookupKey::kEventId: return "event_id";
    case EventLookupKey::kNone: return "";
  }
  return "";
}

// One statement per key and page kind, built once: each reads one index in order.
std::string LookupSql(EventLookupKey key, bool has_before) {
  const bool by_resource =
      key == EventLookupKey::kResourceType || key == EventLookupKey::kResourceName;
  const std::string t = by_resource ? "r" : "h";
  std::string sql = "SELECT " + std::string(kEventColumns) + " FROM ";
  if (by_resource) {
    sql += "event_resources r JOIN event_history h ON h.seq = r.seq ";
  } else if (key == EventLookupKey::kEventId) {
    // An event ID names one record (two for a cross-account call): read it by its own index.
    // Left to itself, the planner walks the (account, region, time) index for the ORDER BY.
    sql += "event_history h INDEXED BY event_history_by_event_id ";
  } else {
    sql += "event_history h ";
  }
  sql += "WHERE " + t + ".recipient_account_id = ?1 AND " + t + ".region = ?2 AND " + t +
         ".event_time_ms BETWEEN ?3 AND ?4 ";
  if (key != EventLookupKey::kNone) sql += "AND " + t + "." + std::string(KeyColumn(key)) + " = ?5 ";
  if (has_before) sql += "AND (" + t + ".event_time_ms, " + t + ".seq) < (?6, ?7) ";
  sql += "ORDER BY " + t + ".event_time_ms DESC, " + t + ".seq DESC LIMIT ?8";
  return sql;
}

}  // namespace

Status InsertPendingCallRecord(SqliteConnection& conn, const PendingEvents& p) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("INSERT INTO event_pending (call_id, created_at_ms, events_json, "
                                "provisional_response) VALUES (?1, ?2, ?3, ?4)"));
  std::string events = EventsToPendingJson(p.events);
  stmt.BindText(1, p.call_id).BindInt64(2, p.created_at_ms).BindText(3, events);
  if (p.provisional_response.empty()) {
    stmt.BindNull(4);
  } else {
    stmt.BindText(4, p.provisional_response);
  }
  return stmt.Run();
}

Status InsertFinalCallRecord(SqliteConnection& conn, const std::vector<StoredEvent>& rows) {
  for (const StoredEvent& e : rows) RETURN_IF_ERROR(InsertFinal(conn, e));
  return Status::Ok();
}

Result<std::vector<StoredEvent>> SqliteTrailStore::ReadEventsAfter(int64_t after_seq, int limit) {
  if (limit <= 0) return std::vector<StoredEvent>();
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<StoredEvent>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT " + std::string(kEventColumns) +
                                  " FROM event_history h WHERE h.seq > ?1 ORDER BY h.seq LIMIT ?2"));
    stmt.BindInt64(1, after_seq).BindInt64(2, limit);
    std::vector<StoredEvent> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(ReadEvent(stmt));
    }
    return out;
  });
}

Status SqliteTrailStore::AppendEvents(const std::vector<EventCommit>& commits) {
  if (commits.empty()) return Status::Ok();
  return writer_.Run([&](SqliteConnection& conn) -> Status {
    for (const EventCommit& c : commits) {
      for (const StoredEvent& e : c.events) RETURN_IF_ERROR(InsertFinal(conn, e));
      if (!c.pending_call_id.empty()) {
        ASSIGN_OR_RETURN(SqliteStatement del,
                         conn.Prepare("DELETE FROM event_pending WHERE call_id = ?1"));
        del.BindText(1, c.pending_call_id);
        RETURN_IF_ERROR(del.Run());
      }
    }
    return Status::Ok();
  });
}

Result<std::vector<PendingEvents>> SqliteTrailStore::ListPendingEvents() {
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<PendingEvents>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     conn.Prepare("SELECT call_id, created_at_ms, events_json, "
                                  "provisional_response FROM event_pending "
                                  "ORDER BY created_at_ms, call_id"));
    std::vector<PendingEvents> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      PendingEvents p;
      p.call_id = stmt.ColumnText(0);
      p.created_at_ms = stmt.ColumnInt64(1);
      p.events = EventsFromPendingJson(stmt.ColumnText(2));
      p.provisional_response = stmt.ColumnOptionalText(3).value_or("");
      out.push_back(std::move(p));
    }
    return out;
  });
}

Result<std::vector<StoredEvent>> SqliteTrailStore::LookupEvents(const EventQuery& query) {
  if (query.limit <= 0) return std::vector<StoredEvent>();
  return WithReader(reads_, [&](SqliteConnection& conn) -> Result<std::vector<StoredEvent>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(LookupSql(query.key, query.has_before)));
    stmt.BindText(1, query.recipient_account_id)
        .BindText(2, query.region)
        .BindInt64(3, query.start_ms)
        .BindInt64(4, query.end_ms);
    std::string value = query.value;
    if (query.key == EventLookupKey::kReadOnly) {
      stmt.BindInt64(5, value == "true" ? 1 : 0);
    } else if (query.key != EventLookupKey::kNone) {
      stmt.BindText(5, value);
    }
    if (query.has_before) stmt.BindInt64(6, query.before_time_ms).BindInt64(7, query.before_seq);
    stmt.BindInt64(8, query.limit);
    std::vector<StoredEvent> out;
    std::unordered_set<int64_t> seen;  // a record naming two resources of one type
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      StoredEvent e = ReadEvent(stmt);
      if (seen.insert(e.seq).second) out.push_back(std::move(e));
    }
    return out;
  });
}

Result<int64_t> SqliteTrailStore::PurgeEventsBefore(int64_t cutoff_ms, int limit) {
  if (limit <= 0) return int64_t{0};
  int64_t deleted = 0;
  // Records become final roughly in event-time order, so the oldest by seq are the ones to go;
  // the scan stops at the first record young enough to keep (a late straggler waits for a later
  // purge; LookupEvents never shows it past 90 days anyway).
  Status st = writer_.Run([&](SqliteConnection& conn) -> Status {
    int64_t last = -1;
    {
      ASSIGN_OR_RETURN(SqliteStatement scan,
                       conn.Prepare("SELECT seq, event_time_ms FROM event_history "
                                    "ORDER BY seq LIMIT ?1"));
      scan.BindInt64(1, limit);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, scan.Step());
        if (!row || scan.ColumnInt64(1) >= cutoff_ms) break;
        last = scan.ColumnInt64(0);
      }
    }
    if (last < 0) return Status::Ok();
    ASSIGN_OR_RETURN(SqliteStatement del,
                     conn.Prepare("DELETE FROM event_history WHERE seq <= ?1"));
    del.BindInt64(1, last);
    RETURN_IF_ERROR(del.Run());
    deleted = del.Changes();
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return deleted;
}

}  // namespace openpca::store

#include "store/postgres/pg_trail_store.h"

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/event_json.h"
#include "store/postgres/pg_call_record.h"

namespace openpca::store {
namespace {

constexpr std::string_view kPgEventColumns =
    "h.seq, h.event_id, h.recipient_account_id, h.region, h.event_time_ms, h.event_source, "
    "h.event_name, h.read_only, h.username, h.access_key_id, h.resources_json, h.record_json";

StoredEvent PgReadEventRow(const PgResult& rows, int r) {
  StoredEvent e;
  e.seq = rows.Int64(r, 0);
  e.event_id = rows.String(r, 1);
  e.recipient_account_id = rows.String(r, 2);
  e.region = rows.String(r, 3);
  e.event_time_ms = rows.Int64(r, 4);
  e.event_source = rows.String(r, 5);
  e.event_name = rows.String(r, 6);
  e.read_only = rows.Int64(r, 7) != 0;
  e.username = rows.String(r, 8);
  e.access_key_id = rows.String(r, 9);
  e.resources = EventResourcesFromJson(
      nlohmann::json::parse(rows.Text(r, 10), nullptr, /*allow_exceptions=*/false));
  e.record_json = rows.String(r, 11);
  return e;
}

// The column a lookup key filters on, in event_history (h) or event_resources (r).
std::string_view PgLookupColumn(EventLookupKey key) {
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

// One statement per key and page kind; each reads one index in order. Parameters, numbered in
// this order and only those the statement uses: account, region, start and end of the time
// range, the key's value (not for kNone), the page position (time, seq; with has_before), limit.
std::string PgLookupSql(EventLookupKey key, bool has_before) {
  const bool by_resource =
      key == EventLookupKey::kResourceType || key == EventLookupKey::kResourceName;
  const std::string t = by_resource ? "r." : "h.";
  std::string sql = "SELECT " + std::string(kPgEventColumns) + " FROM ";
  sql += by_resource ? "event_resources r JOIN event_history h ON h.seq = r.seq "
                     : "event_history h ";
  int n = 0;
  // Appends `text` and the next parameter ($1, $2, ...), one step at a time: the order of the
  // operands of `+` is unspecified, so the numbering must not depend on it.
  auto param = [&](std::string_view text) {
    sql += text;
    sql += "$" + std::to_string(++n);
  };
  param("WHERE " + t + "recipient_account_id = ");
  param(" AND " + t + "region = ");
  param(" AND " + t + "event_time_ms BETWEEN ");
  param(" AND ");
  if (key != EventLookupKey::kNone) param(" AND " + t + std::string(PgLookupColumn(key)) + " = ");
  if (has_before) {
    param(" AND (" + t + "event_time_ms, " + t + "seq) < (");
    param(", ");
    sql += ")";
  }
  param(" ORDER BY " + t + "event_time_ms DESC, " + t + "seq DESC LIMIT ");
  return sql;
}

}  // namespace

Result<std::vector<StoredEvent>> PgTrailStore::ReadEventsAfter(int64_t after_seq, int limit) {
  if (limit <= 0) return std::vector<StoredEvent>();
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<StoredEvent>> {
    PgParams params;
    params.Int64(after_seq).Int64(limit);
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT " + std::string(kPgEventColumns) +
                                   " FROM event_history h WHERE h.seq > $1 ORDER BY h.seq "
                                   "LIMIT $2",
                               params));
    std::vector<StoredEvent> out;
    out.reserve(static_cast<size_t>(rows.rows()));
    for (int r = 0; r < rows.rows(); ++r) out.push_back(PgReadEventRow(rows, r));
    return out;
  });
}

Status PgTrailStore::AppendEvents(const std::vector<EventCommit>& commits) {
  if (commits.empty()) return Status::Ok();
  // kAppendsEvents: the writer takes the event-history lock before this job runs.
  return writer_.Run(
      [&](PgConnection& conn) -> Status {
        for (const EventCommit& c : commits) {
          RETURN_IF_ERROR(InsertFinalCallRecord(conn, c.events));
          if (!c.pending_call_id.empty()) {
            PgParams params;
            params.Text(c.pending_call_id);
            RETURN_IF_ERROR(
                conn.Exec("DELETE FROM event_pending WHERE call_id = $1", params).status());
          }
        }
        return Status::Ok();
      },
      PgWriter::JobKind::kAppendsEvents);
}

Result<std::vector<PendingEvents>> PgTrailStore::ListPendingEvents() {
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<PendingEvents>> {
    ASSIGN_OR_RETURN(PgResult rows,
                     conn.Exec("SELECT call_id, created_at_ms, events_json, provisional_response "
                               "FROM event_pending ORDER BY created_at_ms, call_id"));
    std::vector<PendingEvents> out;
    for (int r = 0; r < rows.rows(); ++r) {
      PendingEvents p;
      p.call_id = rows.String(r, 0);
      p.created_at_ms = rows.Int64(r, 1);
      p.events = EventsFromPendingJson(rows.Text(r, 2));
      p.provisional_response = rows.OptionalString(r, 3).value_or("");
      out.push_back(std::move(p));
    }
    return out;
  });
}

Result<std::vector<StoredEvent>> PgTrailStore::LookupEvents(const EventQuery& query) {
  if (query.limit <= 0) return std::vector<StoredEvent>();
  return WithPgReader(reads_, [&](PgConnection& conn) -> Result<std::vector<StoredEvent>> {
    PgParams params;
    params.Text(query.recipient_account_id)
        .Text(query.region)
        .Int64(query.start_ms)
        .Int64(query.end_ms);
    if (query.key == EventLookupKey::kReadOnly) {
      params.Int64(query.value == "true" ? 1 : 0);
    } else if (query.key != EventLookupKey::kNone) {
      params.Text(query.value);
    }
    if (query.has_before) params.Int64(query.before_time_ms).Int64(query.before_seq);
    params.Int64(query.limit);
    ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgLookupSql(query.key, query.has_before), params));
    std::vector<StoredEvent> out;
    std::unordered_set<int64_t> seen;  // a record naming two resources of one type
    for (int r = 0; r < rows.rows(); ++r) {
      StoredEvent e = PgReadEventRow(rows, r);
      if (seen.insert(e.seq).second) out.push_back(std::move(e));
    }
    return out;
  });
}

Result<int64_t> PgTrailStore::PurgeEventsBefore(int64_t cutoff_ms, int limit) {
  if (limit <= 0) return int64_t{0};
  int64_t deleted = 0;
  // As on SQLite: records become final roughly in event-time order, so the oldest by seq go
  // first, and the scan stops at the first record young enough to keep. Deleting needs no
  // event-history lock: it never makes a cursor skip a row that is still there.
  Status st = writer_.Run([&](PgConnection& conn) -> Status {
    PgParams params;
    params.Int64(cutoff_ms).Int64(limit);
    // The seq of the last record of the longest oldest-first prefix (at most `limit` records)
    // whose records are all older than the cutoff; NULL when the oldest record is young enough.
    ASSIGN_OR_RETURN(
        PgResult last,
        conn.Exec("SELECT MAX(seq) FROM (SELECT seq, event_time_ms, "
                  "bool_and(event_time_ms < $1) OVER (ORDER BY seq) AS old "
                  "FROM (SELECT seq, event_time_ms FROM event_history ORDER BY seq LIMIT $2) a) b "
                  "WHERE old",
                  params));
    if (last.rows() != 1 || last.IsNull(0, 0)) return Status::Ok();
    PgParams del;
    del.Int64(last.Int64(0, 0));
    ASSIGN_OR_RETURN(PgResult gone, conn.Exec("DELETE FROM event_history WHERE seq <= $1", del));
    deleted = gone.affected_rows();
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return deleted;
}

}  // namespace openpca::store

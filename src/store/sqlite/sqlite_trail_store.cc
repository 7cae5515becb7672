#include "store/sqlite/sqlite_trail_store.h"

#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/event_json.h"
#include "store/event_lookup.h"
#include "store/event_postings.h"
#include "store/sqlite/sqlite_event_postings.h"
#include "store/sqlite/sqlite_read_rows.h"

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

// The commit path: one row, no lookup key (IndexEvents adds them later).
Status InsertFinal(SqliteConnection& conn, const StoredEvent& e) {
  ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      conn.Prepare("INSERT INTO event_history (event_id, recipient_account_id, region, "
                   "event_time_ms, event_source, event_name, read_only, username, "
                   "access_key_id, resources_json, record_json) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  std::string resources = EventResourcesText(e.resources);
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
  return stmt.Run();
}

// The event_lookup rows of the records of event_history whose seq satisfies `seq_condition`
// (a condition on h.seq), as (recipient_account_id, region, lookup_key, value, event_time_ms,
// seq): one per record, its EventId (store::EventLookupKey 1). The other keys are in posting
// lists (sqlite_event_postings.h).
std::string LookupRowsSql(std::string_view seq_condition) {
  return "SELECT h.recipient_account_id, h.region, 1, h.event_id, h.event_time_ms, h.seq "
         "FROM event_history h WHERE " +
         std::string(seq_condition);
}

// Indexed records: one range of event_lookup's primary key, newest first.
std::string IndexedLookupSql(bool has_before) {
  std::string sql = "SELECT " + std::string(kEventColumns) +
                    " FROM event_lookup k JOIN event_history h ON h.seq = k.seq "
                    "WHERE k.recipient_account_id = ?1 AND k.region = ?2 AND k.lookup_key = ?3 "
                    "AND k.value = ?4 AND k.event_time_ms BETWEEN ?5 AND ?6 ";
  if (has_before) sql += "AND (k.event_time_ms, k.seq) < (?7, ?8) ";
  sql += "ORDER BY k.event_time_ms DESC, k.seq DESC LIMIT ?9";
  return sql;
}

// The unindexed tail (seq > ?1) as far as SQL can narrow it: account, region, time, page
// position, and a column key (?8) with the newest ?9 only; a resource key is checked by
// EventMatchesQuery.
std::string TailLookupSql(const EventQuery& query) {
  std::string sql = "SELECT " + std::string(kEventColumns) +
                    " FROM event_history h WHERE h.seq > ?1 AND h.recipient_account_id = ?2 "
                    "AND h.region = ?3 AND h.event_time_ms BETWEEN ?4 AND ?5 ";
  if (query.has_before) sql += "AND (h.event_time_ms, h.seq) < (?6, ?7) ";
  const std::string_view column = EventColumnOf(query.key);
  if (!column.empty()) sql += "AND h." + std::string(column) + " = ?8 ";
  sql += "ORDER BY h.event_time_ms DESC, h.seq DESC";
  if (query.key == EventLookupKey::kNone || !column.empty()) sql += " LIMIT ?9";
  return sql;
}

Result<int64_t> IndexedThroughSeq(SqliteConnection& conn) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT indexed_through_seq FROM event_index_state WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return InternalError("sqlite: event_index_state has no row");
  return stmt.ColumnInt64(0);
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
    return ReadAllRows<StoredEvent>(stmt, ReadEvent);
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
    // Read first: every record up to it is in event_lookup (the mark only moves forward), every
    // later one is read from the tail. A record indexed meanwhile comes back twice, merged once.
    ASSIGN_OR_RETURN(int64_t indexed_through, IndexedThroughSeq(conn));
    const std::string value = LookupValueOf(query);  // bound without a copy
    std::vector<StoredEvent> indexed;
    if (UsesPostingLists(query.key)) {
      ASSIGN_OR_RETURN(std::vector<int64_t> seqs, NewestPostedSeqs(conn, query, value));
      for (int64_t seq : seqs) {
        ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare("SELECT " + std::string(kEventColumns) +
                                      " FROM event_history h WHERE h.seq = ?1"));
        stmt.BindInt64(1, seq);
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        // Gone (purged since the lists were read) or, defensively, not an answer: left out.
        if (!row) continue;
        StoredEvent e = ReadEvent(stmt);
        if (EventMatchesQuery(e, query)) indexed.push_back(std::move(e));
      }
    } else {
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(IndexedLookupSql(query.has_before)));
      stmt.BindText(1, query.recipient_account_id)
          .BindText(2, query.region)
          .BindInt64(3, static_cast<int64_t>(query.key))
          .BindText(4, value)
          .BindInt64(5, query.start_ms)
          .BindInt64(6, query.end_ms)
          .BindInt64(9, query.limit);
      if (query.has_before) {
        stmt.BindInt64(7, query.before_time_ms).BindInt64(8, query.before_seq);
      }
      ASSIGN_OR_RETURN(indexed, ReadAllRows<StoredEvent>(stmt, ReadEvent));
    }
    std::vector<StoredEvent> tail;
    {
      ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(TailLookupSql(query)));
      stmt.BindInt64(1, indexed_through)
          .BindText(2, query.recipient_account_id)
          .BindText(3, query.region)
          .BindInt64(4, query.start_ms)
          .BindInt64(5, query.end_ms);
      if (query.has_before) {
        stmt.BindInt64(6, query.before_time_ms).BindInt64(7, query.before_seq);
      }
      if (query.key == EventLookupKey::kReadOnly) {
        stmt.BindInt64(8, value == "true" ? 1 : 0);
      } else if (!EventColumnOf(query.key).empty()) {
        stmt.BindText(8, value);
      }
      if (query.key == EventLookupKey::kNone || !EventColumnOf(query.key).empty()) {
        stmt.BindInt64(9, query.limit);
      }
      ASSIGN_OR_RETURN(std::vector<StoredEvent> rows, ReadAllRows<StoredEvent>(stmt, ReadEvent));
      for (StoredEvent& e : rows) {
        if (EventMatchesQuery(e, query)) tail.push_back(std::move(e));
      }
    }
    return MergeNewestFirst(std::move(indexed), std::move(tail), query.limit);
  });
}

Result<int64_t> SqliteTrailStore::IndexEvents(int limit) {
  if (limit <= 0) return int64_t{0};
  int64_t indexed = 0;
  Status st = writer_.Run([&](SqliteConnection& conn) -> Status {
    ASSIGN_OR_RETURN(int64_t from, IndexedThroughSeq(conn));
    int64_t through = 0;
    {
      ASSIGN_OR_RETURN(SqliteStatement next,
                       conn.Prepare("SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM "
                                    "event_history WHERE seq > ?1 ORDER BY seq LIMIT ?2)"));
      next.BindInt64(1, from).BindInt64(2, limit);
      ASSIGN_OR_RETURN(bool row, next.Step());
      if (!row || next.IsNull(0)) return Status::Ok();
      through = next.ColumnInt64(0);
      indexed = next.ColumnInt64(1);
    }
    {
      ASSIGN_OR_RETURN(SqliteStatement insert,
                       conn.Prepare("INSERT OR IGNORE INTO event_lookup (recipient_account_id, "
                                    "region, lookup_key, value, event_time_ms, seq) " +
                                    LookupRowsSql("h.seq > ?1 AND h.seq <= ?2")));
      insert.BindInt64(1, from).BindInt64(2, through);
      RETURN_IF_ERROR(insert.Run());
    }
    RETURN_IF_ERROR(AppendEventPostings(conn, from, through));
    ASSIGN_OR_RETURN(SqliteStatement mark,
                     conn.Prepare("UPDATE event_index_state SET indexed_through_seq = ?1 "
                                  "WHERE id = 1"));
    mark.BindInt64(1, through);
    return mark.Run();
  });
  RETURN_IF_ERROR(st);
  return indexed;
}

Result<int64_t> SqliteTrailStore::PurgeEventsBefore(int64_t cutoff_ms, int limit) {
  if (limit <= 0) return int64_t{0};
  int64_t deleted = 0;
  // Records become final roughly in event-time order, so the oldest by seq are the ones to go;
  // the scan stops at the first record young enough to keep (a late straggler waits for a later
  // purge; LookupEvents never shows it past 90 days anyway). Only indexed records go, with their
  // lookup keys; the indexer never touches them again.
  Status st = writer_.Run([&](SqliteConnection& conn) -> Status {
    int64_t last = -1;
    {
      ASSIGN_OR_RETURN(SqliteStatement scan,
                       conn.Prepare("SELECT seq, event_time_ms FROM event_history WHERE seq <= "
                                    "(SELECT indexed_through_seq FROM event_index_state) "
                                    "ORDER BY seq LIMIT ?1"));
      scan.BindInt64(1, limit);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, scan.Step());
        if (!row || scan.ColumnInt64(1) >= cutoff_ms) break;
        last = scan.ColumnInt64(0);
      }
    }
    if (last < 0) return Status::Ok();
    RETURN_IF_ERROR(DeleteEventPostingsThrough(conn, last));
    {
      // The records' own lookup rows, one primary-key delete each (event_lookup has no index on
      // seq, migration 0015); the records purged here are all indexed. One statement with
      // `(...) IN (<rows>)` scanned the whole of event_lookup instead (10x slower at 200k).
      ASSIGN_OR_RETURN(SqliteStatement rows, conn.Prepare(LookupRowsSql("h.seq <= ?1")));
      rows.BindInt64(1, last);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, rows.Step());
        if (!row) break;
        if (rows.IsNull(3)) continue;  // a resource without that member: never inserted
        // One use of the cached statement per row (its end resets it for the next).
        ASSIGN_OR_RETURN(SqliteStatement del,
                         conn.Prepare("DELETE FROM event_lookup WHERE recipient_account_id = ?1 "
                                      "AND region = ?2 AND lookup_key = ?3 AND value = ?4 "
                                      "AND event_time_ms = ?5 AND seq = ?6"));
        const std::string account = rows.ColumnText(0);
        const std::string region = rows.ColumnText(1);
        const std::string value = rows.ColumnText(3);
        del.BindText(1, account)
            .BindText(2, region)
            .BindInt64(3, rows.ColumnInt64(2))
            .BindText(4, value)
            .BindInt64(5, rows.ColumnInt64(4))
            .BindInt64(6, rows.ColumnInt64(5));
        RETURN_IF_ERROR(del.Run());
      }
    }
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

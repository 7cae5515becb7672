#include "store/postgres/pg_trail_store.h"

#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/event_json.h"
#include "store/event_lookup.h"
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

// The lookup keys of the records of event_history whose seq satisfies `seq_condition` (a
// condition on h.seq), as (recipient_account_id, region, lookup_key, value, event_time_ms, seq);
// the keys are store::EventLookupKey. event_lookup keeps event_lookup_hash() of the first four.
std::string PgLookupRowsSql(std::string_view seq_condition) {
  const std::string where = " WHERE " + std::string(seq_condition);
  return "SELECT h.recipient_account_id, h.region, k.n, "
         "CASE k.n WHEN 0 THEN '' WHEN 1 THEN h.event_id WHEN 2 THEN h.event_name "
         "WHEN 3 THEN (CASE h.read_only WHEN 0 THEN 'false' ELSE 'true' END) "
         "WHEN 4 THEN h.username WHEN 7 THEN h.event_source ELSE h.access_key_id END, "
         "h.event_time_ms, h.seq "
         "FROM event_history h CROSS JOIN (VALUES (0), (1), (2), (3), (4), (7), (8)) AS k (n)" +
         where +
         " UNION ALL SELECT h.recipient_account_id, h.region, v.n, v.value, h.event_time_ms, h.seq "
         "FROM event_history h CROSS JOIN LATERAL jsonb_array_elements(h.resources_json::jsonb) r "
         "CROSS JOIN LATERAL (VALUES (5, r ->> 'type'), (6, r ->> 'name')) AS v (n, value)" +
         where;
}

// Indexed records: one range of event_lookup's primary key, newest first. The key's number may be
// shared with another key (migration 0018): the caller checks every record.
std::string PgIndexedLookupSql(bool has_before) {
  std::string sql = "SELECT " + std::string(kPgEventColumns) +
                    " FROM event_lookup k JOIN event_history h ON h.seq = k.seq "
                    "WHERE k.key_hash = event_lookup_hash($1, $2, $3, $4) "
                    "AND k.event_time_ms BETWEEN $5 AND $6 ";
  if (has_before) {
    sql += "AND (k.event_time_ms, k.seq) < ($7, $8) ORDER BY k.event_time_ms DESC, "
           "k.seq DESC LIMIT $9";
  } else {
    sql += "ORDER BY k.event_time_ms DESC, k.seq DESC LIMIT $7";
  }
  return sql;
}

// The unindexed tail (seq > $1) as far as SQL can narrow it: account, region, time, page
// position, and a column key with the newest `limit` only; a resource key is checked by
// EventMatchesQuery. Parameters in this order, only those the statement uses: the mark, account,
// region, start, end, the page position (time, seq), the key's value, limit.
std::string PgTailLookupSql(const EventQuery& query) {
  std::string sql = "SELECT " + std::string(kPgEventColumns) +
                    " FROM event_history h WHERE h.seq > $1 AND h.recipient_account_id = $2 "
                    "AND h.region = $3 AND h.event_time_ms BETWEEN $4 AND $5";
  int n = 5;
  if (query.has_before) {
    sql += " AND (h.event_time_ms, h.seq) < ($6, $7)";
    n = 7;
  }
  const std::string_view column = EventColumnOf(query.key);
  if (!column.empty()) sql += " AND h." + std::string(column) + " = $" + std::to_string(++n);
  sql += " ORDER BY h.event_time_ms DESC, h.seq DESC";
  if (query.key == EventLookupKey::kNone || !column.empty()) {
    sql += " LIMIT $" + std::to_string(++n);
  }
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
    // Read first: every record up to it is in event_lookup (the mark only moves forward), every
    // later one is read from the tail. A record indexed meanwhile comes back twice, merged once.
    ASSIGN_OR_RETURN(PgResult mark,
                     conn.Exec("SELECT indexed_through_seq FROM event_index_state WHERE id = 1"));
    if (mark.rows() != 1) return InternalError("postgres: event_index_state has no row");
    const int64_t indexed_through = mark.Int64(0, 0);
    const std::string value = LookupValueOf(query);  // PgParams refers to it
    std::vector<StoredEvent> indexed;
    // Pages of the index until `limit` records answer the query or the range ends: a record of
    // another key sharing the number is skipped and the read goes on after it.
    bool has_before = query.has_before;
    int64_t before_time_ms = query.before_time_ms;
    int64_t before_seq = query.before_seq;
    while (static_cast<int>(indexed.size()) < query.limit) {
      const int64_t want = query.limit - static_cast<int64_t>(indexed.size());
      PgParams params;
      params.Text(query.recipient_account_id)
          .Text(query.region)
          .Int64(static_cast<int64_t>(query.key))
          .Text(value)
          .Int64(query.start_ms)
          .Int64(query.end_ms);
      if (has_before) params.Int64(before_time_ms).Int64(before_seq);
      params.Int64(want);
      ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgIndexedLookupSql(has_before), params));
      for (int r = 0; r < rows.rows(); ++r) {
        StoredEvent e = PgReadEventRow(rows, r);
        has_before = true;
        before_time_ms = e.event_time_ms;
        before_seq = e.seq;
        if (EventMatchesQuery(e, query)) indexed.push_back(std::move(e));
      }
      if (rows.rows() < want) break;  // the range is read to its end
    }
    std::vector<StoredEvent> tail;
    {
      PgParams params;
      params.Int64(indexed_through)
          .Text(query.recipient_account_id)
          .Text(query.region)
          .Int64(query.start_ms)
          .Int64(query.end_ms);
      if (query.has_before) params.Int64(query.before_time_ms).Int64(query.before_seq);
      if (query.key == EventLookupKey::kReadOnly) {
        params.Int64(value == "true" ? 1 : 0);
      } else if (!EventColumnOf(query.key).empty()) {
        params.Text(value);
      }
      if (query.key == EventLookupKey::kNone || !EventColumnOf(query.key).empty()) {
        params.Int64(query.limit);
      }
      ASSIGN_OR_RETURN(PgResult rows, conn.Exec(PgTailLookupSql(query), params));
      for (int r = 0; r < rows.rows(); ++r) {
        StoredEvent e = PgReadEventRow(rows, r);
        if (EventMatchesQuery(e, query)) tail.push_back(std::move(e));
      }
    }
    return MergeNewestFirst(std::move(indexed), std::move(tail), query.limit);
  });
}

Result<int64_t> PgTrailStore::IndexEvents(int limit) {
  if (limit <= 0) return int64_t{0};
  int64_t indexed = 0;
  // Servers indexing at once take turns on the state row. The records up to the highest seq
  // read are all committed: appends commit in seq order (the event-history lock).
  Status st = writer_.Run([&](PgConnection& conn) -> Status {
    ASSIGN_OR_RETURN(PgResult mark, conn.Exec("SELECT indexed_through_seq FROM event_index_state "
                                              "WHERE id = 1 FOR UPDATE"));
    if (mark.rows() != 1) return InternalError("postgres: event_index_state has no row");
    const int64_t from = mark.Int64(0, 0);
    PgParams next_params;
    next_params.Int64(from).Int64(limit);
    ASSIGN_OR_RETURN(PgResult next,
                     conn.Exec("SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM event_history "
                               "WHERE seq > $1 ORDER BY seq LIMIT $2) a",
                               next_params));
    if (next.rows() != 1 || next.IsNull(0, 0)) return Status::Ok();
    const int64_t through = next.Int64(0, 0);
    PgParams range;
    range.Int64(from).Int64(through);
    // DISTINCT: a record's keys may share a row (two resources of one type, or two keys with one
    // number); deduplicated in the batch, a third cheaper than ON CONFLICT's speculative inserts.
    // The batch's records are in no other batch: the mark moves under the row lock above.
    RETURN_IF_ERROR(conn.Exec("INSERT INTO event_lookup (key_hash, event_time_ms, seq) "
                              "SELECT DISTINCT event_lookup_hash(r.account, r.region, "
                              "r.lookup_key, r.value), r.event_time_ms, r.seq FROM (" +
                                  PgLookupRowsSql("h.seq > $1 AND h.seq <= $2") +
                                  ") AS r (account, region, lookup_key, value, event_time_ms, "
                                  "seq)",
                              range)
                        .status());
    PgParams set;
    set.Int64(through);
    RETURN_IF_ERROR(
        conn.Exec("UPDATE event_index_state SET indexed_through_seq = $1 WHERE id = 1", set)
            .status());
    indexed = next.Int64(0, 1);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return indexed;
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
    // Only indexed records go, with their lookup keys; the indexer never touches them again.
    ASSIGN_OR_RETURN(
        PgResult last,
        conn.Exec("SELECT MAX(seq) FROM (SELECT seq, event_time_ms, "
                  "bool_and(event_time_ms < $1) OVER (ORDER BY seq) AS old "
                  "FROM (SELECT seq, event_time_ms FROM event_history WHERE seq <= "
                  "(SELECT indexed_through_seq FROM event_index_state) ORDER BY seq LIMIT $2) a) b "
                  "WHERE old",
                  params));
    if (last.rows() != 1 || last.IsNull(0, 0)) return Status::Ok();
    PgParams del;
    del.Int64(last.Int64(0, 0));
    RETURN_IF_ERROR(conn.Exec("DELETE FROM event_lookup WHERE seq <= $1", del).status());
    ASSIGN_OR_RETURN(PgResult gone, conn.Exec("DELETE FROM event_history WHERE seq <= $1", del));
    deleted = gone.affected_rows();
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return deleted;
}

}  // namespace openpca::store

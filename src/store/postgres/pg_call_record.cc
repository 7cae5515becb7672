#include "store/postgres/pg_call_record.h"

#include <string>
#include <string_view>

#include "store/event_json.h"

namespace openpca::store {
namespace {

constexpr std::string_view kPgInsertEventSql =
    "INSERT INTO event_history (event_id, recipient_account_id, region, event_time_ms, "
    "event_source, event_name, read_only, username, access_key_id, resources_json, record_json) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

// The commit path: one row, no lookup key (IndexEvents adds them later).
Status PgInsertFinalEvent(PgConnection& conn, const StoredEvent& e) {
  const std::string resources = EventResourcesText(e.resources);
  PgParams params;
  params.Text(e.event_id)
      .Text(e.recipient_account_id)
      .Text(e.region)
      .Int64(e.event_time_ms)
      .Text(e.event_source)
      .Text(e.event_name)
      .Int64(e.read_only ? 1 : 0)
      .Text(e.username)
      .Text(e.access_key_id)
      .Text(resources)
      .Text(e.record_json);
  return conn.Exec(kPgInsertEventSql, params).status();
}

}  // namespace

Status LockPgEventHistory(PgConnection& conn) {
  PgParams key;
  key.Int64(kPgEventHistoryLockKey);
  return conn.Exec("SELECT pg_advisory_xact_lock($1)", key).status();
}

Status InsertPendingCallRecord(PgConnection& conn, const PendingEvents& p) {
  const std::string events = EventsToPendingJson(p.events);
  PgParams params;
  params.Text(p.call_id).Int64(p.created_at_ms).Text(events);
  if (p.provisional_response.empty()) {
    params.Null();
  } else {
    params.Text(p.provisional_response);
  }
  return conn
      .Exec(
          "INSERT INTO event_pending (call_id, created_at_ms, events_json, "
          "provisional_response) VALUES ($1, $2, $3, $4)",
          params)
      .status();
}

Status InsertFinalCallRecord(PgConnection& conn, const std::vector<StoredEvent>& rows) {
  for (const StoredEvent& e : rows) RETURN_IF_ERROR(PgInsertFinalEvent(conn, e));
  return Status::Ok();
}

}  // namespace openpca::store

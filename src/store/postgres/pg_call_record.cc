#include "store/postgres/pg_call_record.h"

#include <string>

#include "store/event_json.h"

namespace openpca::store {

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

}  // namespace openpca::store

// The PostgreSQL side of store/call_record.h: inserting a call's pending record.
// Stateless; runs on the connection it is given.
#pragma once

#include "common/status.h"
#include "store/postgres/pg_connection.h"
#include "store/trail_store.h"

namespace openpca::store {

// Inserts a call's pending row into event_pending on `conn` (the writer's, inside the caller's
// savepoint), as the SQLite overload does. Used by PgWriter for writes made under a
// CallRecordScope. Errors: kInternal.
Status InsertPendingCallRecord(PgConnection& conn, const PendingEvents& p);

}  // namespace openpca::store

// The PostgreSQL writes of the event history (store/trail_store.h, store/call_record.h): a call's
// pending row, final rows, and the advisory lock that orders final rows across servers.
// Stateless; runs on the connection it is given (the writer's, inside a job's savepoint).
//
// Why the lock: event_history.seq is an identity column, drawn when a row is inserted, not when it
// commits. Inside one server every final row is inserted by the one PgWriter, whose transactions
// commit one after another, so seq follows commit order. Servers sharing a database each have a
// writer, though: server A could draw seq 10, server B seq 11 and commit first, and a delivery
// cursor that read 11 would then skip 10 for ever. Every transaction that inserts into
// event_history therefore first takes the transaction-level advisory lock kPgEventHistoryLockKey
// and holds it until it commits: seq values are drawn and committed in one order across servers
// (a transaction's commit is visible before its locks are released, so the next holder draws a
// higher seq only after the lower one is visible). This relies on the identity sequence's CACHE
// being 1 (the default, migrations/postgres/0006_event_history.sql): a session caching a range of
// values would hand them out out of order.
//
// PgWriter takes the lock right after BEGIN for a batch holding such a write (see PgWriter::Run's
// `kind`), before any job runs: the lock is always the first one a writer transaction takes, so
// it never closes a deadlock with the row locks the jobs take. Pending rows (event_pending) carry
// no seq and need no lock.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_connection.h"
#include "store/trail_store.h"

namespace openpca::store {

// pg_advisory_xact_lock key of event_history appends: "openpcae" in ASCII. Distinct from
// kPgMigrationLockKey.
inline constexpr int64_t kPgEventHistoryLockKey = 0x6f70656e70636165;

// Takes the event-history lock for the rest of the transaction (waits for another holder).
// Errors: kInternal.
Status LockPgEventHistory(PgConnection& conn);

// Inserts a call's pending row into event_pending on `conn` (the writer's, inside the caller's
// savepoint), as the SQLite overload does. Used by PgWriter for writes made under a
// CallRecordScope. Errors: kInternal.
Status InsertPendingCallRecord(PgConnection& conn, const PendingEvents& p);

// Inserts final rows into event_history (their lookup keys come later: IndexEvents), in order.
// The transaction must hold the event-history lock. Used by PgWriter for a call whose first
// write is its outcome (CallRecord::final_on_write) and by PgTrailStore::AppendEvents.
// Errors: kInternal.
Status InsertFinalCallRecord(PgConnection& conn, const std::vector<StoredEvent>& rows);

}  // namespace openpca::store

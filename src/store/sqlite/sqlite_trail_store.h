// SqliteTrailStore: the TrailStore (store/trail_store.h) on the database of a SqliteStore, sharing
// its read pool and writer (event rows join the same group commits as the changes they record).
// Tables: migrations/sqlite/0006_event_history.sql, 0014_event_lookup.sql (EventId, indexed behind
// the commit) and 0019_event_postings.sql (every other lookup key, in posting lists:
// sqlite_event_postings.h). Thread-safe; the SqliteStore must outlive it.
#pragma once

#include "store/call_record.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/trail_store.h"

namespace openpca::store {

class SqliteTrailStore final : public TrailStore {
 public:
  explicit SqliteTrailStore(SqliteStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Result<std::vector<StoredEvent>> ReadEventsAfter(int64_t after_seq, int limit) override;
  Status AppendEvents(const std::vector<EventCommit>& commits) override;
  Result<std::vector<PendingEvents>> ListPendingEvents() override;
  Result<std::vector<StoredEvent>> LookupEvents(const EventQuery& query) override;
  Result<int64_t> IndexEvents(int limit) override;
  Result<int64_t> PurgeEventsBefore(int64_t cutoff_ms, int limit) override;

 private:
  SqliteReadPool& reads_;
  SqliteWriter& writer_;
};

// Inserts a call's pending row on `conn` (the writer's, inside the caller's savepoint). Used by
// SqliteWriter for writes made under a CallRecordScope. Errors: kInternal.
Status InsertPendingCallRecord(SqliteConnection& conn, const PendingEvents& p);
// Inserts a call's final rows on `conn` (the writer's, inside the caller's savepoint), for a call
// whose first write is its outcome (CallRecord::final_on_write). Errors: kInternal.
Status InsertFinalCallRecord(SqliteConnection& conn, const std::vector<StoredEvent>& rows);

}  // namespace openpca::store

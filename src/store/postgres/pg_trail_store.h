// PgTrailStore: the TrailStore (store/trail_store.h) on the database of a PgStore, sharing its
// read pool and writer (event rows join the same group commits as the changes they record).
// Tables: migrations/postgres/0006_event_history.sql and 0014_event_lookup.sql (the lookup keys,
// indexed behind the commit).
//
// Several servers may append to one database: every append runs under the event-history advisory
// lock (pg_call_record.h), so seq is committed in increasing order across servers and a delivery
// cursor (ReadEventsAfter) never skips a row. Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/postgres/pg_store.h"
#include "store/trail_store.h"

namespace openpca::store {

class PgTrailStore final : public TrailStore {
 public:
  explicit PgTrailStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Result<std::vector<StoredEvent>> ReadEventsAfter(int64_t after_seq, int limit) override;
  Status AppendEvents(const std::vector<EventCommit>& commits) override;
  Result<std::vector<PendingEvents>> ListPendingEvents() override;
  Result<std::vector<StoredEvent>> LookupEvents(const EventQuery& query) override;
  Result<int64_t> IndexEvents(int limit) override;
  Result<int64_t> PurgeEventsBefore(int64_t cutoff_ms, int limit) override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

}  // namespace openpca::store

// The event history's posting lists on SQLite (migration 0019_event_postings, store/event_postings.h):
// building them behind the commit, reading a key's newest records from them, dropping them with
// their records. Each function runs on the connection it is given, inside its caller's transaction.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/trail_store.h"

namespace openpca::store {

// Adds the final records with seq in (from, through] to the lists of their key values: appended to
// each value's newest list while it has room, new lists after it. Errors: kInternal.
Status AppendEventPostings(SqliteConnection& conn, int64_t from, int64_t through);

// The seqs of the newest `query.limit` indexed records answering `query` (a key that
// UsesPostingLists), newest first. Errors: kInternal (a damaged list included).
Result<std::vector<int64_t>> NewestPostedSeqs(SqliteConnection& conn, const EventQuery& query,
                                              const std::string& value);

// Drops the lists whose records all have seq <= through (purged). Errors: kInternal.
Status DeleteEventPostingsThrough(SqliteConnection& conn, int64_t through);

}  // namespace openpca::store

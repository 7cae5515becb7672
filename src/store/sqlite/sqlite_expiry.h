// Purging expired rows in bounded batches through the SqliteStore's one writer. Thread-safe as
// the writer is.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/expiring_table.h"
#include "store/sqlite/sqlite_writer.h"

namespace openpca::store {

// Deletes up to `limit` (> 0) rows of `t` whose expiry is at or before `now_ms`, in one short
// write transaction (requests share the writer). Returns how many were deleted; callers repeat
// while it equals `limit`. Errors: kInvalidArgs when `limit` <= 0; kInternal.
Result<int64_t> PurgeExpiredRows(SqliteWriter& writer, const ExpiringTable& t, int64_t now_ms,
                                 int limit);

}  // namespace openpca::store

// Purging expired rows in bounded batches through the PgStore's writer. Servers purging at once
// take different rows (SKIP LOCKED) instead of waiting for each other. Thread-safe as the writer
// is.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "store/expiring_table.h"
#include "store/postgres/pg_writer.h"

namespace openpca::store {

// Deletes up to `limit` (> 0) rows of `t` whose expiry is at or before `now_ms`, in one short
// write transaction. Returns how many were deleted; callers repeat while it equals `limit`.
// Errors: kInvalidArgs when `limit` <= 0; kInternal.
Result<int64_t> PgPurgeExpiredRows(PgWriter& writer, const ExpiringTable& t, int64_t now_ms,
                                   int limit);

}  // namespace openpca::store

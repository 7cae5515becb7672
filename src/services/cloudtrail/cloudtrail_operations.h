// The CloudTrail service (JSON 1.1, API version 2013-11-01): LookupEvents over the event history
// (store::TrailStore). Handlers take and return the botocore model's member names.
//
// LookupEvents: at most one LookupAttribute (InvalidLookupAttributesException), StartTime before
// EndTime (InvalidTimeRangeException), MaxResults 1..50 (default 50), newest first, only the
// caller's account (the recipient) and the request's region, only the last 90 days. NextToken is
// sealed with a key of this process (HMAC-SHA256) over the position and the request's
// parameters: valid only with the same parameters (InvalidNextTokenException otherwise) and not
// across restarts. EventCategory "insight": no Insights events are recorded, so an empty list.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "common/clock.h"
#include "common/random.h"
#include "store/trail_store.h"

namespace openpca::services::cloudtrail {

inline constexpr int64_t kHistoryDays = 90;

struct CloudTrailDeps {
  store::TrailStore* trail = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;  // the NextToken key, drawn once
};

std::vector<std::pair<std::string, api::OperationHandler>> CloudTrailOperations(
    CloudTrailDeps deps);

}  // namespace openpca::services::cloudtrail

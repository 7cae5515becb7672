// CloudTrail's trail management (JSON 1.1): CreateTrail, UpdateTrail, DeleteTrail, GetTrail,
// DescribeTrails, ListTrails, GetTrailStatus, StartLogging, StopLogging, ListPublicKeys, AddTags,
// RemoveTags, ListTags. Handlers take and return the botocore model's member names (DescribeTrails'
// lowerCamel trailNameList/includeShadowTrails/trailList included); timestamps are epoch seconds.
//
// Trails live in the TrailDeliveryStore; delivery itself is audit::TrailDelivery's (woken on
// StartLogging/StopLogging). A trail is named by its name (looked up in the caller's region, where
// multi-region trails of other home regions appear as shadow trails) or by its ARN. Changes to a
// multi-region trail must be made in its home region (InvalidHomeRegionException).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "common/clock.h"
#include "store/trail_delivery_store.h"

namespace openpca::services::cloudtrail {

// Trails per account counting in one region (a multi-region trail counts in every region).
inline constexpr int kMaxTrailsPerRegion = 5;
inline constexpr size_t kMaxTrailTags = 50;
inline constexpr size_t kMaxS3KeyPrefix = 200;

struct TrailDeps {
  store::TrailDeliveryStore* trails = nullptr;
  // Whether CloudTrail may deliver the account's trail `trail_arn` to `bucket` under `prefix`:
  // kS3BucketDoesNotExist, kInsufficientS3BucketPolicy, or OK.
  std::function<Status(const std::string& bucket, const std::string& prefix,
                       const std::string& account, const std::string& trail_arn)>
      check_bucket;
  // Tells the delivery worker a trail's logging state changed. May be null.
  std::function<void()> wake;
  const Clock* clock = nullptr;
};

std::vector<std::pair<std::string, api::OperationHandler>> TrailOperations(TrailDeps deps);

}  // namespace openpca::services::cloudtrail

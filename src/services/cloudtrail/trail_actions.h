// The IAM view of CloudTrail's trail operations: cloudtrail:<Operation> on the trail's ARN (the
// input's Name or ARN, in the caller's region and account), "*" for DescribeTrails, ListTrails and
// ListPublicKeys; aws:RequestTag/<k> and aws:TagKeys on CreateTrail and AddTags, aws:TagKeys on
// RemoveTags.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::cloudtrail {

// The trail operations this table covers.
bool IsTrailOperation(std::string_view operation);

api::ActionSpec TrailActionFor(std::string_view operation);

}  // namespace openpca::services::cloudtrail

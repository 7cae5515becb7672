// The IAM view of each IAM operation: action iam:<Operation>; the resource is the user, group,
// role or managed policy the input names (arn:<partition>:iam::<account>:user/<path><name>, ...),
// the caller's own user for access-key operations without UserName, "*" for listings and
// account-wide calls; aws:RequestTag/<k> and aws:TagKeys on the operations that take Tags, and
// aws:TagKeys on Untag*.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::iam {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::iam

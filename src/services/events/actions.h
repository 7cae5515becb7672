// The IAM view of each EventBridge operation: events:<Operation> on the rule
// (arn:<p>:events:<region>:<account>:rule/<name>, default bus), connection
// (...:connection/<name>), API destination (...:api-destination/<name>) or event bus
// (...:event-bus/default, PutEvents) it acts on; list operations and TestEventPattern act on "*".
// Tags of PutRule contribute aws:RequestTag/<k> and aws:TagKeys.
#pragma once

#include <string_view>

#include "api/operation.h"

namespace openpca::services::events {

api::ActionSpec ActionFor(std::string_view operation);

}  // namespace openpca::services::events

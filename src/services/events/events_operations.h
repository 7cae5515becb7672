// Amazon EventBridge (JSON 1.1, target prefix AWSEvents), the subset operators use to route the
// events Private CA and Certificate Manager publish to webhooks: rules on each account's default
// event bus (PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule), their targets
// (PutTargets, RemoveTargets, ListTargetsByRule), TestEventPattern, PutEvents (custom events),
// connections (API_KEY and BASIC) and API destinations (Create/Describe/Delete/List of each).
//
// Handlers take and return the botocore model's member names; timestamps are epoch seconds. The
// pipeline has authenticated, validated and authorized the call; handlers never check
// permissions. A rejected call changes nothing. What is refused and why: docs/compatibility.md.
// Thread-safe; `deps` must outlive the handlers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "common/clock.h"
#include "common/random.h"
#include "events/bus.h"
#include "keys/secret_box.h"
#include "store/events_store.h"

namespace openpca::services::events {

// EventBridge's default quotas that openpca enforces.
inline constexpr size_t kMaxRulesPerBus = 300;
inline constexpr size_t kMaxTargetsPerRule = 5;
inline constexpr size_t kMaxConnections = 50;
inline constexpr size_t kMaxApiDestinations = 3000;

struct EventsDeps {
  store::EventsStore* store = nullptr;
  openpca::events::EventBus* bus = nullptr;  // reloaded after rule and target writes
  const keys::SecretBox* box = nullptr;      // seals connection secrets
  const Clock* clock = nullptr;
  Random* random = nullptr;
  std::string default_region = "us-east-1";  // when CallContext::region is ""
};

// Every supported operation by its AWS name ("PutRule"), ready to register.
std::vector<std::pair<std::string, api::OperationHandler>> EventsOperations(EventsDeps deps);

}  // namespace openpca::services::events

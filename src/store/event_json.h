// The JSON text forms of event records that every SQL dialect stores alike: a record's resources
// (event_history.resources_json) and a call's pending events (event_pending.events_json, see
// store/call_record.h). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/trail_store.h"

namespace openpca::store {

// [{"type": ..., "name": ...}, ...]
nlohmann::json EventResourcesToJson(const std::vector<EventResourceRef>& resources);
// EventResourcesToJson(resources).dump(), written directly (event_history.resources_json).
std::string EventResourcesText(const std::vector<EventResourceRef>& resources);
// The inverse; entries that are not objects are skipped, a non-array gives no resources.
std::vector<EventResourceRef> EventResourcesFromJson(const nlohmann::json& j);

// A pending row's events: their lookup columns and record text, one JSON array (seq is not kept).
std::string EventsToPendingJson(const std::vector<StoredEvent>& events);
// The inverse; malformed text gives no events.
std::vector<StoredEvent> EventsFromPendingJson(std::string_view text);

}  // namespace openpca::store

// The EventBridge envelope of an Event, as rules match it and targets receive it:
//   {"version": "0", "id": <UUID>, "detail-type", "source", "account",
//    "time": "2019-11-04T19:57:46Z", "region", "resources": [...], "detail": {...}}
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "events/event.h"

namespace openpca::events {

// "YYYY-MM-DDThh:mm:ssZ" (UTC, whole seconds, as EventBridge writes "time").
std::string IsoTime(int64_t unix_ms);

// The envelope with event id `id`, for matching.
nlohmann::json Envelope(const Event& event, const std::string& id);

// The envelope's JSON text with the members in EventBridge's order (version, id, detail-type,
// source, account, time, region, resources, detail), as targets receive it.
std::string EnvelopeText(const nlohmann::json& envelope);

}  // namespace openpca::events

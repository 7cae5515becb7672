#include "store/event_lookup.h"

#include <algorithm>
#include <tuple>
#include <unordered_set>
#include <utility>

namespace openpca::store {
namespace {

bool HasResource(const StoredEvent& e, EventLookupKey key, const std::string& value) {
  for (const EventResourceRef& r : e.resources) {
    if ((key == EventLookupKey::kResourceType ? r.type : r.name) == value) return true;
  }
  return false;
}

}  // namespace

std::string LookupValueOf(const EventQuery& query) {
  switch (query.key) {
    case EventLookupKey::kNone: return "";
    case EventLookupKey::kReadOnly: return query.value == "true" ? "true" : "false";
    default: return query.value;
  }
}

std::string_view EventColumnOf(EventLookupKey key) {
  switch (key) {
    case EventLookupKey::kEventId: return "event_id";
    case EventLookupKey::kEventName: return "event_name";
    case EventLookupKey::kReadOnly: return "read_only";
    case EventLookupKey::kUsername: return "username";
    case EventLookupKey::kEventSource: return "event_source";
    case EventLookupKey::kAccessKeyId: return "access_key_id";
    case EventLookupKey::kNone:
    case EventLookupKey::kResourceType:
    case EventLookupKey::kResourceName: return "";
  }
  return "";
}

bool EventMatchesQuery(const StoredEvent& e, const EventQuery& query) {
  if (e.recipient_account_id != query.recipient_account_id || e.region != query.region ||
      e.event_time_ms < query.start_ms || e.event_time_ms > query.end_ms) {
    return false;
  }
  if (query.has_before &&
      std::tie(e.event_time_ms, e.seq) >= std::tie(query.before_time_ms, query.before_seq)) {
    return false;
  }
  const std::string& value = query.value;  // compared as is: no copy per record
  switch (query.key) {
    case EventLookupKey::kNone: return true;
    case EventLookupKey::kEventId: return e.event_id == value;
    case EventLookupKey::kEventName: return e.event_name == value;
    case EventLookupKey::kReadOnly: return e.read_only == (value == "true");
    case EventLookupKey::kUsername: return e.username == value;
    case EventLookupKey::kResourceType:
    case EventLookupKey::kResourceName: return HasResource(e, query.key, value);
    case EventLookupKey::kEventSource: return e.event_source == value;
    case EventLookupKey::kAccessKeyId: return e.access_key_id == value;
  }
  return false;
}

std::vector<StoredEvent> MergeNewestFirst(std::vector<StoredEvent> indexed,
                                          std::vector<StoredEvent> tail, int limit) {
  std::vector<StoredEvent> all = std::move(indexed);
  for (StoredEvent& e : tail) all.push_back(std::move(e));
  std::sort(all.begin(), all.end(), [](const StoredEvent& a, const StoredEvent& b) {
    return std::tie(a.event_time_ms, a.seq) > std::tie(b.event_time_ms, b.seq);
  });
  std::vector<StoredEvent> out;
  std::unordered_set<int64_t> seen;
  for (StoredEvent& e : all) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (seen.insert(e.seq).second) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace openpca::store

// The dialect-neutral half of LookupEvents over an event history indexed behind the commit
// (migration 0014_event_lookup): the value a query looks up, whether a record not indexed yet
// answers a query, and merging the indexed answer with the unindexed tail. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/trail_store.h"

namespace openpca::store {

// The value a query looks up in event_lookup.value: ReadOnly's is "true" or "false" (anything
// but "true" means false), every other key's is the query's value; "" for kNone.
std::string LookupValueOf(const EventQuery& query);

// The event_history column a query's key compares with ("event_name", "read_only", ...), or ""
// for kNone and the resource keys (their values are inside resources_json). read_only holds 0/1.
std::string_view EventColumnOf(EventLookupKey key);

// Whether record `e` answers `query`: recipient, region, time range, the page position
// (strictly after (before_time_ms, before_seq) in newest-first order) and the key.
bool EventMatchesQuery(const StoredEvent& e, const EventQuery& query);

// The records of `indexed` and `tail` (either may hold records of the other, or a record twice),
// each once, newest first ((event_time_ms, seq) descending), at most `limit`.
std::vector<StoredEvent> MergeNewestFirst(std::vector<StoredEvent> indexed,
                                          std::vector<StoredEvent> tail, int limit);

}  // namespace openpca::store

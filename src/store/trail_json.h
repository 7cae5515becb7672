// The JSON text columns of the trail delivery tables that every SQL dialect stores alike
// (migrations/<dialect>/0007_trail_delivery.sql): name/value pairs (cloudtrail_trails.tags_json,
// cloudtrail_outbox.metadata_json) and a digest chain's pending log files
// (cloudtrail_digest_chains.pending_logs_json). A column that does not parse reads as an empty
// list (columns are written only here). Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/trail_delivery_store.h"

namespace openpca::store {

// [[name, value], ...]
std::string TrailPairsToJson(const std::vector<std::pair<std::string, std::string>>& pairs);
std::vector<std::pair<std::string, std::string>> TrailPairsFromJson(const std::string& text);

// [{"region", "bucket", "key", "hash", "oldest", "newest"}, ...]
std::string DigestLogsToJson(const std::vector<DigestLogEntry>& logs);
std::vector<DigestLogEntry> DigestLogsFromJson(const std::string& text);

}  // namespace openpca::store

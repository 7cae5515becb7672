#include "store/trail_json.h"

#include <nlohmann/json.hpp>

namespace openpca::store {

std::string TrailPairsToJson(const std::vector<std::pair<std::string, std::string>>& pairs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [k, v] : pairs) out.push_back(nlohmann::json::array({k, v}));
  return out.dump();
}

std::vector<std::pair<std::string, std::string>> TrailPairsFromJson(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& p : j) {
    if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) {
      out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    }
  }
  return out;
}

std::string DigestLogsToJson(const std::vector<DigestLogEntry>& logs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : logs) {
    out.push_back({{"region", l.region},
                   {"bucket", l.s3_bucket},
                   {"key", l.s3_object},
                   {"hash", l.hash_hex},
                   {"oldest", l.oldest_event_ms},
                   {"newest", l.newest_event_ms}});
  }
  return out.dump();
}

std::vector<DigestLogEntry> DigestLogsFromJson(const std::string& text) {
  std::vector<DigestLogEntry> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& l : j) {
    if (!l.is_object()) continue;
    DigestLogEntry e;
    e.region = l.value("region", "");
    e.s3_bucket = l.value("bucket", "");
    e.s3_object = l.value("key", "");
    e.hash_hex = l.value("hash", "");
    e.oldest_event_ms = l.value("oldest", int64_t{0});
    e.newest_event_ms = l.value("newest", int64_t{0});
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace openpca::store

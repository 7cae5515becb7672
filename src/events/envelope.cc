#include "events/envelope.h"

#include <ctime>

namespace openpca::events {

std::string IsoTime(int64_t unix_ms) {
  std::time_t seconds =
      static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json Envelope(const Event& event, const std::string& id) {
  nlohmann::json resources = nlohmann::json::array();
  for (const std::string& r : event.resources) resources.push_back(r);
  return {{"version", "0"},
          {"id", id},
          {"detail-type", event.detail_type},
          {"source", event.source},
          {"account", event.account},
          {"time", IsoTime(event.time_ms)},
          {"region", event.region},
          {"resources", std::move(resources)},
          {"detail", event.detail.is_object() ? event.detail : nlohmann::json::object()}};
}

std::string EnvelopeText(const nlohmann::json& envelope) {
  nlohmann::ordered_json out;
  for (const char* key : {"version", "id", "detail-type", "source", "account", "time", "region",
                          "resources", "detail"}) {
    auto it = envelope.find(key);
    if (it != envelope.end()) out[key] = *it;
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace openpca::events

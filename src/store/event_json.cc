#include "store/event_json.h"

#include <utility>

#include "common/json_text.h"

namespace openpca::store {

nlohmann::json EventResourcesToJson(const std::vector<EventResourceRef>& resources) {
  nlohmann::json out = nlohmann::json::array();
  for (const EventResourceRef& r : resources) out.push_back({{"type", r.type}, {"name", r.name}});
  return out;
}

std::string EventResourcesText(const std::vector<EventResourceRef>& resources) {
  std::string out = "[";
  for (const EventResourceRef& r : resources) {
    if (out.size() > 1) out += ',';
    out += "{\"name\":";
    bool ok = AppendJsonString(r.name, out);
    out += ",\"type\":";
    ok = ok && AppendJsonString(r.type, out);
    if (!ok) return EventResourcesToJson(resources).dump();  // not UTF-8: dump() decides
    out += '}';
  }
  out += ']';
  return out;
}

std::vector<EventResourceRef> EventResourcesFromJson(const nlohmann::json& j) {
  std::vector<EventResourceRef> out;
  if (!j.is_array()) return out;
  for (const auto& r : j) {
    if (!r.is_object()) continue;
    out.push_back({r.value("type", ""), r.value("name", "")});
  }
  return out;
}

std::string EventsToPendingJson(const std::vector<StoredEvent>& events) {
  nlohmann::json out = nlohmann::json::array();
  for (const StoredEvent& e : events) {
    out.push_back({{"eventId", e.event_id},
                   {"recipient", e.recipient_account_id},
                   {"region", e.region},
                   {"timeMs", e.event_time_ms},
                   {"source", e.event_source},
                   {"name", e.event_name},
                   {"readOnly", e.read_only},
                   {"username", e.username},
                   {"accessKeyId", e.access_key_id},
                   {"resources", EventResourcesToJson(e.resources)},
                   {"record", e.record_json}});
  }
  return JsonText(out);
}

std::vector<StoredEvent> EventsFromPendingJson(std::string_view text) {
  std::vector<StoredEvent> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& o : j) {
    if (!o.is_object()) continue;
    StoredEvent e;
    e.event_id = o.value("eventId", "");
    e.recipient_account_id = o.value("recipient", "");
    e.region = o.value("region", "");
    e.event_time_ms = o.value("timeMs", int64_t{0});
    e.event_source = o.value("source", "");
    e.event_name = o.value("name", "");
    e.read_only = o.value("readOnly", false);
    e.username = o.value("username", "");
    e.access_key_id = o.value("accessKeyId", "");
    e.resources = EventResourcesFromJson(o.value("resources", nlohmann::json::array()));
    e.record_json = o.value("record", "");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace openpca::store

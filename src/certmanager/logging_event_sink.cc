#include "certmanager/logging_event_sink.h"

#include <spdlog/spdlog.h>

#include "certmanager/domain_names.h"

namespace openpca::certmanager {

nlohmann::json EventEnvelope(const events::Event& event, const std::string& id) {
  return nlohmann::json{{"version", "0"},
                        {"id", id},
                        {"detail-type", event.detail_type},
                        {"source", event.source},
                        {"account", event.account},
                        {"time", IsoTime(event.time_ms)},
                        {"region", event.region},
                        {"resources", event.resources},
                        {"detail", event.detail}};
}

void LoggingEventSink::Publish(events::Event event) {
  spdlog::info("event {}", EventEnvelope(event, NewUuidV4(random_)).dump());
}

}  // namespace openpca::certmanager

// LoggingEventSink: an events::EventSink that writes each event, in EventBridge's envelope, as
// one operational log line ("event {...}"). The sink the server uses for ACM's events until an
// event bus is wired. Thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/random.h"
#include "events/event.h"

namespace openpca::certmanager {

// The event in EventBridge's envelope: version, id, detail-type, source, account, time, region,
// resources, detail.
nlohmann::json EventEnvelope(const events::Event& event, const std::string& id);

class LoggingEventSink final : public events::EventSink {
 public:
  explicit LoggingEventSink(Random& random) : random_(random) {}
  void Publish(events::Event event) override;

 private:
  Random& random_;
};

}  // namespace openpca::certmanager

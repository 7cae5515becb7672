// EventBridge on the endpoint, over the server's EventsStore: the default event bus (the
// EventSink that Private CA's and ACM's publishers use), the delivery worker with its HTTP client
// and dead-letter log (<data_dir>/events-dead-letter.jsonl), and the "events" service on the
// pipeline. docs/architecture.md "Events" has the flow.
//
// Create before the publishers are wired; Start() once serving, Stop() before the store is
// destroyed (the store must outlive the runtime).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/pipeline.h"
#include "authority/authority.h"
#include "common/clock.h"
#include "common/leadership.h"
#include "common/random.h"
#include "config/config.h"
#include "events/bus.h"
#include "events/dead_letter.h"
#include "events/delivery_worker.h"
#include "events/http_client.h"
#include "keys/secret_box.h"
#include "revocation/crl/crl_publisher.h"
#include "store/events_store.h"

namespace openpca::server {

struct EventsWiringOptions {
  std::string data_dir;
  std::string default_region;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max_delay{std::chrono::minutes(5)};
  // Servers sharing a database: who delivers queued events (null: this server). Not owned.
  Leadership* leadership = nullptr;
};

// The options of `config` (events_retry_*), overridden by the environment variables
// OPENPCA_EVENTS_RETRY_BASE_MS and OPENPCA_EVENTS_RETRY_MAX_DELAY_MS when they hold a positive
// integer.
EventsWiringOptions EventsOptionsFromConfig(const config::ServerConfig& config,
                                            const std::string& data_dir);

class EventsRuntime {
 public:
  // Loads the rules. Errors: kInternal.
  static Result<std::unique_ptr<EventsRuntime>> Create(store::EventsStore& store,
                                                       const keys::SecretBox& box,
                                                       const Clock& clock, Random& random,
                                                       EventsWiringOptions options);
  ~EventsRuntime();

  events::EventSink& sink() { return bus_; }
  // Adds the "events" service and its operations. Before serving.
  void Register(api::Pipeline& pipeline);
  // Private CA's events: creation, issuance and revocation from the authority.
  void ConnectAuthority(authority::Authority& authority);
  // Private CA's "ACM Private CA CRL Generation" events, for CrlPublisherOptions::on_generated.
  std::function<void(const revocation::CrlOutcome&)> CrlListener();

  void Start() { worker_.Start(); }
  void Stop() { worker_.Stop(); }

 private:
  EventsRuntime(store::EventsStore& store, const keys::SecretBox& box, const Clock& clock,
                Random& random, EventsWiringOptions options);

  store::EventsStore& store_;
  const keys::SecretBox& box_;
  const Clock& clock_;
  Random& random_;
  EventsWiringOptions options_;
  events::EventBus bus_;
  events::BeastHttpSender sender_;
  events::DeadLetterLog dead_letters_;
  events::DeliveryWorker worker_;
};

}  // namespace openpca::server

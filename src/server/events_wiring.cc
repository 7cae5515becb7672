#include "server/events_wiring.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "common/arn.h"
#include "services/events/actions.h"
#include "services/events/events_operations.h"

namespace openpca::server {
namespace {

events::DeliveryOptions DeliveryOptionsOf(const EventsWiringOptions& options) {
  events::DeliveryOptions d;
  d.backoff.base = options.retry_base;
  d.backoff.max_delay = options.retry_max_delay;
  d.leadership = options.leadership;
  return d;
}

std::chrono::milliseconds EnvMs(const char* name, int fallback) {
  const char* v = std::getenv(name);
  int64_t value = 0;
  if (v != nullptr && *v != '\0') {
    auto [end, ec] = std::from_chars(v, v + std::strlen(v), value);
    if (ec == std::errc() && *end == '\0' && value > 0) return std::chrono::milliseconds(value);
    spdlog::warn("{} is not a positive integer; using {} ms", name, fallback);
  }
  return std::chrono::milliseconds(fallback);
}

}  // namespace

EventsWiringOptions EventsOptionsFromConfig(const config::ServerConfig& config,
                                            const std::string& data_dir) {
  EventsWiringOptions options;
  options.data_dir = data_dir;
  options.default_region = config.region;
  options.retry_base = EnvMs("OPENPCA_EVENTS_RETRY_BASE_MS", config.events_retry_base_ms);
  options.retry_max_delay = std::max(options.retry_base, EnvMs("OPENPCA_EVENTS_RETRY_MAX_DELAY_MS",
                                                               config.events_retry_max_delay_ms));
  return options;
}

EventsRuntime::EventsRuntime(store::EventsStore& store, const keys::SecretBox& box,
                             const Clock& clock, Random& random, EventsWiringOptions options)
    : store_(store),
      box_(box),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      bus_(store_, clock, random),
      dead_letters_(options_.data_dir + "/events-dead-letter.jsonl"),
      worker_(store_, box, sender_, dead_letters_, clock, DeliveryOptionsOf(options_)) {
  bus_.SetOnQueued([this] { worker_.Wake(); });
}

EventsRuntime::~EventsRuntime() { worker_.Stop(); }

Result<std::unique_ptr<EventsRuntime>> EventsRuntime::Create(store::EventsStore& store,
                                                             const keys::SecretBox& box,
                                                             const Clock& clock, Random& random,
                                                             EventsWiringOptions options) {
  std::unique_ptr<EventsRuntime> runtime(
      new EventsRuntime(store, box, clock, random, std::move(options)));
  RETURN_IF_ERROR(runtime->bus_.Reload());
  return runtime;
}

void EventsRuntime::Register(api::Pipeline& pipeline) {
  pipeline.AddService(api::ServiceModel::Get("events"));
  services::events::EventsDeps deps;
  deps.store = &store_;
  deps.bus = &bus_;
  deps.box = &box_;
  deps.clock = &clock_;
  deps.random = &random_;
  deps.default_region = options_.default_region;
  for (auto& [name, handler] : services::events::EventsOperations(std::move(deps))) {
    pipeline.AddOperation("events", name, std::move(handler), services::events::ActionFor(name));
  }
}

void EventsRuntime::ConnectAuthority(authority::Authority& authority) {
  authority.SetEventListener([this](const authority::AuthorityEvent& e) {
    if (!bus_.HasRulesIn(e.account_id, e.region)) return;  // no rule could receive it
    // AWS Private CA's event shapes: docs/decisions.md "Private CA events".
    events::Event event;
    event.source = "aws.acm-pca";
    event.account = e.account_id;
    event.region = e.region;
    event.time_ms = ToUnixMillis(clock_.Now());
    event.resources.push_back(e.ca_arn);
    switch (e.kind) {
      case authority::AuthorityEvent::Kind::kCaCreated:
        event.detail_type = "ACM Private CA Creation";
        break;
      case authority::AuthorityEvent::Kind::kCertificateIssued:
        event.detail_type = "ACM Private CA Certificate Issuance";
        event.resources.push_back(e.certificate_arn);
        break;
      case authority::AuthorityEvent::Kind::kCertificateRevoked:
        event.detail_type = "ACM Private CA Certificate Revocation";
        event.resources.push_back(e.certificate_arn);
        break;
    }
    event.detail = {{"result", "success"}};
    bus_.Publish(std::move(event));
  });
}

std::function<void(const revocation::CrlOutcome&)> EventsRuntime::CrlListener() {
  return [this](const revocation::CrlOutcome& outcome) {
    events::Event event;
    event.source = "aws.acm-pca";
    event.detail_type = "ACM Private CA CRL Generation";
    event.account = outcome.account_id;
    std::optional<CaArn> arn = ParseCaArn(outcome.ca_arn);
    event.region = arn.has_value() ? arn->region : options_.default_region;
    event.time_ms = ToUnixMillis(clock_.Now());
    event.resources.push_back(outcome.ca_arn);
    event.detail = {{"result", outcome.success ? "success" : "failure"}};
    if (!outcome.success) event.detail["reason"] = outcome.reason;
    bus_.Publish(std::move(event));
  };
}

}  // namespace openpca::server

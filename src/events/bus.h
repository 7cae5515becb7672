// EventBus: the default event bus of every account and region, and the EventSink publishers use.
//
// Publish() wraps the event in its envelope (a new UUID as id), matches it against the ENABLED
// rules of its account and region, and queues one delivery per target of every matching rule in
// one durable write before returning: an accepted event survives a restart. The DeliveryWorker
// (woken through the on-queued callback) sends them. Rules and targets are read from an in-memory
// snapshot of the EventsStore, compiled once; whoever writes rules or targets calls Reload().
//
// Thread-safe; the store, clock and random source must outlive it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "events/event.h"
#include "events/pattern.h"
#include "store/events_store.h"

namespace openpca::events {

// The ARN of the default event bus and of a rule on it.
std::string DefaultBusArn(const std::string& partition, const std::string& region,
                          const std::string& account);
std::string RuleArn(const std::string& partition, const std::string& region,
                    const std::string& account, const std::string& name);

class EventBus final : public EventSink {
 public:
  EventBus(store::EventsStore& store, const Clock& clock, Random& random);

  // Rebuilds the snapshot of rules and targets from the store. Errors: kInternal.
  Status Reload();
  // Called after deliveries were queued. Set before publishing.
  void SetOnQueued(std::function<void()> on_queued) { on_queued_ = std::move(on_queued); }

  // EventSink. Failures (the queue write) are logged: the publisher's operation already happened.
  void Publish(Event event) override;
  // Publish, returning the event id. Errors: kInternal when the deliveries could not be queued.
  Result<std::string> PublishWithId(Event event);
  // Whether an enabled rule with a target exists in the account and region (the last Reload's):
  // a publisher may skip building an event that no rule can receive.
  bool HasRulesIn(const std::string& account, const std::string& region) const;

 private:
  struct Target {
    std::string id;
    std::string arn;
    std::string document;  // JSON text
  };
  struct Rule {
    std::string arn;
    EventPattern pattern;
    std::vector<Target> targets;
  };
  using Snapshot = std::map<std::string, std::vector<Rule>>;  // "<account>/<region>" → rules

  store::EventsStore& store_;
  const Clock& clock_;
  Random& random_;
  std::function<void()> on_queued_;
  std::mutex reload_mu_;  // one Reload at a time
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
};

}  // namespace openpca::events

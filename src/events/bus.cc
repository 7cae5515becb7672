#include "events/bus.h"

#include <spdlog/spdlog.h>

#include "events/envelope.h"

namespace openpca::events {
namespace {

std::string ScopeKey(const std::string& account, const std::string& region) {
  return account + "/" + region;
}

}  // namespace

std::string DefaultBusArn(const std::string& partition, const std::string& region,
                          const std::string& account) {
  return "arn:" + partition + ":events:" + region + ":" + account + ":event-bus/default";
}

std::string RuleArn(const std::string& partition, const std::string& region,
                    const std::string& account, const std::string& name) {
  return "arn:" + partition + ":events:" + region + ":" + account + ":rule/" + name;
}

EventBus::EventBus(store::EventsStore& store, const Clock& clock, Random& random)
    : store_(store), clock_(clock), random_(random), snapshot_(std::make_shared<Snapshot>()) {}

Status EventBus::Reload() {
  std::lock_guard<std::mutex> reloading(reload_mu_);
  ASSIGN_OR_RETURN(std::vector<store::EventRuleRecord> rules, store_.ListRules());
  ASSIGN_OR_RETURN(std::vector<store::EventTargetRecord> targets, store_.ListTargets());
  std::map<std::string, std::vector<Target>> by_rule;
  for (const store::EventTargetRecord& t : targets) {
    by_rule[t.rule_arn].push_back(
        Target{t.target_id, t.document.value("Arn", ""), t.document.dump()});
  }
  auto snapshot = std::make_shared<Snapshot>();
  for (const store::EventRuleRecord& r : rules) {
    if (r.state != "ENABLED") continue;
    auto pattern_text = r.document.find("EventPattern");
    if (pattern_text == r.document.end() || !pattern_text->is_string()) continue;
    Result<EventPattern> pattern = EventPattern::Compile(pattern_text->get<std::string>());
    if (!pattern.ok()) {
      spdlog::error("events: rule {} has an invalid stored pattern: {}", r.arn,
                    pattern.status().message());
      continue;
    }
    auto it = by_rule.find(r.arn);
    if (it == by_rule.end()) continue;  // nothing to deliver to
    (*snapshot)[ScopeKey(r.account_id, r.region)].push_back(
        Rule{r.arn, std::move(pattern).value(), it->second});
  }
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_ = std::move(snapshot);
  return Status::Ok();
}

bool EventBus::HasRulesIn(const std::string& account, const std::string& region) const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_->contains(ScopeKey(account, region));
}

void EventBus::Publish(Event event) {
  // Nothing can receive it: no id drawn, no envelope built (the common case of issuance).
  if (!HasRulesIn(event.account, event.region)) return;
  std::string source = event.source;
  std::string detail_type = event.detail_type;
  Result<std::string> id = PublishWithId(std::move(event));
  if (!id.ok()) {
    spdlog::error("events: {} / {} could not be queued: {}", source, detail_type,
                  id.status().message());
  }
}

Result<std::string> EventBus::PublishWithId(Event event) {
  const std::string id = NewUuidV4(random_);
  if (event.time_ms == 0) event.time_ms = ToUnixMillis(clock_.Now());
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot = snapshot_;
  }
  auto rules = snapshot->find(ScopeKey(event.account, event.region));
  if (rules == snapshot->end()) return id;
  const nlohmann::json envelope = Envelope(event, id);
  std::string text;
  std::vector<store::EventDeliveryRecord> deliveries;
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  for (const Rule& rule : rules->second) {
    if (!rule.pattern.Matches(envelope)) continue;
    if (text.empty()) text = EnvelopeText(envelope);
    for (const Target& target : rule.targets) {
      store::EventDeliveryRecord d;
      d.id = NewUuidV4(random_);
      d.rule_arn = rule.arn;
      d.target_id = target.id;
      d.target_arn = target.arn;
      d.target = target.document;
      d.envelope = text;
      d.accepted_at_ms = now_ms;
      d.next_attempt_at_ms = now_ms;
      deliveries.push_back(std::move(d));
    }
  }
  if (deliveries.empty()) return id;
  RETURN_IF_ERROR(store_.EnqueueDeliveries(deliveries));
  if (on_queued_) on_queued_();
  return id;
}

}  // namespace openpca::events

// EventsStore: durable state of EventBridge on the endpoint: rules of each account's default event
// bus (per region), their targets, connections (with their sealed secret), API destinations, and
// the queue of pending deliveries. SqliteEventsStore implements it on the SqliteStore's database
// (migrations/sqlite/0009_events.sql).
//
// Implementations are thread-safe; every mutating call returns only after its effect is durable.
// Times are Unix epoch milliseconds. Descriptive members travel as JSON documents in the API's
// own member names. Lists are ordered by name (rules, connections, destinations), target id, or
// due time (deliveries).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::store {

struct EventRuleRecord {
  std::string arn;
  std::string account_id;
  std::string region;
  std::string name;
  std::string state;                                   // ENABLED | DISABLED
  nlohmann::json document = nlohmann::json::object();  // EventPattern, Description, RoleArn, ...
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct EventTargetRecord {
  std::string rule_arn;
  std::string target_id;
  nlohmann::json document = nlohmann::json::object();  // the Target
  int64_t created_at_ms = 0;
};

struct EventConnectionRecord {
  std::string arn;
  std::string account_id;
  std::string region;
  std::string name;
  std::string authorization_type;  // API_KEY | BASIC
  std::string state;
  nlohmann::json document = nlohmann::json::object();  // Description, public AuthParameters
  Bytes sealed_secret;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct ApiDestinationRecord {
  std::string arn;
  std::string account_id;
  std::string region;
  std::string name;
  std::string connection_arn;
  nlohmann::json document = nlohmann::json::object();  // InvocationEndpoint, HttpMethod, ...
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct EventDeliveryRecord {
  std::string id;
  std::string rule_arn;
  std::string target_id;
  std::string target_arn;
  std::string target;    // the Target document (JSON text)
  std::string envelope;  // the event (JSON text)
  int64_t attempts = 0;  // failed attempts so far
  int64_t accepted_at_ms = 0;
  int64_t next_attempt_at_ms = 0;
  std::string last_error;
};

class EventsStore {
 public:
  virtual ~EventsStore() = default;

  // --- Rules. ---
  // Errors: kInternal.
  virtual Result<std::optional<EventRuleRecord>> GetRule(std::string_view arn) = 0;
  // Every rule of every account and region. Errors: kInternal.
  virtual Result<std::vector<EventRuleRecord>> ListRules() = 0;
  // Inserts or replaces the rule with this ARN (created_at_ms of an existing rule is kept).
  // Errors: kInternal.
  virtual Status PutRule(const EventRuleRecord& rule) = 0;
  // Errors: kResourceNotFound; kValidation when targets remain; kInternal.
  virtual Status DeleteRule(std::string_view arn) = 0;

  // --- Targets. ---
  // Every target of every rule. Errors: kInternal.
  virtual Result<std::vector<EventTargetRecord>> ListTargets() = 0;
  // Inserts or replaces targets of one rule (by id), in one transaction, refusing to exceed
  // `max_targets` targets on the rule. Errors: kResourceNotFound (no rule); kLimitExceeded;
  // kInternal.
  virtual Status PutTargets(std::string_view rule_arn,
                            const std::vector<EventTargetRecord>& targets, size_t max_targets) = 0;
  // Removes the targets with these ids (absent ids are ignored). Errors: kInternal.
  virtual Status RemoveTargets(std::string_view rule_arn, const std::vector<std::string>& ids) = 0;

  // --- Connections. ---
  // Errors: kAlreadyExists (the name is taken in the account and region); kInternal.
  virtual Status InsertConnection(const EventConnectionRecord& connection) = 0;
  virtual Result<std::optional<EventConnectionRecord>> GetConnection(std::string_view account_id,
                                                                     std::string_view region,
                                                                     std::string_view name) = 0;
  virtual Result<std::optional<EventConnectionRecord>> GetConnectionByArn(std::string_view arn) = 0;
  virtual Result<std::vector<EventConnectionRecord>> ListConnections(std::string_view account_id,
                                                                     std::string_view region) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Status DeleteConnection(std::string_view arn) = 0;

  // --- API destinations. ---
  // Errors: kAlreadyExists; kInternal.
  virtual Status InsertApiDestination(const ApiDestinationRecord& destination) = 0;
  virtual Result<std::optional<ApiDestinationRecord>> GetApiDestination(std::string_view account_id,
                                                                        std::string_view region,
                                                                        std::string_view name) = 0;
  virtual Result<std::optional<ApiDestinationRecord>> GetApiDestinationByArn(
      std::string_view arn) = 0;
  virtual Result<std::vector<ApiDestinationRecord>> ListApiDestinations(
      std::string_view account_id, std::string_view region) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Status DeleteApiDestination(std::string_view arn) = 0;

  // --- Deliveries. ---
  // Queues deliveries, all or none. Errors: kInternal.
  virtual Status EnqueueDeliveries(const std::vector<EventDeliveryRecord>& deliveries) = 0;
  // Up to `limit` deliveries due at `now_ms`, earliest first. Errors: kInternal.
  virtual Result<std::vector<EventDeliveryRecord>> DueDeliveries(int64_t now_ms, size_t limit) = 0;
  // The earliest next_attempt_at_ms of any queued delivery. Errors: kInternal.
  virtual Result<std::optional<int64_t>> NextDeliveryDueMs() = 0;
  // A delivery ended (delivered, or dead-lettered): removes it. Errors: kInternal.
  virtual Status CompleteDelivery(std::string_view id) = 0;
  // A delivery failed and will be retried. Errors: kInternal.
  virtual Status RescheduleDelivery(std::string_view id, int64_t attempts,
                                    int64_t next_attempt_at_ms, std::string_view last_error) = 0;
};

}  // namespace openpca::store

// PgEventsStore: the EventsStore (store/events_store.h) on the database of a PgStore, sharing its
// read pool and its writer (so event writes join the same group commits).
// Tables: migrations/postgres/0009_events.sql.
//
// Several servers may share the database: a change to a rule's targets (PutTargets' limit,
// DeleteRule's "no targets" rule) holds the rule's row lock, so those checks see every target
// another server added. Each delivery worker reads the whole due queue (as on SQLite): servers
// sharing a database each attempt due deliveries.
// Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/events_store.h"
#include "store/postgres/pg_store.h"

namespace openpca::store {

class PgEventsStore final : public EventsStore {
 public:
  explicit PgEventsStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Result<std::optional<EventRuleRecord>> GetRule(std::string_view arn) override;
  Result<std::vector<EventRuleRecord>> ListRules() override;
  Status PutRule(const EventRuleRecord& rule) override;
  Status DeleteRule(std::string_view arn) override;

  Result<std::vector<EventTargetRecord>> ListTargets() override;
  Status PutTargets(std::string_view rule_arn, const std::vector<EventTargetRecord>& targets,
                    size_t max_targets) override;
  Status RemoveTargets(std::string_view rule_arn, const std::vector<std::string>& ids) override;

  Status InsertConnection(const EventConnectionRecord& connection) override;
  Result<std::optional<EventConnectionRecord>> GetConnection(std::string_view account_id,
                                                             std::string_view region,
                                                             std::string_view name) override;
  Result<std::optional<EventConnectionRecord>> GetConnectionByArn(std::string_view arn) override;
  Result<std::vector<EventConnectionRecord>> ListConnections(std::string_view account_id,
                                                             std::string_view region) override;
  Status DeleteConnection(std::string_view arn) override;

  Status InsertApiDestination(const ApiDestinationRecord& destination) override;
  Result<std::optional<ApiDestinationRecord>> GetApiDestination(std::string_view account_id,
                                                                std::string_view region,
                                                                std::string_view name) override;
  Result<std::optional<ApiDestinationRecord>> GetApiDestinationByArn(std::string_view arn) override;
  Result<std::vector<ApiDestinationRecord>> ListApiDestinations(std::string_view account_id,
                                                                std::string_view region) override;
  Status DeleteApiDestination(std::string_view arn) override;

  Status EnqueueDeliveries(const std::vector<EventDeliveryRecord>& deliveries) override;
  Result<std::vector<EventDeliveryRecord>> DueDeliveries(int64_t now_ms, size_t limit) override;
  Result<std::optional<int64_t>> NextDeliveryDueMs() override;
  Status CompleteDelivery(std::string_view id) override;
  Status RescheduleDelivery(std::string_view id, int64_t attempts, int64_t next_attempt_at_ms,
                            std::string_view last_error) override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

}  // namespace openpca::store

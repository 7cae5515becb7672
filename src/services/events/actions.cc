#include "services/events/actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::events {
namespace {

std::string Base(const api::CallContext& ctx) {
  return "arn:" + PartitionOf(ctx) + ":events:" + ctx.region + ":" + ctx.account_id + ":";
}

}  // namespace

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "events:" + std::string(operation);
  const std::string op(operation);
  if (op == "PutRule" || op == "DescribeRule" || op == "DeleteRule" || op == "EnableRule" ||
      op == "DisableRule") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      return Base(ctx) + "rule/" + StringMember(input, "Name");
    };
  } else if (op == "PutTargets" || op == "RemoveTargets" || op == "ListTargetsByRule") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      return Base(ctx) + "rule/" + StringMember(input, "Rule");
    };
  } else if (op == "CreateConnection" || op == "DescribeConnection" || op == "DeleteConnection") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      return Base(ctx) + "connection/" + StringMember(input, "Name");
    };
  } else if (op == "CreateApiDestination" || op == "DescribeApiDestination" ||
             op == "DeleteApiDestination") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json& input) {
      return Base(ctx) + "api-destination/" + StringMember(input, "Name");
    };
  } else if (op == "PutEvents") {
    spec.resource = [](const api::CallContext& ctx, const nlohmann::json&) {
      return Base(ctx) + "event-bus/default";
    };
  }
  if (op == "PutRule") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddRequestTagKeys(input, "Tags", keys); };
  }
  return spec;
}

}  // namespace openpca::services::events

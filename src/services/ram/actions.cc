#include "services/ram/actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::ram {

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "ram:" + std::string(operation);
  spec.resource = [](const api::CallContext&, const nlohmann::json& input) {
    // Invitations are answered by their receiver and AWS-managed permissions belong to no
    // account: both are checked against the caller's own identity policies ("*").
    return StringMember(input, "resourceShareArn");
  };
  if (operation == "CreateResourceShare" || operation == "TagResource") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddRequestTagKeys(input, "tags", keys); };
  }
  return spec;
}

}  // namespace openpca::services::ram

#include "services/organizations/actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::organizations {

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "organizations:" + std::string(operation);
  if (operation == "CreateAccount" || operation == "CreatePolicy" ||
      operation == "CreateOrganizationalUnit" || operation == "TagResource") {
    spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                         api::ConditionKeys& keys) { AddRequestTagKeys(input, "Tags", keys); };
  }
  return spec;
}

}  // namespace openpca::services::organizations

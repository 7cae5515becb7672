#include "services/sts/actions.h"

#include <string>

#include "services/action_helpers.h"

namespace openpca::services::sts {

api::ActionSpec ActionFor(std::string_view operation) {
  api::ActionSpec spec;
  spec.action = "sts:" + std::string(operation);
  if (operation == "GetCallerIdentity" || operation == "GetSessionToken") {
    spec.no_authorization = true;
    return spec;
  }
  spec.resource = [](const api::CallContext&, const nlohmann::json& input) {
    return StringMember(input, "RoleArn");
  };
  spec.conditions = [](const api::CallContext&, const nlohmann::json& input,
                       api::ConditionKeys& keys) {
    if (std::string v = StringMember(input, "RoleSessionName"); !v.empty()) {
      keys.push_back({"sts:RoleSessionName", {std::move(v)}});
    }
    if (std::string v = StringMember(input, "ExternalId"); !v.empty()) {
      keys.push_back({"sts:ExternalId", {std::move(v)}});
    }
    if (std::string v = StringMember(input, "SourceIdentity"); !v.empty()) {
      keys.push_back({"sts:SourceIdentity", {std::move(v)}});
    }
    AddRequestTagKeys(input, "Tags", keys);
    // TransitiveTagKeys is multivalued.
    auto transitive = input.find("TransitiveTagKeys");
    if (transitive != input.end() && transitive->is_array()) {
      std::vector<std::string> ks;
      for (const auto& k : *transitive) {
        if (k.is_string()) ks.push_back(k.get<std::string>());
      }
      keys.push_back({"sts:TransitiveTagKeys", std::move(ks)});
    }
  };
  return spec;
}

}  // namespace openpca::services::sts

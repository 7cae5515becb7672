#include "identity/hooks.h"

#include <nlohmann/json.hpp>

namespace openpca::identity {

Status BasicPolicyCheck(std::string_view document, PolicyDocKind kind) {
  auto malformed = [](std::string m) {
    return Status(ErrorCode::kMalformedPolicyDocument, std::move(m));
  };
  nlohmann::json j = nlohmann::json::parse(document, nullptr, false);
  if (!j.is_object()) return malformed("Syntax errors in policy.");
  if (!j.contains("Statement")) return malformed("Missing required field Statement");
  nlohmann::json statements = j["Statement"];
  if (statements.is_object()) statements = nlohmann::json::array({statements});
  if (!statements.is_array() || statements.empty()) return malformed("Syntax errors in policy.");
  for (const auto& s : statements) {
    if (!s.is_object()) return malformed("Syntax errors in policy.");
    auto effect = s.find("Effect");
    if (effect == s.end() || !effect->is_string() ||
        (*effect != "Allow" && *effect != "Deny")) {
      return malformed("Invalid effect");
    }
    bool has_principal = s.contains("Principal") || s.contains("NotPrincipal");
    if (kind == PolicyDocKind::kTrust && !has_principal) {
      return malformed("AssumeRolepolicy contained an invalid principal");
    }
    if (kind != PolicyDocKind::kTrust && has_principal) {
      return malformed("Policy document should not specify a principal.");
    }
    if (!s.contains("Action") && !s.contains("NotAction")) {
      return malformed("Policy statement must contain actions.");
    }
    if (kind != PolicyDocKind::kTrust && !s.contains("Resource") && !s.contains("NotResource")) {
      return malformed("Policy statement must contain resources.");
    }
  }
  return Status::Ok();
}

Status CheckPolicy(const PolicyHooks& hooks, std::string_view document, PolicyDocKind kind) {
  if (hooks.check_policy) return hooks.check_policy(document, kind);
  return BasicPolicyCheck(document, kind);
}

}  // namespace openpca::identity

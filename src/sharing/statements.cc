#include "sharing/statements.h"

#include <algorithm>

namespace openpca::sharing {
namespace {

using json = nlohmann::json;

// Merges `add` (operator -> key -> value) into `condition`.
void MergeCondition(json& condition, const json& add) {
  for (auto& [op, keys] : add.items()) {
    for (auto& [key, value] : keys.items()) condition[op][key] = value;
  }
}

Status Malformed(std::string why) {
  return Status(ErrorCode::kMalformedPolicyTemplate,
                "The policy template is malformed: " + std::move(why));
}

}  // namespace

bool IsShareableAction(std::string_view qualified) {
  constexpr std::string_view kPrefix = "acm-pca:";
  if (qualified.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view name = qualified.substr(kPrefix.size());
  return std::find(kShareableActions.begin(), kShareableActions.end(), name) !=
         kShareableActions.end();
}

Result<std::vector<json>> ParsePolicyTemplate(std::string_view text,
                                              std::string_view resource_type) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Malformed("not JSON");
  std::vector<json> out;
  if (doc.is_object()) {
    out.push_back(doc);
  } else if (doc.is_array() && !doc.empty()) {
    for (const auto& s : doc) out.push_back(s);
  } else {
    return Malformed("expected a statement object or a list of them");
  }
  for (const auto& s : out) {
    if (!s.is_object()) return Malformed("a statement is not an object");
    for (const auto& [key, value] : s.items()) {
      if (key != "Effect" && key != "Action" && key != "Condition" && key != "Sid") {
        return Malformed("member " + key + " is not allowed in a permission template");
      }
    }
    std::string effect = s.value("Effect", "");
    if (effect != "Allow" && effect != "Deny") return Malformed("Effect must be Allow or Deny");
    if (!s.contains("Action")) return Malformed("Action is missing");
    json actions = s["Action"].is_string() ? json::array({s["Action"]}) : s["Action"];
    if (!actions.is_array() || actions.empty()) return Malformed("Action must list actions");
    for (const auto& a : actions) {
      if (!a.is_string()) return Malformed("an action is not a string");
      if (resource_type == "acm-pca:CertificateAuthority" &&
          !IsShareableAction(a.get<std::string>())) {
        return Malformed("action " + a.get<std::string>() +
                         " cannot be granted on acm-pca:CertificateAuthority");
      }
    }
    if (s.contains("Condition") && !s["Condition"].is_object()) {
      return Malformed("Condition must be an object");
    }
  }
  return out;
}

json ApplyTemplate(const json& tmpl, std::string_view principal, std::string_view resource_arn,
                   std::string sid) {
  json s{{"Sid", std::move(sid)}, {"Effect", tmpl.value("Effect", "Allow")}};
  json condition = tmpl.contains("Condition") ? tmpl["Condition"] : json::object();
  constexpr std::string_view kOrgPrefix = "arn:aws:organizations::";
  if (principal.substr(0, kOrgPrefix.size()) == kOrgPrefix) {
    // arn:aws:organizations::<account>:organization/o-x or ...:ou/o-x/ou-y
    std::string_view resource = principal.substr(principal.find(':', kOrgPrefix.size()) + 1);
    s["Principal"] = "*";
    if (resource.substr(0, 13) == "organization/") {
      MergeCondition(condition,
                     json{{"StringEquals", {{"aws:PrincipalOrgID", resource.substr(13)}}}});
    } else if (resource.substr(0, 3) == "ou/") {
      std::string path(resource.substr(3));  // o-x/ou-y
      MergeCondition(
          condition,
          json{{"ForAnyValue:StringLike",
                {{"aws:PrincipalOrgPaths", path.substr(0, path.find('/')) + "/*/" +
                                               path.substr(path.find('/') + 1) + "/*"}}}});
    }
  } else {
    s["Principal"] = json{{"AWS", std::string(principal)}};
  }
  s["Action"] = tmpl["Action"].is_string() ? json::array({tmpl["Action"]}) : tmpl["Action"];
  s["Resource"] = std::string(resource_arn);
  if (!condition.empty()) s["Condition"] = std::move(condition);
  return s;
}

json PermissionStatement(const store::CaPermissionRecord& p, std::string_view ca_arn) {
  json actions = json::array();
  for (const auto& a : p.actions) actions.push_back("acm-pca:" + a);
  json s{{"Sid", "ACMPermission" + p.source_account},
         {"Effect", "Allow"},
         {"Principal", {{"Service", p.principal}}},
         {"Action", std::move(actions)},
         {"Resource", std::string(ca_arn)}};
  if (!p.source_account.empty()) {
    s["Condition"] = json{{"StringEquals", {{"aws:SourceAccount", p.source_account}}}};
  }
  return s;
}

std::vector<std::string> AwsPrincipals(const json& principal) {
  std::vector<std::string> out;
  if (principal.is_string()) {
    out.push_back(principal.get<std::string>());
    return out;
  }
  if (!principal.is_object() || !principal.contains("AWS")) return out;
  const json& aws = principal["AWS"];
  if (aws.is_string()) out.push_back(aws.get<std::string>());
  if (aws.is_array()) {
    for (const auto& a : aws) {
      if (a.is_string()) out.push_back(a.get<std::string>());
    }
  }
  return out;
}

}  // namespace openpca::sharing

#include "sharing/ca_policy_shape.h"

#include <algorithm>
#include <set>

#include "sharing/statements.h"

namespace openpca::sharing {
namespace {

using json = nlohmann::json;

Status Invalid(std::string detail) {
  return Status(
      ErrorCode::kInvalidPolicy,
      "The resource policy is invalid or is missing a required statement. " + std::move(detail));
}

bool IsAccountId(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The account of arn:aws:iam::<account>:<root|user/...|role/...>, "" otherwise.
std::string IamArnAccount(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return "";
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return "";
  std::string_view account = rest.substr(0, colon);
  std::string_view resource = rest.substr(colon + 1);
  if (!IsAccountId(account)) return "";
  if (resource != "root" && resource.substr(0, 5) != "user/" && resource.substr(0, 5) != "role/") {
    return "";
  }
  return std::string(account);
}

const std::set<std::string, std::less<>> kOperators = {"StringEquals", "StringLike", "ArnEquals",
                                                       "ArnLike", "ForAnyValue:StringLike"};
const std::set<std::string, std::less<>> kKeys = {"aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
                                                  "acm-pca:TemplateArn"};

bool HasCondition(const json& condition, std::initializer_list<std::string_view> operators,
                  std::string_view key) {
  for (std::string_view op : operators) {
    auto it = condition.find(std::string(op));
    if (it != condition.end() && it->contains(std::string(key))) return true;
  }
  return false;
}

Status CheckStatement(const json& s, std::string_view ca_arn) {
  if (!s.is_object()) return Invalid("A statement must be an object.");
  for (const auto& [key, value] : s.items()) {
    if (key != "Sid" && key != "Effect" && key != "Principal" && key != "Action" &&
        key != "Resource" && key != "Condition") {
      return Invalid("Statement member " + key + " is not supported.");
    }
  }
  if (s.contains("Sid") && !s["Sid"].is_string()) return Invalid("Sid must be a string.");
  if (s.value("Effect", "") != "Allow") return Invalid("Effect must be Allow.");

  json condition = s.value("Condition", json::object());
  if (!condition.is_object()) return Invalid("Condition must be an object.");
  for (const auto& [op, keys] : condition.items()) {
    if (!kOperators.contains(op) || !keys.is_object()) {
      return Invalid("Condition operator " + op + " is not supported.");
    }
    for (const auto& [key, value] : keys.items()) {
      if (!kKeys.contains(key)) return Invalid("Condition key " + key + " is not supported.");
      if (!value.is_string() && !value.is_array()) {
        return Invalid("Condition values must be strings.");
      }
    }
  }

  if (!s.contains("Principal")) return Invalid("Principal is missing.");
  const json& principal = s["Principal"];
  bool wildcard = principal == json("*") ||
                  (principal.is_object() && principal.contains("AWS") && principal["AWS"] == "*");
  if (wildcard) {
    if (!HasCondition(condition, {"StringEquals"}, "aws:PrincipalOrgID") &&
        !HasCondition(condition, {"ForAnyValue:StringLike"}, "aws:PrincipalOrgPaths")) {
      return Invalid("A wildcard principal requires an aws:PrincipalOrgID condition.");
    }
  } else {
    if (!principal.is_object() || principal.size() != 1 || !principal.contains("AWS")) {
      return Invalid("Principal must name AWS accounts.");
    }
    std::vector<std::string> names = AwsPrincipals(principal);
    if (names.empty()) return Invalid("Principal must name AWS accounts.");
    for (const auto& n : names) {
      if (!IsAccountId(n) && IamArnAccount(n).empty()) {
        return Invalid("Principal " + n + " is not an account id or IAM ARN.");
      }
    }
  }

  if (!s.contains("Action")) return Invalid("Action is missing.");
  json actions = s["Action"].is_string() ? json::array({s["Action"]}) : s["Action"];
  if (!actions.is_array() || actions.empty()) return Invalid("Action must list actions.");
  bool issue = false;
  for (const auto& a : actions) {
    if (!a.is_string() || !IsShareableAction(a.get<std::string>())) {
      return Invalid("Action " + a.dump() + " cannot be granted on a certificate authority.");
    }
    if (a == "acm-pca:IssueCertificate") issue = true;
  }
  if (issue && !HasCondition(condition, {"StringEquals", "StringLike", "ArnEquals", "ArnLike"},
                             "acm-pca:TemplateArn")) {
    return Invalid("acm-pca:IssueCertificate requires an acm-pca:TemplateArn condition.");
  }

  if (!s.contains("Resource")) return Invalid("Resource is missing.");
  const json& resource = s["Resource"];
  bool resource_ok = (resource.is_string() && resource == ca_arn) ||
                     (resource.is_array() && resource.size() == 1 && resource[0] == ca_arn);
  if (!resource_ok) return Invalid("Resource must be the ARN of the certificate authority.");
  return Status::Ok();
}

}  // namespace

Status CheckCaPolicyShape(std::string_view text, std::string_view ca_arn) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Invalid("The policy is not a JSON object.");
  for (const auto& [key, value] : doc.items()) {
    if (key != "Version" && key != "Id" && key != "Statement") {
      return Invalid("Policy member " + key + " is not supported.");
    }
  }
  if (doc.contains("Version") && doc["Version"] != "2012-10-17") {
    return Invalid("Version must be 2012-10-17.");
  }
  if (!doc.contains("Statement")) return Invalid("Statement is missing.");
  const json& statements = doc["Statement"];
  if (statements.is_object()) return CheckStatement(statements, ca_arn);
  if (!statements.is_array() || statements.empty()) return Invalid("Statement is empty.");
  for (const auto& s : statements) RETURN_IF_ERROR(CheckStatement(s, ca_arn));
  return Status::Ok();
}

std::vector<std::string> AccountsNamedBy(const json& policy) {
  std::vector<std::string> out;
  if (!policy.is_object() || !policy.contains("Statement")) return out;
  json statements =
      policy["Statement"].is_object() ? json::array({policy["Statement"]}) : policy["Statement"];
  if (!statements.is_array()) return out;
  for (const auto& s : statements) {
    if (!s.is_object() || !s.contains("Principal")) continue;
    for (const auto& p : AwsPrincipals(s["Principal"])) {
      std::string account = IsAccountId(p) ? p : IamArnAccount(p);
      if (!account.empty() && std::find(out.begin(), out.end(), account) == out.end()) {
        out.push_back(account);
      }
    }
  }
  return out;
}

}  // namespace openpca::sharing

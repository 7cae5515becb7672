// The resource-policy shapes acm-pca PutPolicy accepts: AWS accepts only its documented statement
// shapes (customers vary the principals and the CA ARN), so openpca checks the document against
// that grammar before the general policy parser sees it. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace openpca::sharing {

// Errors: kInvalidPolicy ("The resource policy is invalid or is missing a required statement.")
// unless `policy` is a JSON object of optional Version "2012-10-17", optional Id, and a
// Statement (object or non-empty list) whose every statement has
//   * Effect "Allow";
//   * Principal {"AWS": account id | IAM ARN | list of them}, or "*" / {"AWS":"*"} with a
//     StringEquals aws:PrincipalOrgID or ForAnyValue:StringLike aws:PrincipalOrgPaths condition;
//   * Action: one or more of the seven shareable actions (sharing/statements.h);
//     acm-pca:IssueCertificate only with an acm-pca:TemplateArn condition
//     (StringEquals, StringLike, ArnEquals or ArnLike);
//   * Resource = `ca_arn` (a string or a one-element list);
//   * Condition (optional) on aws:PrincipalOrgID, aws:PrincipalOrgPaths, acm-pca:TemplateArn only;
//   * Sid (optional).
Status CheckCaPolicyShape(std::string_view policy, std::string_view ca_arn);

// The accounts a (checked) policy names as principals: 12-digit ids, and the account of each
// IAM ARN. Organization-wide statements ("*") name no account.
std::vector<std::string> AccountsNamedBy(const nlohmann::json& policy);

}  // namespace openpca::sharing

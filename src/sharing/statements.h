// Building blocks of CA resource-policy statements: the seven shareable acm-pca actions, RAM
// permission templates (checked and expanded for one principal and resource), and the statement
// an acm.amazonaws.com permission stands for. Pure functions; thread-safe.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sharing_store.h"

namespace openpca::sharing {

// The acm-pca actions a resource policy or RAM permission may grant (without "acm-pca:").
inline constexpr std::array<std::string_view, 7> kShareableActions = {
    "DescribeCertificateAuthority",
    "GetCertificate",
    "GetCertificateAuthorityCertificate",
    "ListPermissions",
    "ListTags",
    "IssueCertificate",
    "RevokeCertificate"};
bool IsShareableAction(std::string_view qualified_action);  // "acm-pca:GetCertificate"

// The statement templates of a RAM permission (a JSON object or an array of objects).
// Errors: kMalformedPolicyTemplate when `policy_template` is not JSON of that shape, a template
// has a member other than Effect/Action/Condition/Sid, an Effect other than Allow/Deny, or, for
// acm-pca:CertificateAuthority, an action outside kShareableActions.
Result<std::vector<nlohmann::json>> ParsePolicyTemplate(std::string_view policy_template,
                                                        std::string_view resource_type);

// `tmpl` applied to `principal` (a 12-digit account, an IAM ARN, or an Organizations
// organization/OU ARN, which become "*" with aws:PrincipalOrgID / aws:PrincipalOrgPaths) on
// `resource_arn`.
nlohmann::json ApplyTemplate(const nlohmann::json& tmpl, std::string_view principal,
                             std::string_view resource_arn, std::string sid);

// The statement a CreatePermission grant stands for: Principal {"Service": principal}, the
// actions, Resource = `ca_arn`, and aws:SourceAccount when the grant has a source account.
nlohmann::json PermissionStatement(const store::CaPermissionRecord& permission,
                                   std::string_view ca_arn);

// A principal of a policy statement as a list of strings ("*" stays "*").
std::vector<std::string> AwsPrincipals(const nlohmann::json& principal);

}  // namespace openpca::sharing

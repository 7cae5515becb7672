#include "access/authorizer.h"

#include <chrono>

#include "common/arn.h"

namespace openpca::access {
namespace {

policy::PrincipalType EnginePrincipalType(api::PrincipalType type) {
  switch (type) {
    case api::PrincipalType::kAccountRoot: return policy::PrincipalType::kAccount;
    case api::PrincipalType::kUser: return policy::PrincipalType::kUser;
    case api::PrincipalType::kAssumedRole: return policy::PrincipalType::kAssumedRole;
    case api::PrincipalType::kService: return policy::PrincipalType::kService;
    case api::PrincipalType::kAnonymous: return policy::PrincipalType::kAnonymous;
  }
  return policy::PrincipalType::kAnonymous;
}

std::string_view PrincipalTypeName(api::PrincipalType type) {
  switch (type) {
    case api::PrincipalType::kAccountRoot: return "Account";
    case api::PrincipalType::kUser: return "User";
    case api::PrincipalType::kAssumedRole: return "AssumedRole";
    case api::PrincipalType::kService: return "AWSService";
    case api::PrincipalType::kAnonymous: return "Anonymous";
  }
  return "Anonymous";
}

std::string IsoTime(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The account named by an ARN (its fifth component), or "".
std::string_view AccountOfArn(std::string_view arn) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = arn.find(':', pos);
  if (end == std::string_view::npos) return {};
  return arn.substr(pos, end - pos);
}

}  // namespace

PolicyAuthorizer::PolicyAuthorizer(const PrincipalDirectory& principals,
                                   const ResourceDirectory& resources, const Clock& clock)
    : principals_(principals), resources_(resources), clock_(clock) {}

Result<policy::RequestContext> PolicyAuthorizer::ContextFor(
    const api::CallContext& ctx, std::string_view action, const std::string& resource,
    const api::ConditionKeys& keys, const PrincipalPolicies& principal,
    const ResourceFacts& facts) const {
  policy::RequestContext rc;
  rc.action = std::string(action);
  rc.resource = resource;
  rc.principal.type = EnginePrincipalType(ctx.principal_type);
  rc.principal.arn = ctx.principal_arn;
  rc.principal.role_arn = ctx.role_arn;
  rc.principal.account_id = ctx.account_id;

  auto now = clock_.Now();
  rc.Set("aws:CurrentTime", IsoTime(now));
  rc.Set("aws:EpochTime",
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch())
                            .count()));
  rc.Set("aws:RequestedRegion", ctx.region);
  rc.Set("aws:SecureTransport", ctx.secure_transport ? "true" : "false");
  if (!ctx.source_ip.empty()) rc.Set("aws:SourceIp", ctx.source_ip);
  if (!ctx.user_agent.empty()) rc.Set("aws:UserAgent", ctx.user_agent);
  rc.Set("aws:PrincipalType", std::string(PrincipalTypeName(ctx.principal_type)));
  if (!ctx.account_id.empty()) rc.Set("aws:PrincipalAccount", ctx.account_id);
  if (ctx.principal_type != api::PrincipalType::kAnonymous) {
    rc.Set("aws:PrincipalIsAWSService",
           ctx.principal_type == api::PrincipalType::kService ? "true" : "false");
  }
  // For a role session aws:PrincipalArn is the role, not the session.
  if (!ctx.role_arn.empty()) {
    rc.Set("aws:PrincipalArn", ctx.role_arn);
  } else if (!ctx.principal_arn.empty()) {
    rc.Set("aws:PrincipalArn", ctx.principal_arn);
  }
  if (!ctx.user_id.empty()) rc.Set("aws:userid", ctx.user_id);
  if (!principal.user_name.empty()) rc.Set("aws:username", principal.user_name);
  for (const auto& [k, v] : principal.tags) rc.Set("aws:PrincipalTag/" + k, v);
  if (!principal.org_id.empty()) rc.Set("aws:PrincipalOrgID", principal.org_id);
  if (!principal.org_paths.empty()) rc.SetMulti("aws:PrincipalOrgPaths", principal.org_paths);
  if (principal.token_issue_time_s.has_value()) {
    rc.Set("aws:TokenIssueTime",
           IsoTime(std::chrono::system_clock::time_point(
               std::chrono::seconds(*principal.token_issue_time_s))));
    rc.Set("aws:MultiFactorAuthPresent", "false");
  }
  if (!facts.owner_account.empty()) rc.Set("aws:ResourceAccount", facts.owner_account);
  for (const auto& [k, v] : facts.tags) rc.Set("aws:ResourceTag/" + k, v);
  for (const auto& [k, values] : keys) {
    if (values.size() == 1) {
      rc.Set(k, values.front());
    } else {
      rc.SetMulti(k, values);
    }
  }
  return rc;
}

Status PolicyAuthorizer::Authorize(const api::CallContext& ctx, const api::ActionSpec& spec,
                                   const std::string& resource,
                                   const api::ConditionKeys& keys) const {
  ASSIGN_OR_RETURN(PrincipalPolicies principal, principals_.PoliciesOf(ctx));
  ASSIGN_OR_RETURN(ResourceFacts facts, resources_.FactsOf(resource, spec.action));
  if (facts.owner_account.empty() && resource != "*") {
    facts.owner_account = std::string(AccountOfArn(resource));
  }
  // AWS-managed resources (arn:aws:iam::aws:policy/...) belong to no customer account: the
  // caller's own policies decide.
  if (facts.owner_account == "aws") facts.owner_account = ctx.account_id;
  ASSIGN_OR_RETURN(policy::RequestContext rc,
                   ContextFor(ctx, spec.action, resource, keys, principal, facts));

  policy::EvaluationInput in;
  in.identity = principal.identity;
  in.resource = facts.policy;
  // Actions without a resource ("*") act in the caller's own account.
  in.resource_account = resource == "*" ? ctx.account_id : facts.owner_account;
  in.permissions_boundary = principal.permissions_boundary;
  in.session = principal.session;
  in.scp_levels = principal.scp_levels;
  // Assuming a role always needs its trust policy to allow it, in the role's account too; the
  // caller's identity policies must allow it as well (cross-account semantics, documented in
  // docs/decisions.md).
  in.resource_policy_required = spec.action == "sts:AssumeRole";
  policy::EvaluationResult result = policy::Evaluate(in, rc);
  if (result.decision == policy::Decision::kAllow) return Status::Ok();
  return Status(ErrorCode::kAccessDenied, policy::AccessDeniedMessage(rc, result));
}

}  // namespace openpca::access

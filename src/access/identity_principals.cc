#include "access/identity_principals.h"

#include "identity/state.h"

namespace openpca::access {

api::PrincipalType ApiPrincipalType(identity::PrincipalType type) {
  switch (type) {
    case identity::PrincipalType::kAccountRoot: return api::PrincipalType::kAccountRoot;
    case identity::PrincipalType::kUser: return api::PrincipalType::kUser;
    case identity::PrincipalType::kAssumedRole: return api::PrincipalType::kAssumedRole;
  }
  return api::PrincipalType::kAnonymous;
}

Result<PolicyPtr> IdentityPrincipals::Parse(const std::string& document,
                                            policy::PolicyKind kind) const {
  // Stored documents were accepted when written; size limits were checked then.
  policy::ParseOptions options;
  options.max_chars = 1 << 20;
  Result<PolicyPtr> parsed = cache_.GetOrParse(document, kind, options);
  // A stored document that no longer parses grants nothing: fail closed.
  if (!parsed.ok()) return InternalError("stored policy does not parse: " + parsed.status().message());
  return parsed;
}

Result<PrincipalPolicies> IdentityPrincipals::PoliciesOf(const api::CallContext& ctx) const {
  if (ctx.access_key_id.empty()) return PrincipalPolicies{};
  // The state is taken first: a write after it makes the entry stale, never wrongly current.
  std::shared_ptr<const identity::State> state = identity_.Snapshot();
  std::string key = ctx.access_key_id + '\n' + ctx.session_token;
  {
    std::lock_guard lock(mu_);
    auto it = by_credential_.find(key);
    if (it != by_credential_.end() && it->second.state == state) return it->second.policies;
  }
  std::optional<std::string> token;
  if (!ctx.session_token.empty()) token = ctx.session_token;
  ASSIGN_OR_RETURN(identity::ResolvedCredential cred,
                   identity_.ResolveCredential(ctx.access_key_id, token));
  ASSIGN_OR_RETURN(PrincipalPolicies policies, PoliciesOfPrincipal(cred.principal));
  std::lock_guard lock(mu_);
  // Bounded: credentials come and go (sessions); start over rather than grow without end.
  if (by_credential_.size() >= 4096) by_credential_.clear();
  by_credential_[key] = Cached{state, policies};
  return policies;
}

Result<PrincipalPolicies> IdentityPrincipals::PoliciesOfPrincipal(
    const identity::Principal& principal) const {
  PrincipalPolicies out;
  Result<identity::PrincipalPolicies> policies = identity_.PoliciesOf(principal);
  if (!policies.ok()) {
    // A user or role deleted after its credentials were issued has no permissions.
    if (policies.status().code() != ErrorCode::kNoSuchEntity &&
        policies.status().code() != ErrorCode::kResourceNotFound) {
      return policies.status();
    }
  } else {
    for (const identity::PolicySource& p : policies->identity_policies) {
      ASSIGN_OR_RETURN(PolicyPtr parsed, Parse(p.document, policy::PolicyKind::kIdentity));
      out.identity.push_back(std::move(parsed));
    }
    if (policies->permissions_boundary.has_value()) {
      ASSIGN_OR_RETURN(PolicyPtr parsed, Parse(policies->permissions_boundary->document,
                                               policy::PolicyKind::kPermissionsBoundary));
      out.permissions_boundary = std::move(parsed);
    }
    for (const std::string& doc : policies->session_policies) {
      ASSIGN_OR_RETURN(PolicyPtr parsed, Parse(doc, policy::PolicyKind::kSession));
      out.session.push_back(std::move(parsed));
    }
  }
  out.tags = principal.principal_tags;
  if (principal.type == identity::PrincipalType::kUser) out.user_name = principal.name;
  if (principal.temporary) out.token_issue_time_s = principal.token_issued_at_s;

  ASSIGN_OR_RETURN(std::optional<identity::OrgContext> org, identity_.OrgOf(principal.account_id));
  if (org.has_value()) {
    out.org_id = org->org_id;
    out.org_paths = org->org_paths;
    if (org->scps_enabled && !org->is_management_account) {
      for (const std::vector<std::string>& level : org->scp_levels) {
        std::vector<PolicyPtr> parsed_level;
        for (const std::string& doc : level) {
          ASSIGN_OR_RETURN(PolicyPtr parsed, Parse(doc, policy::PolicyKind::kServiceControl));
          parsed_level.push_back(std::move(parsed));
        }
        out.scp_levels.push_back(std::move(parsed_level));
      }
    }
  }
  return out;
}

}  // namespace openpca::access

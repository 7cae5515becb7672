#include "policy/evaluator.h"

namespace openpca::policy {
namespace {

struct Scan {
  bool allow = false;
  bool deny = false;
  PrincipalMatch best = PrincipalMatch::kNone;  // resource policies: strongest Allow match
};

struct Collector {
  std::vector<MatchedStatement> allows;
  std::vector<MatchedStatement> denies;
};

Scan ScanPolicy(const std::shared_ptr<const Policy>& policy, PolicySource source, size_t level,
                size_t index, std::string_view lower_action, const RequestContext& request,
                Collector* out) {
  Scan scan;
  if (policy == nullptr) return scan;
  const bool principal_check =
      policy->kind() == PolicyKind::kResource || policy->kind() == PolicyKind::kTrust;
  for (const Statement& st : policy->statements()) {
    if (!st.MatchesAction(lower_action)) continue;
    if (!st.MatchesResource(request.resource, request)) continue;
    PrincipalMatch pm = PrincipalMatch::kNone;
    if (principal_check) {
      pm = st.MatchPrincipal(request.principal);
      if (pm == PrincipalMatch::kNone) continue;
    }
    if (!st.MatchesConditions(request)) continue;
    MatchedStatement m{source, level, index, st.index, policy};
    if (st.allow) {
      scan.allow = true;
      if (pm > scan.best) scan.best = pm;
      out->allows.push_back(std::move(m));
    } else {
      scan.deny = true;
      out->denies.push_back(std::move(m));
    }
  }
  return scan;
}

EvaluationResult Deny(Decision d, Reason r) {
  EvaluationResult res;
  res.decision = d;
  res.reason = r;
  return res;
}

// Allow statements of the given sources.
std::vector<MatchedStatement> Pick(const std::vector<MatchedStatement>& all,
                                   std::initializer_list<PolicySource> sources) {
  std::vector<MatchedStatement> out;
  for (const MatchedStatement& m : all) {
    for (PolicySource s : sources) {
      if (m.source == s) {
        out.push_back(m);
        break;
      }
    }
  }
  return out;
}

}  // namespace

const char* DecisionName(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "allowed";
    case Decision::kExplicitDeny:
      return "explicitDeny";
    case Decision::kImplicitDeny:
      return "implicitDeny";
  }
  return "implicitDeny";
}

const char* ReasonName(Reason r) {
  switch (r) {
    case Reason::kAllowed:
      return "Allowed";
    case Reason::kExplicitDenyIdentity:
      return "ExplicitDenyIdentity";
    case Reason::kExplicitDenyResource:
      return "ExplicitDenyResource";
    case Reason::kExplicitDenyScp:
      return "ExplicitDenyScp";
    case Reason::kExplicitDenyBoundary:
      return "ExplicitDenyBoundary";
    case Reason::kExplicitDenySession:
      return "ExplicitDenySession";
    case Reason::kNoIdentityAllow:
      return "NoIdentityAllow";
    case Reason::kNoResourceAllow:
      return "NoResourceAllow";
    case Reason::kNoScpAllow:
      return "NoScpAllow";
    case Reason::kNoBoundaryAllow:
      return "NoBoundaryAllow";
    case Reason::kNoSessionAllow:
      return "NoSessionAllow";
  }
  return "NoIdentityAllow";
}

EvaluationResult Evaluate(const EvaluationInput& input, const RequestContext& request) {
  // Reused per thread: the lower-cased action is longer than the small-string buffer.
  thread_local std::string lower_action;
  lower_action.assign(request.action);
  for (char& ch : lower_action) ch = AsciiLower(ch);
  const PrincipalInfo& who = request.principal;
  const bool is_service = who.type == PrincipalType::kService;
  const bool is_anonymous = who.type == PrincipalType::kAnonymous;
  const bool is_root = who.type == PrincipalType::kAccount;
  // SCPs, boundaries and session policies restrict principals of an account only.
  const bool account_principal = !is_service && !is_anonymous;

  Collector c;
  bool identity_allow = false, identity_deny = false;
  for (size_t i = 0; i < input.identity.size(); ++i) {
    Scan s =
        ScanPolicy(input.identity[i], PolicySource::kIdentity, 0, i, lower_action, request, &c);
    identity_allow = identity_allow || s.allow;
    identity_deny = identity_deny || s.deny;
  }
  Scan resource;
  if (input.resource.has_value()) {
    resource =
        ScanPolicy(*input.resource, PolicySource::kResource, 0, 0, lower_action, request, &c);
  }
  const bool has_boundary = account_principal && !is_root &&
                            input.permissions_boundary.has_value() &&
                            *input.permissions_boundary != nullptr;
  Scan boundary;
  if (has_boundary) {
    boundary = ScanPolicy(*input.permissions_boundary, PolicySource::kPermissionsBoundary, 0, 0,
                          lower_action, request, &c);
  }
  const bool has_session = account_principal && !is_root && !input.session.empty();
  bool session_allow = false, session_deny = false;
  if (has_session) {
    for (size_t i = 0; i < input.session.size(); ++i) {
      Scan s =
          ScanPolicy(input.session[i], PolicySource::kSession, 0, i, lower_action, request, &c);
      session_allow = session_allow || s.allow;
      session_deny = session_deny || s.deny;
    }
  }
  const bool has_scps = account_principal && !input.scp_levels.empty();
  bool scp_deny = false, scp_all_levels_allow = true;
  if (has_scps) {
    for (size_t level = 0; level < input.scp_levels.size(); ++level) {
      bool level_allow = false;
      const auto& policies = input.scp_levels[level];
      for (size_t i = 0; i < policies.size(); ++i) {
        Scan s = ScanPolicy(policies[i], PolicySource::kServiceControl, level, i, lower_action,
                            request, &c);
        level_allow = level_allow || s.allow;
        scp_deny = scp_deny || s.deny;
      }
      scp_all_levels_allow = scp_all_levels_allow && level_allow;
    }
  }

  // 1. Explicit deny anywhere.
  if (scp_deny || resource.deny || identity_deny || boundary.deny || session_deny) {
    Reason r = scp_deny        ? Reason::kExplicitDenyScp
               : resource.deny ? Reason::kExplicitDenyResource
               : identity_deny ? Reason::kExplicitDenyIdentity
               : boundary.deny ? Reason::kExplicitDenyBoundary
                               : Reason::kExplicitDenySession;
    EvaluationResult res = Deny(Decision::kExplicitDeny, r);
    res.matched = std::move(c.denies);
    if (has_scps) res.allowed_by_organizations = !scp_deny && scp_all_levels_allow;
    if (has_boundary) res.allowed_by_permissions_boundary = !boundary.deny && boundary.allow;
    return res;
  }

  auto allow = [&c](std::initializer_list<PolicySource> sources) {
    EvaluationResult res;
    res.decision = Decision::kAllow;
    res.reason = Reason::kAllowed;
    res.matched = Pick(c.allows, sources);
    return res;
  };

  // 2. Callers outside any account: only the resource policy can grant.
  if (is_anonymous) {
    if (resource.allow && resource.best >= PrincipalMatch::kWildcard) {
      return allow({PolicySource::kResource});
    }
    return Deny(Decision::kImplicitDeny, Reason::kNoResourceAllow);
  }
  if (is_service) {
    if (resource.allow && resource.best == PrincipalMatch::kDirect) {
      return allow({PolicySource::kResource});
    }
    return Deny(Decision::kImplicitDeny, Reason::kNoResourceAllow);
  }

  // 3. SCPs: each level must allow.
  auto finish = [&](EvaluationResult r) {
    if (has_scps) r.allowed_by_organizations = scp_all_levels_allow;
    if (has_boundary) r.allowed_by_permissions_boundary = boundary.allow;
    return r;
  };
  if (has_scps && !scp_all_levels_allow) {
    return finish(Deny(Decision::kImplicitDeny, Reason::kNoScpAllow));
  }

  const bool principal_side_identity = is_root || identity_allow;
  const bool boundary_ok = !has_boundary || boundary.allow;
  const bool session_ok = !has_session || session_allow;
  auto limits = [&]() -> std::optional<EvaluationResult> {
    if (!boundary_ok) return Deny(Decision::kImplicitDeny, Reason::kNoBoundaryAllow);
    if (!session_ok) return Deny(Decision::kImplicitDeny, Reason::kNoSessionAllow);
    return std::nullopt;
  };

  const bool cross_account =
      !input.resource_account.empty() && who.account_id != input.resource_account;
  if (cross_account) {
    // 4. Both sides: the resource owner's policy and the caller's own permissions.
    if (!resource.allow) return finish(Deny(Decision::kImplicitDeny, Reason::kNoResourceAllow));
    if (!principal_side_identity) {
      return finish(Deny(Decision::kImplicitDeny, Reason::kNoIdentityAllow));
    }
    if (auto d = limits()) return finish(*d);
    return finish(allow({PolicySource::kResource, PolicySource::kIdentity}));
  }

  // 5. Same account.
  if (input.resource_policy_required && !resource.allow) {
    return finish(Deny(Decision::kImplicitDeny, Reason::kNoResourceAllow));
  }
  if (resource.allow && resource.best == PrincipalMatch::kDirect) {
    return finish(allow({PolicySource::kResource, PolicySource::kIdentity}));
  }
  if (resource.allow && resource.best >= PrincipalMatch::kWildcard) {
    if (auto d = limits()) return finish(*d);
    return finish(allow({PolicySource::kResource, PolicySource::kIdentity}));
  }
  if (!principal_side_identity) {
    return finish(Deny(Decision::kImplicitDeny, Reason::kNoIdentityAllow));
  }
  if (auto d = limits()) return finish(*d);
  return finish(allow({PolicySource::kIdentity, PolicySource::kResource}));
}

std::string AccessDeniedMessage(const RequestContext& request, const EvaluationResult& result) {
  const PrincipalInfo& p = request.principal;
  std::string who = p.type == PrincipalType::kAnonymous || p.arn.empty() ? "anonymous" : p.arn;
  std::string msg = "User: " + who + " is not authorized to perform: " + request.action;
  if (!request.resource.empty() && request.resource != "*") {
    msg += " on resource: " + request.resource;
  }
  auto no_allow = [&](const char* what) {
    return msg + " because no " + what + " allows the " + request.action + " action";
  };
  auto explicit_deny = [&](const char* where) {
    return msg + " with an explicit deny in " + where;
  };
  switch (result.reason) {
    case Reason::kAllowed:
      return msg;
    case Reason::kExplicitDenyIdentity:
      return explicit_deny("an identity-based policy");
    case Reason::kExplicitDenyResource:
      return explicit_deny("a resource-based policy");
    case Reason::kExplicitDenyScp:
      return explicit_deny("a service control policy");
    case Reason::kExplicitDenyBoundary:
      return explicit_deny("a permissions boundary");
    case Reason::kExplicitDenySession:
      return explicit_deny("a session policy");
    case Reason::kNoIdentityAllow:
      return no_allow("identity-based policy");
    case Reason::kNoResourceAllow:
      return no_allow("resource-based policy");
    case Reason::kNoScpAllow:
      return no_allow("service control policy");
    case Reason::kNoBoundaryAllow:
      return no_allow("permissions boundary");
    case Reason::kNoSessionAllow:
      return no_allow("session policy");
  }
  return msg;
}

std::vector<std::string> MissingContextKeys(const EvaluationInput& input,
                                            const RequestContext& request) {
  std::vector<std::string> out;
  auto add = [&](const std::shared_ptr<const Policy>& p) {
    if (p == nullptr) return;
    for (const std::string& k : p->condition_keys()) {
      if (request.Get(k) != nullptr) continue;
      bool seen = false;
      for (const std::string& o : out) seen = seen || AsciiEqualsIgnoreCase(o, k);
      if (!seen) out.push_back(k);
    }
  };
  for (const auto& p : input.identity) add(p);
  if (input.resource.has_value()) add(*input.resource);
  if (input.permissions_boundary.has_value()) add(*input.permissions_boundary);
  for (const auto& p : input.session) add(p);
  for (const auto& level : input.scp_levels) {
    for (const auto& p : level) add(p);
  }
  return out;
}

}  // namespace openpca::policy

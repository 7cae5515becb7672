#include "access/identity_hooks.h"

#include <map>

#include <nlohmann/json.hpp>

namespace openpca::access {
namespace {

policy::PolicyKind KindOf(identity::PolicyDocKind kind) {
  switch (kind) {
    case identity::PolicyDocKind::kIdentity: return policy::PolicyKind::kIdentity;
    case identity::PolicyDocKind::kTrust: return policy::PolicyKind::kTrust;
    case identity::PolicyDocKind::kSession: return policy::PolicyKind::kSession;
    case identity::PolicyDocKind::kServiceControl: return policy::PolicyKind::kServiceControl;
  }
  return policy::PolicyKind::kIdentity;
}

api::CallContext ContextOf(const identity::Principal& p) {
  api::CallContext ctx;
  ctx.account_id = p.account_id;
  ctx.principal_arn = p.arn;
  ctx.principal_type = ApiPrincipalType(p.type);
  ctx.role_arn = p.role_arn;
  ctx.principal_name = p.name;
  ctx.principal_id = p.unique_id;
  ctx.user_id = p.type == identity::PrincipalType::kAssumedRole
                    ? p.unique_id + ":" + p.session_name
                    : p.unique_id;
  return ctx;
}

// Repeated keys become one multivalued key.
api::ConditionKeys Collect(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::map<std::string, std::vector<std::string>> by_key;
  std::vector<std::string> order;
  for (const auto& [k, v] : pairs) {
    if (!by_key.contains(k)) order.push_back(k);
    by_key[k].push_back(v);
  }
  api::ConditionKeys keys;
  for (const std::string& k : order) keys.push_back({k, by_key[k]});
  return keys;
}

const char* SourceTypeName(policy::PolicySource s) {
  switch (s) {
    case policy::PolicySource::kIdentity: return "IAM Policy";
    case policy::PolicySource::kResource: return "resource";
    case policy::PolicySource::kServiceControl: return "aws-organizations-scp";
    case policy::PolicySource::kPermissionsBoundary: return "PermissionsBoundaryPolicy";
    case policy::PolicySource::kSession: return "session";
  }
  return "none";
}

}  // namespace

identity::PolicyHooks MakeIdentityHooks(const PolicyAuthorizer& authorizer,
                                        const IdentityPrincipals& principals,
                                        policy::PolicyCache& cache) {
  identity::PolicyHooks hooks;
  hooks.check_policy = [](std::string_view document, identity::PolicyDocKind kind) -> Status {
    return policy::Policy::Parse(document, KindOf(kind)).status();
  };

  // Each action (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity) evaluated as a call
  // would be: the caller's own policies and the trust policy, which must allow it.
  hooks.check_trust = [&authorizer, &principals,
                       &cache](const identity::TrustRequest& req) -> Status {
    ASSIGN_OR_RETURN(PrincipalPolicies caller, principals.PoliciesOfPrincipal(req.caller));
    ASSIGN_OR_RETURN(PolicyPtr trust, cache.GetOrParse(req.trust_policy, policy::PolicyKind::kTrust));
    api::CallContext ctx = ContextOf(req.caller);
    api::ConditionKeys keys = Collect(req.context);
    ResourceFacts facts;
    // arn:<partition>:iam::<account>:role/...
    size_t start = 0;
    for (int i = 0; i < 4 && start != std::string::npos; ++i) start = req.role_arn.find(':', start) + 1;
    size_t end = req.role_arn.find(':', start);
    if (start != std::string::npos && end != std::string::npos) {
      facts.owner_account = req.role_arn.substr(start, end - start);
    }
    for (const std::string& action : req.actions) {
      ASSIGN_OR_RETURN(policy::RequestContext rc,
                       authorizer.ContextFor(ctx, action, req.role_arn, keys, caller, facts));
      policy::EvaluationInput in;
      in.identity = caller.identity;
      in.resource = trust;
      in.resource_account = facts.owner_account;
      in.permissions_boundary = caller.permissions_boundary;
      in.session = caller.session;
      in.scp_levels = caller.scp_levels;
      in.resource_policy_required = true;
      policy::EvaluationResult result = policy::Evaluate(in, rc);
      if (result.decision != policy::Decision::kAllow) {
        return Status(ErrorCode::kAccessDenied, policy::AccessDeniedMessage(rc, result));
      }
    }
    return Status::Ok();
  };

  hooks.simulate = [&cache](const identity::SimulateRequest& req) -> Result<std::string> {
    PrincipalPolicies who;
    for (const identity::PolicySource& p : req.identity_policies) {
      ASSIGN_OR_RETURN(PolicyPtr parsed, cache.GetOrParse(p.document, policy::PolicyKind::kIdentity));
      who.identity.push_back(std::move(parsed));
    }
    if (req.permissions_boundary.has_value()) {
      ASSIGN_OR_RETURN(PolicyPtr parsed, cache.GetOrParse(*req.permissions_boundary,
                                                          policy::PolicyKind::kPermissionsBoundary));
      who.permissions_boundary = std::move(parsed);
    }
    std::optional<PolicyPtr> resource_policy;
    if (req.resource_policy.has_value()) {
      ASSIGN_OR_RETURN(PolicyPtr parsed,
                       cache.GetOrParse(*req.resource_policy, policy::PolicyKind::kResource));
      resource_policy = std::move(parsed);
    }
    if (req.org.has_value()) {
      who.org_id = req.org->org_id;
      who.org_paths = req.org->org_paths;
      if (req.org->scps_enabled && !req.org->is_management_account) {
        for (const auto& level : req.org->scp_levels) {
          std::vector<PolicyPtr> parsed_level;
          for (const std::string& doc : level) {
            ASSIGN_OR_RETURN(PolicyPtr p, cache.GetOrParse(doc, policy::PolicyKind::kServiceControl));
            parsed_level.push_back(std::move(p));
          }
          who.scp_levels.push_back(std::move(parsed_level));
        }
      }
    }
    // The simulator knows the principal and what ContextEntries say, nothing else (no clock, no
    // region): a policy key the caller did not supply is reported in MissingContextValues.
    policy::RequestContext base;
    base.principal.type = req.source_type == "role" ? policy::PrincipalType::kAssumedRole
                                                    : policy::PrincipalType::kUser;
    base.principal.arn = req.caller_arn.value_or(req.policy_source_arn);
    if (req.source_type == "role") base.principal.role_arn = req.policy_source_arn;
    base.principal.account_id = req.account_id;
    nlohmann::json entries = nlohmann::json::parse(req.context_entries_json, nullptr, false);
    if (entries.is_array()) {
      for (const nlohmann::json& e : entries) {
        if (!e.is_object() || !e.contains("ContextKeyName") || !e["ContextKeyName"].is_string()) {
          continue;
        }
        std::vector<std::string> values;
        if (e.contains("ContextKeyValues") && e["ContextKeyValues"].is_array()) {
          for (const auto& v : e["ContextKeyValues"]) {
            if (v.is_string()) values.push_back(v.get<std::string>());
          }
        }
        std::string type = e.contains("ContextKeyType") && e["ContextKeyType"].is_string()
                               ? e["ContextKeyType"].get<std::string>()
                               : std::string("string");
        const std::string& name = e["ContextKeyName"].get_ref<const std::string&>();
        if (type.ends_with("List") || values.size() != 1) {
          base.SetMulti(name, std::move(values));
        } else {
          base.Set(name, std::move(values.front()));
        }
      }
    }
    policy::AddPrincipalKeys(base);
    nlohmann::json results = nlohmann::json::array();
    for (const std::string& action : req.action_names) {
      for (const std::string& resource : req.resource_arns) {
        policy::RequestContext rc = base;
        rc.action = action;
        rc.resource = resource;
        policy::EvaluationInput in;
        in.identity = who.identity;
        in.resource = resource_policy;
        in.resource_account = req.resource_owner.value_or(req.account_id);
        in.permissions_boundary = who.permissions_boundary;
        in.scp_levels = who.scp_levels;
        policy::EvaluationResult r = policy::Evaluate(in, rc);
        nlohmann::json row = {{"EvalActionName", action},
                              {"EvalResourceName", resource},
                              {"EvalDecision", policy::DecisionName(r.decision)}};
        nlohmann::json matched = nlohmann::json::array();
        for (const policy::MatchedStatement& m : r.matched) {
          nlohmann::json st = {{"SourcePolicyType", SourceTypeName(m.source)}};
          if (m.source == policy::PolicySource::kIdentity &&
              m.policy_index < req.identity_policies.size()) {
            st["SourcePolicyId"] = req.identity_policies[m.policy_index].name;
          }
          matched.push_back(std::move(st));
        }
        row["MatchedStatements"] = std::move(matched);
        nlohmann::json missing = nlohmann::json::array();
        for (const std::string& k : policy::MissingContextKeys(in, rc)) missing.push_back(k);
        row["MissingContextValues"] = std::move(missing);
        if (r.allowed_by_organizations.has_value()) {
          row["OrganizationsDecisionDetail"] = {{"AllowedByOrganizations", *r.allowed_by_organizations}};
        }
        if (r.allowed_by_permissions_boundary.has_value()) {
          row["PermissionsBoundaryDecisionDetail"] = {
              {"AllowedByPermissionsBoundary", *r.allowed_by_permissions_boundary}};
        }
        results.push_back(std::move(row));
      }
    }
    return nlohmann::json{{"EvaluationResults", std::move(results)}}.dump();
  };
  return hooks;
}

}  // namespace openpca::access

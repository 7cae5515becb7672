// SimulatePrincipalPolicy: the identity side (which policies, which context) is here; the
// evaluation itself is the policy engine's, reached through PolicyHooks::simulate.
#include "services/iam/iam_common.h"
#include "services/iam/iam_handlers.h"

namespace openpca::services::iam {

using identity::Lower;

Result<json> HandleSimulatePrincipalPolicy(Env& env, const api::CallContext& ctx,
                                           const json& input) {
  ASSIGN_OR_RETURN(std::string source, ReqStr(input, "PolicySourceArn"));
  auto s = env.identity.Snapshot();
  identity::SimulateRequest req;
  req.policy_source_arn = source;
  // arn:aws:iam::<acct>:user/<path/>name
  const std::string prefix = "arn:aws:iam::";
  size_t colon = source.find(':', prefix.size());
  if (!source.starts_with(prefix) || colon == std::string::npos) {
    return Status(ErrorCode::kInvalidInput, "Invalid ARN: " + source);
  }
  req.account_id = source.substr(prefix.size(), colon - prefix.size());
  if (req.account_id != ctx.account_id) {
    return NoSuchEntity("Entity " + source + " does not exist.");
  }
  std::string resource = source.substr(colon + 1);
  size_t slash = resource.find('/');
  std::string type = resource.substr(0, slash);
  std::string name = slash == std::string::npos ? "" : resource.substr(resource.rfind('/') + 1);
  identity::Principal principal;
  principal.account_id = req.account_id;
  principal.name = name;
  if (type == "user") {
    if (s->User(req.account_id, name) == nullptr) return NoSuchUser(name);
    principal.type = identity::PrincipalType::kUser;
    ASSIGN_OR_RETURN(identity::PrincipalPolicies pp, env.identity.PoliciesOf(principal));
    req.identity_policies = std::move(pp.identity_policies);
    if (pp.permissions_boundary) req.permissions_boundary = pp.permissions_boundary->document;
  } else if (type == "role") {
    if (s->Role(req.account_id, name) == nullptr) return NoSuchRole(name);
    principal.type = identity::PrincipalType::kAssumedRole;
    ASSIGN_OR_RETURN(identity::PrincipalPolicies pp, env.identity.PoliciesOf(principal));
    req.identity_policies = std::move(pp.identity_policies);
    if (pp.permissions_boundary) req.permissions_boundary = pp.permissions_boundary->document;
  } else if (type == "group") {
    const auto* g = s->Group(req.account_id, name);
    if (g == nullptr) return NoSuchGroup(name);
    for (auto* inl : s->Scan<store::IamInlinePolicyRecord>(
             identity::EntityKey(req.account_id, "group", g->name))) {
      req.identity_policies.push_back({source, "group", inl->policy_name, inl->document});
    }
    for (auto* att : s->Scan<store::IamAttachmentRecord>(
             identity::EntityKey(req.account_id, "group", g->name))) {
      if (const auto* aws = identity::FindAwsManagedPolicy(att->policy_arn)) {
        req.identity_policies.push_back({aws->arn, "aws-managed", aws->name, aws->document});
      } else if (const auto* p = s->Find<store::IamPolicyRecord>(att->policy_arn)) {
        const auto* v = s->Find<store::IamPolicyVersionRecord>(identity::KeyOf(
            store::IamPolicyVersionRecord{p->arn, p->default_version, "", 0}));
        if (v != nullptr) req.identity_policies.push_back({p->arn, "user-managed", p->name, v->document});
      }
    }
  } else {
    return Status(ErrorCode::kInvalidInput, "Invalid ARN: " + source);
  }
  req.source_type = type;
  int i = 0;
  for (const auto& doc : input.value("PolicyInputList", std::vector<std::string>())) {
    RETURN_IF_ERROR(identity::CheckPolicy(env.hooks, doc, identity::PolicyDocKind::kIdentity));
    req.identity_policies.push_back({"", "none", "PolicyInputList." + std::to_string(++i), doc});
  }
  auto boundaries = input.value("PermissionsBoundaryPolicyInputList", std::vector<std::string>());
  if (!boundaries.empty()) {
    RETURN_IF_ERROR(
        identity::CheckPolicy(env.hooks, boundaries[0], identity::PolicyDocKind::kIdentity));
    req.permissions_boundary = boundaries[0];
  }
  req.action_names = input.value("ActionNames", std::vector<std::string>());
  req.resource_arns = input.value("ResourceArns", std::vector<std::string>());
  if (req.resource_arns.empty()) req.resource_arns.push_back("*");
  req.resource_policy = OptStr(input, "ResourcePolicy");
  req.resource_owner = OptStr(input, "ResourceOwner");
  req.caller_arn = OptStr(input, "CallerArn");
  if (auto it = input.find("ContextEntries"); it != input.end()) {
    req.context_entries_json = it->dump();
  } else {
    req.context_entries_json = "[]";
  }
  ASSIGN_OR_RETURN(req.org, env.identity.OrgOf(req.account_id));
  if (!env.hooks.simulate) {
    return InternalError("SimulatePrincipalPolicy: no policy evaluator is wired");
  }
  ASSIGN_OR_RETURN(std::string result, env.hooks.simulate(req));
  json parsed = json::parse(result, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("EvaluationResults")) {
    return Status(ErrorCode::kInternal, "policy evaluator returned no EvaluationResults");
  }
  std::vector<json> items(parsed["EvaluationResults"].begin(), parsed["EvaluationResults"].end());
  return Page(input, "EvaluationResults", std::move(items));
}

}  // namespace openpca::services::iam

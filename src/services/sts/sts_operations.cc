#include "services/sts/sts_operations.h"

#include <algorithm>
#include <memory>

#include "identity/managed_policies.h"
#include "identity/names.h"

namespace openpca::services::sts {
namespace {

using identity::Lower;
using identity::Principal;
using identity::PrincipalType;
using nlohmann::json;

struct Env {
  identity::Identity& identity;
  identity::PolicyHooks hooks;
};

std::optional<std::string> OptStr(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Status AccessDenied(const std::string& caller, const std::string& role) {
  return Status(ErrorCode::kAccessDenied, "User: " + caller +
                                              " is not authorized to perform: sts:AssumeRole on "
                                              "resource: " + role);
}

// The calling principal, resolved again from the request's credentials.
Result<Principal> Caller(Env& env, const api::CallContext& ctx) {
  if (ctx.access_key_id.empty()) {
    return Status(ErrorCode::kMissingAuthenticationToken, "Request is missing credentials");
  }
  std::optional<std::string> token;
  if (!ctx.session_token.empty()) token = ctx.session_token;
  ASSIGN_OR_RETURN(identity::ResolvedCredential cred,
                   env.identity.ResolveCredential(ctx.access_key_id, token));
  return cred.principal;
}

Status CheckPattern(std::string_view value, std::string_view member, size_t min, size_t max,
                    std::string_view extra) {
  bool ok = value.size() >= min && value.size() <= max;
  for (unsigned char c : value) {
    ok = ok && (std::isalnum(c) || c == '_' ||
                extra.find(static_cast<char>(c)) != std::string_view::npos);
  }
  if (!ok) {
    return identity::ValidationError(member, value,
                                     "Member must satisfy regular expression pattern: [\\w" +
                                         std::string(extra) + "]* and length " +
                                         std::to_string(min) + ".." + std::to_string(max));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> Duration(const json& input, int64_t min, int64_t max) {
  auto it = input.find("DurationSeconds");
  if (it == input.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return Status(ErrorCode::kValidation, "DurationSeconds");
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    return identity::ValidationError("durationSeconds", std::to_string(v),
                                     "Member must have value " +
                                         std::string(v < min ? "greater than or equal to " +
                                                                   std::to_string(min)
                                                             : "less than or equal to " +
                                                                   std::to_string(max)));
  }
  return std::optional<int64_t>(v);
}

json CredentialsJson(const identity::IssuedSession& s) {
  return {{"AccessKeyId", s.access_key_id},
          {"SecretAccessKey", s.secret_access_key},
          {"SessionToken", s.session_token},
          {"Expiration", identity::IsoTime(s.expiration)}};
}

Result<json> HandleAssumeRole(Env& env, const api::CallContext& ctx, const json& input) {
  std::optional<std::string> role_arn = OptStr(input, "RoleArn");
  std::optional<std::string> session_name = OptStr(input, "RoleSessionName");
  if (!role_arn || !session_name) {
    return Status(ErrorCode::kValidation, "RoleArn and RoleSessionName are required");
  }
  if (role_arn->size() < 20 || role_arn->size() > 2048) {
    return identity::ValidationError("roleArn", *role_arn,
                                     "Member must have length between 20 and 2048");
  }
  RETURN_IF_ERROR(CheckPattern(*session_name, "roleSessionName", 2, 64, "+=,.@-"));
  ASSIGN_OR_RETURN(std::optional<int64_t> duration, Duration(input, 900, 43200));
  std::optional<std::string> external_id = OptStr(input, "ExternalId");
  if (external_id) RETURN_IF_ERROR(CheckPattern(*external_id, "externalId", 2, 1224, "+=,.@:/-"));
  std::optional<std::string> source_identity = OptStr(input, "SourceIdentity");
  if (source_identity) {
    RETURN_IF_ERROR(CheckPattern(*source_identity, "sourceIdentity", 2, 64, "+=,.@-"));
    if (Lower(*source_identity).starts_with("aws:")) {
      return identity::ValidationError("sourceIdentity", *source_identity,
                                       "Member must not begin with 'aws:'");
    }
  }
  if (input.contains("SerialNumber") || input.contains("TokenCode")) {
    return Status(ErrorCode::kAccessDenied, "MultiFactorAuthentication failed: MFA devices are "
                                            "not supported");
  }

  // Session tags: the request's, plus the transitive tags of a chained caller.
  identity::TagList tags;
  if (auto it = input.find("Tags"); it != input.end() && it->is_array()) {
    if (it->size() > kMaxSessionTags) {
      return identity::ValidationError("tags", "...",
                                       "Member must have length less than or equal to 50");
    }
    for (const auto& t : *it) {
      std::string key = t.value("Key", "");
      std::string value = t.value("Value", "");
      RETURN_IF_ERROR(identity::CheckTag(key, value));
      for (const auto& [k, v] : tags) {
        if (Lower(k) == Lower(key)) {
          return Status(ErrorCode::kValidation, "Duplicate tag keys found. Please note that Tag "
                                                "keys are case insensitive.");
        }
      }
      tags.emplace_back(key, value);
    }
  }
  std::vector<std::string> transitive =
      input.value("TransitiveTagKeys", std::vector<std::string>());
  if (transitive.size() > kMaxSessionTags) {
    return identity::ValidationError("transitiveTagKeys", "...",
                                     "Member must have length less than or equal to 50");
  }
  for (const std::string& k : transitive) {
    bool found = std::any_of(tags.begin(), tags.end(),
                             [&](const auto& t) { return Lower(t.first) == Lower(k); });
    if (!found) {
      return Status(ErrorCode::kValidation,
                    "The specified transitive tag key must be included in the requested tags.");
    }
  }

  // Session policies.
  std::vector<std::string> session_policies;
  size_t packed = 0;
  if (auto policy = OptStr(input, "Policy")) {
    RETURN_IF_ERROR(identity::CheckPolicyDocumentChars(*policy, "policy"));
    if (policy->size() > kMaxSessionPolicyChars) {
      return Status(ErrorCode::kPackedPolicyTooLarge,
                    "Packed policy consumes more than 100% of the allotted space");
    }
    RETURN_IF_ERROR(identity::CheckPolicy(env.hooks, *policy, identity::PolicyDocKind::kSession));
    session_policies.push_back(*policy);
    packed += identity::NonWhitespaceSize(*policy);
  }
  auto s = env.identity.Snapshot();
  if (auto it = input.find("PolicyArns"); it != input.end() && it->is_array()) {
    if (it->size() > kMaxPolicyArns) {
      return identity::ValidationError("policyArns", "...",
                                       "Member must have length less than or equal to 10");
    }
    for (const auto& d : *it) {
      std::string arn = d.value("arn", "");
      if (const auto* aws = identity::FindAwsManagedPolicy(arn)) {
        session_policies.push_back(aws->document);
      } else if (const auto* p = s->Find<store::IamPolicyRecord>(arn)) {
        const auto* v = s->Find<store::IamPolicyVersionRecord>(identity::KeyOf(
            store::IamPolicyVersionRecord{p->arn, p->default_version, "", 0}));
        if (v == nullptr) return InternalError("policy without its default version");
        session_policies.push_back(v->document);
      } else {
        return Status(ErrorCode::kMalformedPolicyDocument,
                      "Policy " + arn + " does not exist or is not attachable.");
      }
      packed += 64;
    }
  }

  ASSIGN_OR_RETURN(Principal caller, Caller(env, ctx));
  if (caller.type == PrincipalType::kAccountRoot) {
    return Status(ErrorCode::kAccessDenied, "Roles may not be assumed by root accounts.");
  }
  bool chaining = caller.type == PrincipalType::kAssumedRole;
  if (chaining) {
    // Transitive session tags of the calling session persist and cannot be overridden.
    for (const std::string& k : caller.transitive_tag_keys) {
      auto inherited = std::find_if(caller.session_tags.begin(), caller.session_tags.end(),
                                    [&](const auto& t) { return Lower(t.first) == Lower(k); });
      if (inherited == caller.session_tags.end()) continue;
      bool clash = std::any_of(tags.begin(), tags.end(),
                               [&](const auto& t) { return Lower(t.first) == Lower(k); });
      if (clash) {
        return Status(ErrorCode::kValidation,
                      "One or more of the specified transitive tag keys can't be set because "
                      "they conflict with a transitive tag from the calling session.");
      }
      tags.push_back(*inherited);
      transitive.push_back(inherited->first);
    }
    if (caller.source_identity && source_identity && *caller.source_identity != *source_identity) {
      return Status(ErrorCode::kAccessDenied,
                    "SourceIdentity cannot be changed once set: the calling session has " +
                        *caller.source_identity);
    }
    if (caller.source_identity) source_identity = caller.source_identity;
  }
  for (const auto& [k, v] : tags) packed += k.size() + v.size();
  if (packed > kPackedPolicyBudget) {
    return Status(ErrorCode::kPackedPolicyTooLarge,
                  "Packed policy consumes " + std::to_string(packed * 100 / kPackedPolicyBudget) +
                      "% of allotted space, please use smaller policy.");
  }

  // The role: arn:aws:iam::<account>:role/<path/>name.
  const std::string prefix = "arn:aws:iam::";
  size_t colon = role_arn->find(':', prefix.size());
  if (!role_arn->starts_with(prefix) || colon == std::string::npos ||
      role_arn->compare(colon + 1, 5, "role/") != 0) {
    return identity::ValidationError("roleArn", *role_arn, "Member must be a role ARN");
  }
  std::string role_account = role_arn->substr(prefix.size(), colon - prefix.size());
  std::string role_name = role_arn->substr(role_arn->rfind('/') + 1);
  const store::IamRoleRecord* role = s->Role(role_account, role_name);
  if (role == nullptr ||
      identity::RoleArn(role->account_id, role->path, role->name) != *role_arn) {
    return AccessDenied(caller.arn, *role_arn);
  }
  int64_t seconds = duration.value_or(3600);
  if (chaining && seconds > kRoleChainingMaxSeconds) {
    return Status(ErrorCode::kValidation,
                  "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                  "assumed by role chaining.");
  }
  if (seconds > role->max_session_duration) {
    return Status(ErrorCode::kValidation,
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                  "role.");
  }

  identity::TrustRequest trust;
  trust.caller = caller;
  trust.role_arn = *role_arn;
  trust.trust_policy = role->trust_policy;
  trust.actions.push_back("sts:AssumeRole");
  if (!tags.empty()) trust.actions.push_back("sts:TagSession");
  if (input.contains("SourceIdentity")) trust.actions.push_back("sts:SetSourceIdentity");
  trust.context.emplace_back("sts:RoleSessionName", *session_name);
  if (external_id) trust.context.emplace_back("sts:ExternalId", *external_id);
  if (source_identity) trust.context.emplace_back("sts:SourceIdentity", *source_identity);
  for (const auto& [k, v] : tags) {
    trust.context.emplace_back("aws:RequestTag/" + k, v);
    trust.context.emplace_back("aws:TagKeys", k);
  }
  for (const auto& k : transitive) trust.context.emplace_back("sts:TransitiveTagKeys", k);
  ASSIGN_OR_RETURN(trust.caller_org, env.identity.OrgOf(caller.account_id));
  if (!env.hooks.check_trust) return AccessDenied(caller.arn, *role_arn);
  Status allowed = env.hooks.check_trust(trust);
  if (!allowed.ok()) {
    if (allowed.code() == ErrorCode::kAccessDenied) return AccessDenied(caller.arn, *role_arn);
    return allowed;
  }

  identity::SessionGrant grant;
  grant.type = PrincipalType::kAssumedRole;
  grant.account_id = role->account_id;
  grant.role_name = role->name;
  grant.role_arn = *role_arn;
  grant.role_id = role->id;
  grant.session_name = *session_name;
  grant.session_tags = tags;
  grant.transitive_tag_keys = transitive;
  grant.session_policies = session_policies;
  grant.source_identity = source_identity;
  grant.duration_s = seconds;
  grant.chain_depth = chaining ? caller.chain_depth + 1 : 1;
  grant.origin_arn = chaining ? caller.chain_origin_arn : caller.arn;
  ASSIGN_OR_RETURN(identity::IssuedSession session, env.identity.IssueSession(grant));

  json out = {{"Credentials", CredentialsJson(session)},
              {"AssumedRoleUser",
               {{"AssumedRoleId", role->id + ":" + *session_name},
                {"Arn", identity::AssumedRoleArn(role->account_id, role->name, *session_name)}}}};
  if (!session_policies.empty() || !tags.empty()) {
    out["PackedPolicySize"] =
        static_cast<int64_t>((packed * 100 + kPackedPolicyBudget - 1) / kPackedPolicyBudget);
  }
  if (source_identity) out["SourceIdentity"] = *source_identity;
  return out;
}

Result<json> HandleGetCallerIdentity(Env& env, const api::CallContext& ctx, const json&) {
  ASSIGN_OR_RETURN(Principal p, Caller(env, ctx));
  std::string user_id = p.unique_id;
  if (p.type == PrincipalType::kAssumedRole) user_id = p.unique_id + ":" + p.session_name;
  return json{{"UserId", user_id}, {"Account", p.account_id}, {"Arn", p.arn}};
}

Result<json> HandleGetSessionToken(Env& env, const api::CallContext& ctx, const json& input) {
  ASSIGN_OR_RETURN(std::optional<int64_t> duration, Duration(input, 900, 129600));
  if (input.contains("SerialNumber") || input.contains("TokenCode")) {
    return Status(ErrorCode::kAccessDenied, "MultiFactorAuthentication failed: MFA devices are "
                                            "not supported");
  }
  ASSIGN_OR_RETURN(Principal caller, Caller(env, ctx));
  if (caller.temporary) {
    return Status(ErrorCode::kAccessDenied, "Cannot call GetSessionToken with session "
                                            "credentials");
  }
  identity::SessionGrant grant;
  grant.type = caller.type;
  grant.account_id = caller.account_id;
  grant.user_name = caller.name;
  grant.duration_s = duration.value_or(43200);
  // Sessions of the account root last one hour at most.
  if (caller.type == PrincipalType::kAccountRoot) grant.duration_s = std::min<int64_t>(grant.duration_s, 3600);
  grant.chain_depth = 0;
  grant.origin_arn = caller.arn;
  ASSIGN_OR_RETURN(identity::IssuedSession session, env.identity.IssueSession(grant));
  return json{{"Credentials", CredentialsJson(session)}};
}

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> StsOperations(
    identity::Identity& identity, identity::PolicyHooks hooks) {
  auto env = std::make_shared<Env>(Env{identity, std::move(hooks)});
  using Fn = Result<json> (*)(Env&, const api::CallContext&, const json&);
  auto bind = [env](Fn fn) -> api::OperationHandler {
    return [env, fn](const api::CallContext& ctx, const json& input) {
      return fn(*env, ctx, input);
    };
  };
  return {{"AssumeRole", bind(&HandleAssumeRole)},
          {"GetCallerIdentity", bind(&HandleGetCallerIdentity)},
          {"GetSessionToken", bind(&HandleGetSessionToken)}};
}

}  // namespace openpca::services::sts

// The request as the policy evaluator sees it: who (PrincipalInfo), what (action), on what
// (resource ARN), and the condition keys with their values. Filled by the caller (the request
// pipeline, or SimulatePrincipalPolicy from its ContextEntries). Value type; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace openpca::policy {

enum class PrincipalType {
  kAccount,  // the account's root user
  kUser,
  kAssumedRole,
  kFederatedUser,
  kService,
  kAnonymous,
};

// "Account", "User", "AssumedRole", "FederatedUser", "Service" (aws:PrincipalType has no value
// for services; this name is for messages), "Anonymous".
const char* PrincipalTypeName(PrincipalType type);

struct PrincipalInfo {
  PrincipalType type = PrincipalType::kAnonymous;
  // User ARN, assumed-role session ARN (arn:aws:sts::A:assumed-role/R/S), federated-user ARN,
  // account root ARN (arn:aws:iam::A:root), or the service name ("acm.amazonaws.com") for kService.
  std::string arn;
  // kAssumedRole: the role's ARN, arn:aws:iam::A:role/path/R.
  std::string role_arn;
  // Empty for kService and kAnonymous.
  std::string account_id;
  // Callers of AssumeRoleWithWebIdentity / AssumeRoleWithSAML: the identity provider that vouched
  // for them (matched by {"Federated": ...} in trust policies). Empty otherwise.
  std::string identity_provider;
};

struct RequestContext {
  std::string action;    // "acm-pca:IssueCertificate"
  std::string resource;  // an ARN, or "*" for actions without a resource
  PrincipalInfo principal;

  // Condition keys. Names are case-insensitive (stored lower-cased). Set replaces any value.
  // A key set with SetMulti is multivalued (aws:TagKeys, aws:PrincipalOrgPaths, ...): it cannot
  // be used as a policy variable, even with one value; an empty list is present but empty.
  void Set(std::string_view key, std::string value);
  void SetMulti(std::string_view key, std::vector<std::string> values);
  void Erase(std::string_view key);
  // nullptr when absent.
  const std::vector<std::string>* Get(std::string_view key) const;
  bool IsMultiValued(std::string_view key) const;

  // Keys as stored (lower-cased), for SimulatePrincipalPolicy's MissingContextValues.
  std::vector<std::string> KeyNames() const;

  // Internal fast path: `lower_key` must already be lower case.
  struct Entry {
    std::vector<std::string> values;
    bool multi = false;
  };
  const Entry* FindLower(std::string_view lower_key) const;

 private:
  std::map<std::string, Entry, std::less<>> keys_;
};

// Adds the keys AWS derives from the principal, each only if not already set:
// aws:PrincipalArn (the role ARN for a role session), aws:PrincipalAccount, aws:PrincipalType,
// aws:username (IAM users: the last path segment of the ARN), aws:PrincipalIsAWSService and
// aws:PrincipalServiceName (service principals).
void AddPrincipalKeys(RequestContext& request);

}  // namespace openpca::policy

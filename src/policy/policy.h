// A parsed, validated and compiled IAM-style policy document (identity, resource, trust, SCP,
// permissions boundary or session policy). Parse() does all JSON work and checks the grammar
// for the kind; evaluation (evaluator.h) only walks the compiled statements. Immutable after
// Parse; thread-safe to share (callers hold std::shared_ptr<const Policy>).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "policy/arn_pattern.h"
#include "policy/condition.h"
#include "policy/glob.h"
#include "policy/request_context.h"

namespace openpca::policy {

enum class PolicyKind {
  kIdentity,             // inline or managed policy of a user, group or role
  kResource,             // resource-based policy (CA policy, bucket policy): Principal required
  kTrust,                // a role's AssumeRolePolicyDocument: Principal required, no Resource
  kServiceControl,       // Organizations SCP: no Principal
  kPermissionsBoundary,  // a managed policy used as a boundary: identity grammar
  kSession,              // AssumeRole Policy / PolicyArns: identity grammar
};

const char* PolicyKindName(PolicyKind kind);

struct ParseOptions {
  // Size limit in characters; 0 = the kind's default (DefaultMaxChars). Whitespace is not
  // counted for identity, boundary, trust and session policies (IAM's rule); SCPs and resource
  // policies count every character (Organizations' and acm-pca's model length).
  size_t max_chars = 0;
};

// Identity 10,240 (the largest single identity document, a role's inline policy; pass 2,048 /
// 5,120 / 6,144 for user inline / group inline / managed), boundary 6,144, trust 2,048,
// session 2,048, SCP 5,120, resource 20,480.
size_t DefaultMaxChars(PolicyKind kind);
bool CountsWhitespace(PolicyKind kind);
// Characters counted against the limit for `kind`.
size_t PolicySizeChars(std::string_view document, PolicyKind kind);

// 1-based line and column of a statement's braces, for SimulatePrincipalPolicy.
struct TextPosition {
  int line = 0;
  int column = 0;
};

// A Principal / NotPrincipal element, classified at parse time.
struct PrincipalSpec {
  bool any = false;                          // "*" or {"AWS": "*"}
  std::vector<std::string> accounts;         // 12-digit ids ({"AWS": "1234..."} or ...:root)
  std::vector<std::string> arns;             // users, role sessions, federated users
  std::vector<std::string> roles;            // role ARNs: match the role's sessions
  std::vector<std::string> services;         // {"Service": ...}
  std::vector<std::string> federated;        // {"Federated": ...}
  std::vector<std::string> canonical_users;  // kept, never match (S3 only)
};

// How a resource policy's Principal named the caller; stronger kinds are larger.
enum class PrincipalMatch { kNone, kAccount, kWildcard, kRole, kDirect };

struct Statement {
  size_t index = 0;
  std::string sid;
  bool allow = true;
  bool not_action = false;
  bool all_actions = false;          // Action "*" (or a "*"-only pattern)
  std::vector<GlobPattern> actions;  // lower-cased
  bool has_resource = false;         // false: no Resource element (trust policies, some SCPs)
  bool not_resource = false;
  std::vector<ArnPattern> resources;
  bool has_principal = false;
  bool not_principal = false;
  PrincipalSpec principal;
  std::vector<Condition> conditions;
  TextPosition start;
  TextPosition end;

  bool MatchesAction(std::string_view lower_action) const;
  bool MatchesResource(std::string_view resource, const RequestContext& request) const;
  // kNone when the statement's Principal (or NotPrincipal) does not cover the caller.
  PrincipalMatch MatchPrincipal(const PrincipalInfo& principal) const;
  bool MatchesConditions(const RequestContext& request) const;
};

class Policy {
 public:
  // Errors: kMalformedPolicyDocument with IAM's reason text ("Syntax errors in policy.",
  // "Missing required field Effect", "Has prohibited field Principal", "Invalid Condition type :
  // X", ...); kLimitExceeded "Cannot exceed quota for PolicySize: N" when over the size limit.
  static Result<std::shared_ptr<const Policy>> Parse(std::string_view json_document,
                                                     PolicyKind kind,
                                                     const ParseOptions& options = {});

  const std::string& document() const { return document_; }
  PolicyKind kind() const { return kind_; }
  // "2012-10-17", "2008-10-17", or "" when absent (2008 semantics).
  const std::string& version() const { return version_; }
  const std::string& id() const { return id_; }
  const std::vector<Statement>& statements() const { return statements_; }
  // Condition keys the policy reads (condition keys and policy variables), as first written,
  // one per case-insensitive name: SimulatePrincipalPolicy's MissingContextValues.
  const std::vector<std::string>& condition_keys() const { return condition_keys_; }

 private:
  Policy() = default;

  std::string document_;
  PolicyKind kind_ = PolicyKind::kIdentity;
  std::string version_;
  std::string id_;
  std::vector<Statement> statements_;
  std::vector<std::string> condition_keys_;
};

}  // namespace openpca::policy

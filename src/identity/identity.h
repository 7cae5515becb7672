// Identity: accounts, IAM users, groups, roles, managed and inline policies, access keys, STS
// sessions and Organizations — the domain behind the IAM, STS and Organizations services and the
// request pipeline's authentication and authorization.
//
// The whole state lives in memory as an immutable State snapshot (identity/state.h), loaded from
// the IdentityStore at Create() and replaced on every write: Mutate() runs a change function on a
// copy, commits the changes it made to the store in one transaction and only then publishes the
// copy. A rejected write (the function's error, or a store failure) leaves state as it was.
// Readers (ResolveCredential, PoliciesOf, OrgOf, handlers) work on one snapshot without locks;
// the snapshot is the cache of principal policies, and its version counter moves on every write.
// One process owns a database's identity state (a second process would not see the first's
// writes until restart).
//
// Secrets: long-term secret access keys are sealed under the master key (SecretBox, associated
// data "access-key:<id>") and unsealed into a memory cache on first use. Temporary credentials
// are not stored: the session token is the sealed (AEAD, associated data "sts-session-token:v1")
// JSON of the session, base64; it carries the ASIA key id, the secret and the session's
// principal, so it cannot be forged or altered, and it is refused after its expiry.
//
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "identity/state.h"
#include "keys/secret_box.h"
#include "store/identity_store.h"
#include "store/store.h"

namespace openpca::identity {

enum class PrincipalType { kAccountRoot, kUser, kAssumedRole };
// "Root", "User", "AssumedRole" (CallContext::principal_type).
const char* PrincipalTypeName(PrincipalType type);

using TagList = std::vector<std::pair<std::string, std::string>>;

// Who signed a request.
struct Principal {
  PrincipalType type = PrincipalType::kAccountRoot;
  std::string account_id;
  // arn:aws:iam::<acct>:root, the user ARN, or arn:aws:sts::<acct>:assumed-role/<role>/<session>.
  std::string arn;
  std::string name;       // user name or role name; "" for root
  std::string unique_id;  // AIDA… (user), AROA… (role), account id (root)
  std::string role_arn;   // kAssumedRole only
  std::string session_name;
  TagList principal_tags;  // user/role tags, overridden by session tags of the same key
  TagList session_tags;
  std::vector<std::string> transitive_tag_keys;
  std::vector<std::string> session_policies;  // inline Policy + PolicyArns documents
  std::optional<std::string> source_identity;
  bool temporary = false;           // ASIA credentials (AssumeRole or GetSessionToken)
  int64_t token_issued_at_s = 0;    // temporary only
  int64_t session_expires_at_s = 0; // temporary only
  int chain_depth = 0;              // 0 long-term; 1 first AssumeRole; 2+ role chaining
  std::string chain_origin_arn;     // temporary only: the long-term principal that began it
  bool mfa_present = false;         // MFA is not supported: always false
};

// What the SigV4 verifier checks a request against.
struct ResolvedCredential {
  std::string access_key_id;
  std::string secret_access_key;
  Principal principal;
};

struct PolicySource {
  std::string source_arn;   // managed policy ARN, or the owner's ARN for an inline policy
  std::string source_type;  // "user" | "group" | "role" (inline), "aws-managed", "user-managed"
  std::string name;         // inline policy name or managed policy name
  std::string document;
};

struct PrincipalPolicies {
  bool is_root = false;  // the account root: no identity policy needed in its own account
  std::vector<PolicySource> identity_policies;
  std::optional<PolicySource> permissions_boundary;
  std::vector<std::string> session_policies;
  uint64_t state_version = 0;
};

struct OrgContext {
  std::string org_id;
  std::string management_account_id;
  std::string root_id;
  // aws:PrincipalOrgPaths: "o-…/r-…/ou-…/" (org, root, OU chain, trailing '/').
  std::vector<std::string> org_paths;
  bool is_management_account = false;
  bool scps_enabled = false;
  // SCP documents per level, root first, then each OU, then the account. Empty when SCPs are not
  // enabled. SCPs never restrict the management account (is_management_account).
  std::vector<std::vector<std::string>> scp_levels;
};

struct BootstrapOptions {
  std::optional<std::string> account_id;  // used when the database has no account yet
  std::optional<std::string> fixed_key_id;
  std::optional<std::string> fixed_secret;
};

struct BootstrapResult {
  std::string account_id;
  std::string access_key_id;
  std::string secret_access_key;
  bool created = false;  // true when this call created the administrator key
};

// What STS mints. For AssumeRole: type kAssumedRole with role fields; for GetSessionToken: the
// caller's own type (kUser or kAccountRoot).
struct SessionGrant {
  PrincipalType type = PrincipalType::kAssumedRole;
  std::string account_id;
  std::string user_name;  // kUser
  std::string role_name;  // kAssumedRole
  std::string role_arn;
  std::string role_id;
  std::string session_name;
  TagList session_tags;
  std::vector<std::string> transitive_tag_keys;
  std::vector<std::string> session_policies;
  std::optional<std::string> source_identity;
  int64_t duration_s = 3600;
  int chain_depth = 1;
  std::string origin_arn;  // the principal that started the chain
};

struct IssuedSession {
  std::string access_key_id;  // ASIA…
  std::string secret_access_key;
  std::string session_token;
  TimePoint expiration;
};

class Identity;

// One write in progress: reads see the changes made so far. Only valid inside Mutate().
class Txn {
 public:
  const State& state() const { return *state_; }
  void Put(store::IdentityRecord record);
  void Delete(store::IdentityRecord record);
  Identity& identity() { return identity_; }

 private:
  friend class Identity;
  Txn(Identity& identity, State* state) : identity_(identity), state_(state) {}
  Identity& identity_;
  State* state_;
  std::vector<store::IdentityChange> changes_;
};

class Identity {
 public:
  // Loads the identity state. Errors: kInternal.
  static Result<std::unique_ptr<Identity>> Create(store::Store& settings,
                                                  store::IdentityStore& store,
                                                  const keys::SecretBox& box, Random& random,
                                                  const Clock& clock);

  // Ensures the bootstrap account (the management account of a later organization), the IAM
  // user "admin" with AdministratorAccess attached, and its access key. When fixed_key_id /
  // fixed_secret are given, that key is admin's key. An account id already in the database wins;
  // a different options.account_id is refused. Errors: kInvalidArgs (half a fixed key, a
  // malformed fixed key, a fixed key id that exists with another secret, a conflicting or
  // malformed account id), kInternal.
  Result<BootstrapResult> Bootstrap(const BootstrapOptions& options);

  // The bootstrap account ("" before Bootstrap()).
  std::string account_id() const;

  // For the SigV4 verifier. Errors: kUnrecognizedClient (unknown, deleted or Inactive key; an
  // ASIA key without a session token or with a token that is not valid for that key; a session
  // token with an AKIA key) — IAM and STS name it InvalidClientTokenId; kExpiredToken (a session
  // past its expiry); kInternal.
  Result<ResolvedCredential> ResolveCredential(std::string_view access_key_id,
                                               const std::optional<std::string>& session_token);

  // Identity policies (user inline + attached + each group's inline + attached; or role inline +
  // attached), permissions boundary, session policies. Cached per principal until the next
  // write. Errors: kNoSuchEntity when the user or role no longer exists; kInternal.
  Result<PrincipalPolicies> PoliciesOf(const Principal& principal) const;

  // nullopt when the account is in no organization. Errors: kAccountNotFound.
  Result<std::optional<OrgContext>> OrgOf(std::string_view account_id) const;

  // Mints temporary credentials. Errors: kInternal.
  Result<IssuedSession> IssueSession(const SessionGrant& grant);

  // Current state snapshot (never null).
  std::shared_ptr<const State> Snapshot() const;

  // Servers sharing a database: reloads the whole identity state when another server changed it
  // (the store's identity generation moved since this one loaded). Mutate() refreshes first, so
  // a change is made on the current state. Errors: those of the store (the state is unchanged).
  Status Refresh();

  // Runs `fn` on a copy of the state, commits its changes, then publishes the copy. Writes are
  // serialized. Returns fn's error (nothing changes) or the store's.
  Status Mutate(const std::function<Status(Txn&)>& fn);

  // A new long-term key for `user_name` ('' = account root) of `account_id`; the caller Put()s
  // the returned record in the same Txn. Returns {record, secret}. Errors: kInternal.
  Result<std::pair<store::IamAccessKeyRecord, std::string>> NewAccessKey(
      std::string_view account_id, std::string_view user_name);

  // prefix + 17 characters of [A-Z2-7] (AIDA…, AROA…, AGPA…, ANPA…): 21 characters as AWS's.
  std::string NewUniqueId(std::string_view prefix);
  // n random characters of `alphabet`.
  std::string RandomString(size_t n, std::string_view alphabet);

  const Clock& clock() const { return clock_; }
  TimePoint Now() const { return clock_.Now(); }

 private:
  Identity(store::Store& settings, store::IdentityStore& store, const keys::SecretBox& box,
           Random& random, const Clock& clock)
      : settings_(settings), store_(store), box_(box), random_(random), clock_(clock) {}

  Result<std::string> SecretOf(const store::IamAccessKeyRecord& key);
  Result<ResolvedCredential> ResolveSession(std::string_view access_key_id,
                                            const std::string& token);

  store::Store& settings_;
  store::IdentityStore& store_;
  const keys::SecretBox& box_;
  Random& random_;
  const Clock& clock_;

  std::mutex write_mu_;  // serializes Mutate() and Refresh()
  // The store's identity generation when the state was loaded; guarded by write_mu_.
  int64_t loaded_generation_ = 0;
  Status RefreshLocked();
  mutable std::mutex state_mu_;
  std::shared_ptr<const State> state_;  // guarded by state_mu_
  std::string account_id_;              // guarded by state_mu_

  Result<PrincipalPolicies> ComputePolicies(const State& s, const Principal& principal) const;

  // PoliciesOf results without session policies, per (type, account, name); dropped whenever
  // the state version changes.
  // Unsealed session tokens, valid for the state they were resolved against; expiry and the key
  // id are still checked on every use.
  struct SessionEntry {
    std::shared_ptr<const State> state;
    ResolvedCredential credential;
  };
  std::mutex session_cache_mu_;
  std::unordered_map<std::string, SessionEntry> session_cache_;
  mutable std::mutex policy_cache_mu_;
  mutable uint64_t policy_cache_version_ = 0;
  mutable std::unordered_map<std::string, PrincipalPolicies> policy_cache_;

  std::mutex random_mu_;
  std::mutex secrets_mu_;
  std::unordered_map<std::string, std::string> secrets_;  // unsealed, by access key id
};

// ARNs.
std::string UserArn(std::string_view account, std::string_view path, std::string_view name);
std::string GroupArn(std::string_view account, std::string_view path, std::string_view name);
std::string RoleArn(std::string_view account, std::string_view path, std::string_view name);
std::string RootArn(std::string_view account);
std::string AssumedRoleArn(std::string_view account, std::string_view role_name,
                           std::string_view session_name);

// ISO-8601 UTC with seconds: "2026-12-06T21:00:00Z" (the handlers' timestamp format).
std::string IsoTime(int64_t unix_ms);
std::string IsoTime(TimePoint t);

}  // namespace openpca::identity

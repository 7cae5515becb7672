// IdentityStore: durable state of accounts, IAM identities and Organizations.
//
// The identity domain (identity/) keeps its whole state in memory and writes through this
// interface: LoadIdentity() reads everything once at start, ApplyIdentityChanges() commits a list
// of row puts/deletes atomically. Every record is one row; a put replaces the row with the same
// key (the key columns are listed per record), a delete removes it by key. Names of users, groups
// and roles compare case-insensitively in keys. Times are epoch milliseconds; '' is "not set".
//
// Implementations are thread-safe; ApplyIdentityChanges returns once durable.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace openpca::store {

// Key: id.
struct IamAccountRecord {
  std::string id;  // 12 digits
  std::string name;
  std::string email;
  std::string status = "ACTIVE";
  std::string joined_method = "CREATED";
  int64_t joined_at_ms = 0;
  std::string org_id;     // '' when not in an organization
  std::string parent_id;  // root or OU id inside the organization
};

// Key: id.
struct OrganizationRecord {
  std::string id;  // o-...
  std::string management_account_id;
  std::string feature_set = "ALL";
  std::string root_id;               // r-...
  std::string enabled_policy_types;  // comma-separated
  int64_t created_at_ms = 0;
};

// Key: id.
struct OrgUnitRecord {
  std::string id;  // ou-...
  std::string org_id;
  std::string parent_id;
  std::string name;
};

// Key: id.
struct OrgPolicyRecord {
  std::string id;      // p-...
  std::string org_id;  // '' for AWS-managed
  std::string name;
  std::string description;
  std::string type;  // SERVICE_CONTROL_POLICY
  std::string content;
  bool aws_managed = false;
};

// Key: (org_id, policy_id, target_id).
struct OrgPolicyAttachmentRecord {
  std::string org_id;
  std::string policy_id;
  std::string target_id;
};

// Key: id.
struct CreateAccountStatusRecord {
  std::string id;  // car-...
  std::string org_id;
  std::string account_name;
  std::string email;
  std::string role_name;
  std::string state;  // IN_PROGRESS | SUCCEEDED | FAILED
  int64_t requested_at_ms = 0;
  int64_t completed_at_ms = 0;
  std::string account_id;
  std::string failure_reason;
};

// Key: (account_id, name).
struct IamUserRecord {
  std::string account_id;
  std::string name;
  std::string id;  // AIDA...
  std::string path = "/";
  std::string permissions_boundary;
  int64_t created_at_ms = 0;
};

// Key: (account_id, name).
struct IamGroupRecord {
  std::string account_id;
  std::string name;
  std::string id;  // AGPA...
  std::string path = "/";
  int64_t created_at_ms = 0;
};

// Key: all members.
struct IamGroupMemberRecord {
  std::string account_id;
  std::string group_name;
  std::string user_name;
};

// Key: (account_id, name).
struct IamRoleRecord {
  std::string account_id;
  std::string name;
  std::string id;  // AROA...
  std::string path = "/";
  std::string trust_policy;
  std::string description;
  int64_t max_session_duration = 3600;
  std::string permissions_boundary;
  int64_t created_at_ms = 0;
};

// Customer-managed policy. Key: arn.
struct IamPolicyRecord {
  std::string arn;
  std::string account_id;
  std::string name;
  std::string id;  // ANPA...
  std::string path = "/";
  std::string description;
  std::string default_version = "v1";
  int64_t next_version = 2;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

// Key: (policy_arn, version_id).
struct IamPolicyVersionRecord {
  std::string policy_arn;
  std::string version_id;
  std::string document;
  int64_t created_at_ms = 0;
};

// entity_type: "user" | "group" | "role". Key: all members.
struct IamAttachmentRecord {
  std::string account_id;
  std::string entity_type;
  std::string entity_name;
  std::string policy_arn;
};

// Key: (account_id, entity_type, entity_name, policy_name).
struct IamInlinePolicyRecord {
  std::string account_id;
  std::string entity_type;
  std::string entity_name;
  std::string policy_name;
  std::string document;
};

// resource_type: "user" | "role" | "policy" (resource_name = policy ARN).
// Key: (account_id, resource_type, resource_name, key).
struct IamTagRecord {
  std::string account_id;
  std::string resource_type;
  std::string resource_name;
  std::string key;
  std::string value;
  int64_t position = 0;
};

// Access keys live in the access_keys table shared with Store::GetAccessKey. Key: access_key_id.
struct IamAccessKeyRecord {
  std::string access_key_id;
  std::string account_id;
  Bytes sealed_secret;
  int64_t created_at_ms = 0;
  std::string user_name;  // '' = the account root
  std::string status = "Active";
};

using IdentityRecord =
    std::variant<IamAccountRecord, OrganizationRecord, OrgUnitRecord, OrgPolicyRecord,
                 OrgPolicyAttachmentRecord, CreateAccountStatusRecord, IamUserRecord,
                 IamGroupRecord, IamGroupMemberRecord, IamRoleRecord, IamPolicyRecord,
                 IamPolicyVersionRecord, IamAttachmentRecord, IamInlinePolicyRecord, IamTagRecord,
                 IamAccessKeyRecord>;

struct IdentityChange {
  enum class Kind { kPut, kDelete };
  Kind kind = Kind::kPut;
  IdentityRecord record;

  static IdentityChange Put(IdentityRecord r) { return {Kind::kPut, std::move(r)}; }
  static IdentityChange Delete(IdentityRecord r) { return {Kind::kDelete, std::move(r)}; }
};

// Every identity row, table by table. The order of rows inside a table is the implementation's
// (SQLite: insertion order; PostgreSQL: key order): readers key them and must not rely on it.
struct IdentitySnapshot {
  std::vector<IdentityRecord> records;
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // Reads every identity row. Errors: kInternal.
  virtual Result<IdentitySnapshot> LoadIdentity() = 0;

  // Applies `changes` in order in one transaction: all or nothing, and in the same transaction
  // increments the identity generation (IdentityGeneration()). Errors: kInternal.
  virtual Status ApplyIdentityChanges(std::span<const IdentityChange> changes) = 0;

  // A counter every ApplyIdentityChanges() increments (0 before the first): a server sharing the
  // database reloads its identity state when it moved (identity::Identity::Refresh).
  // Errors: kInternal.
  virtual Result<int64_t> IdentityGeneration() = 0;
};

}  // namespace openpca::store

// SharingStore: durable state of sharing CAs with other accounts and services: each CA's resource
// policy (acm-pca PutPolicy) and service permissions (acm-pca CreatePermission), and AWS RAM
// resource shares with their resource, principal and permission associations, invitations, and
// customer-managed RAM permissions. SqliteSharingStore implements it on the SqliteStore's database.
//
// Implementations are thread-safe; every mutating call returns only after its effect is durable.
// Times are Unix epoch milliseconds. Lists are returned in a stable order (creation time, then
// key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace openpca::store {

struct CaPolicyRecord {
  std::string ca_id;
  std::string policy;  // the document as PutPolicy received it
  int64_t version = 0;
  int64_t updated_at_ms = 0;
};

struct CaPermissionRecord {
  std::string ca_id;
  std::string principal;       // "acm.amazonaws.com"
  std::string source_account;  // "" when none was given
  std::vector<std::string> actions;
  int64_t created_at_ms = 0;
};

struct ResourceShareRecord {
  std::string arn;
  std::string owner_account;
  std::string region;
  std::string name;
  std::string status;  // PENDING | ACTIVE | FAILED | DELETING | DELETED
  bool allow_external_principals = true;
  std::string feature_set = "STANDARD";
  std::vector<Tag> tags;
  std::string client_token;    // "" when none was given
  std::string request_digest;  // of the creating request (IdempotentParameterMismatch)
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

// A resource or principal associated with a share.
struct ShareAssociationRecord {
  std::string share_arn;
  std::string entity;         // resource ARN, or principal (account id, org/OU ARN)
  std::string resource_type;  // resources only: "acm-pca:CertificateAuthority"
  std::string status;         // ASSOCIATING | ASSOCIATED | DISASSOCIATED | FAILED ...
  bool external = false;      // principals only
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct SharePermissionRecord {
  std::string share_arn;
  std::string resource_type;
  std::string permission_arn;
  int64_t permission_version = 1;
  int64_t updated_at_ms = 0;
};

struct InvitationRecord {
  std::string arn;
  std::string share_arn;
  std::string sender_account;
  std::string receiver_account;
  std::string status;  // PENDING | ACCEPTED | REJECTED | EXPIRED
  int64_t created_at_ms = 0;
};

struct RamPermissionVersionRecord {
  int64_t version = 1;
  std::string policy_template;
  int64_t created_at_ms = 0;
};

// A customer-managed RAM permission with all its versions (oldest first).
struct RamPermissionRecord {
  std::string arn;
  std::string account_id;
  std::string name;
  std::string resource_type;
  int64_t default_version = 1;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::vector<RamPermissionVersionRecord> versions;
};

// Filters of ListShareAssociations: "" matches anything.
struct AssociationFilter {
  std::string share_arn;
  std::string entity;
};

class SharingStore {
 public:
  virtual ~SharingStore() = default;

  // --- CA resource policies. ---
  // nullopt when the CA has none. Errors: kInternal.
  virtual Result<std::optional<CaPolicyRecord>> GetCaPolicy(std::string_view ca_id) = 0;
  // Stores `policy` as the CA's policy when its current version is `expected_version` (0: the CA
  // has none); the stored version becomes expected_version + 1. Errors: kConcurrentModification
  // when the version differs; kResourceNotFound when the CA does not exist; kInternal.
  virtual Status PutCaPolicy(std::string_view ca_id, std::string_view policy,
                             int64_t expected_version, int64_t now_ms) = 0;
  // Removes the CA's policy when its version is `expected_version`, and marks every RAM
  // association of `ca_arn` DISASSOCIATED (a policy's removal withdraws the CA from every share),
  // in one transaction. Errors: kConcurrentModification; kInternal.
  virtual Status DeleteCaPolicy(std::string_view ca_id, std::string_view ca_arn,
                                int64_t expected_version, int64_t now_ms) = 0;

  // Every CA policy (ListCertificateAuthorities OTHER_ACCOUNTS looks for the caller's account).
  // Errors: kInternal.
  virtual Result<std::vector<CaPolicyRecord>> ListCaPolicies() = 0;

  // --- CA service permissions. ---
  // Errors: kPermissionAlreadyExists for an existing (ca_id, principal, source_account);
  // kResourceNotFound when the CA does not exist; kInternal.
  virtual Status InsertCaPermission(const CaPermissionRecord& permission) = 0;
  // Errors: kResourceNotFound when there is no such permission; kInternal.
  virtual Status DeleteCaPermission(std::string_view ca_id, std::string_view principal,
                                    std::string_view source_account) = 0;
  virtual Result<std::vector<CaPermissionRecord>> ListCaPermissions(std::string_view ca_id) = 0;

  // --- RAM resource shares. ---
  // Inserts the share with its first associations, permissions and invitations, atomically.
  // Errors: kInvalidArgs if the ARN exists; kInternal.
  virtual Status InsertResourceShare(const ResourceShareRecord& share,
                                     const std::vector<ShareAssociationRecord>& resources,
                                     const std::vector<ShareAssociationRecord>& principals,
                                     const std::vector<SharePermissionRecord>& permissions,
                                     const std::vector<InvitationRecord>& invitations) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Result<ResourceShareRecord> GetResourceShare(std::string_view arn) = 0;
  // The share `owner_account` created with `client_token`, if any. Errors: kInternal.
  virtual Result<std::optional<ResourceShareRecord>> FindResourceShareByClientToken(
      std::string_view owner_account, std::string_view client_token) = 0;
  // Shares owned by `owner_account`, or every share when it is "". Errors: kInternal.
  virtual Result<std::vector<ResourceShareRecord>> ListResourceShares(
      std::string_view owner_account) = 0;
  // Sets the share's status, and every association of it to `association_status` when that is
  // not "", atomically. Errors: kResourceNotFound; kInternal.
  virtual Status UpdateResourceShareStatus(std::string_view arn, std::string_view status,
                                           std::string_view association_status, int64_t now_ms) = 0;

  // Inserts or replaces (by share and entity) resource and principal associations, inserts the
  // invitations, and inserts or replaces (by share and resource type) the share permissions, all
  // in one transaction. Errors: kResourceNotFound for an unknown share; kInternal.
  virtual Status PutShareAssociations(const std::vector<ShareAssociationRecord>& resources,
                                      const std::vector<ShareAssociationRecord>& principals,
                                      const std::vector<InvitationRecord>& invitations,
                                      const std::vector<SharePermissionRecord>& permissions) = 0;
  virtual Result<std::vector<ShareAssociationRecord>> ListShareResources(
      const AssociationFilter& filter) = 0;
  virtual Result<std::vector<ShareAssociationRecord>> ListSharePrincipals(
      const AssociationFilter& filter) = 0;

  // Inserts or replaces the share's permission for permission.resource_type.
  // Errors: kResourceNotFound for an unknown share; kInternal.
  virtual Status PutSharePermission(const SharePermissionRecord& permission) = 0;
  virtual Result<std::vector<SharePermissionRecord>> ListSharePermissions(
      std::string_view share_arn) = 0;

  // --- Invitations. ---
  // Errors: kResourceNotFound; kInternal.
  virtual Result<InvitationRecord> GetInvitation(std::string_view arn) = 0;
  // Invitations received by `receiver_account` (all of them when ""). Errors: kInternal.
  virtual Result<std::vector<InvitationRecord>> ListInvitations(
      std::string_view receiver_account) = 0;
  // Moves the invitation from `from_status` to `to_status` and its receiver's principal
  // association in the share to `principal_status`, atomically.
  // Errors: kResourceNotFound for an unknown invitation; kConcurrentModification when its status
  // is not `from_status`; kInternal.
  virtual Status AnswerInvitation(std::string_view arn, std::string_view from_status,
                                  std::string_view to_status, std::string_view principal_status,
                                  int64_t now_ms) = 0;

  // --- Customer-managed RAM permissions. ---
  // Errors: kInvalidArgs if the ARN exists; kInternal.
  virtual Status InsertRamPermission(const RamPermissionRecord& permission) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Result<RamPermissionRecord> GetRamPermission(std::string_view arn) = 0;
  // Of `account_id`, or every one when "". Errors: kInternal.
  virtual Result<std::vector<RamPermissionRecord>> ListRamPermissions(
      std::string_view account_id) = 0;
  // Appends a version that becomes the default. Errors: kResourceNotFound;
  // kConcurrentModification when the newest version is not version.version - 1; kInternal.
  virtual Status AddRamPermissionVersion(std::string_view arn,
                                         const RamPermissionVersionRecord& version) = 0;
  // Errors: kResourceNotFound; kInternal.
  virtual Status DeleteRamPermission(std::string_view arn) = 0;
};

}  // namespace openpca::store

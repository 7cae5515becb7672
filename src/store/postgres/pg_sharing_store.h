// PgSharingStore: the SharingStore (store/sharing_store.h) on the database of a PgStore, sharing
// its read pool and its writer (so sharing writes join the same group commits).
// Tables: migrations/postgres/0005_sharing.sql.
//
// Several servers may share the database: version checks (CA policies, RAM permission versions,
// invitation answers) are conditional statements re-checked under the row lock, so exactly one of
// two concurrent writers wins and the other gets kConcurrentModification.
// Thread-safe; the PgStore must outlive it.
#pragma once

#include "store/postgres/pg_store.h"
#include "store/sharing_store.h"

namespace openpca::store {

class PgSharingStore final : public SharingStore {
 public:
  explicit PgSharingStore(PgStore& db) : reads_(db.read_pool()), writer_(db.writer()) {}

  Result<std::optional<CaPolicyRecord>> GetCaPolicy(std::string_view ca_id) override;
  Status PutCaPolicy(std::string_view ca_id, std::string_view policy, int64_t expected_version,
                     int64_t now_ms) override;
  Status DeleteCaPolicy(std::string_view ca_id, std::string_view ca_arn, int64_t expected_version,
                        int64_t now_ms) override;
  Result<std::vector<CaPolicyRecord>> ListCaPolicies() override;

  Status InsertCaPermission(const CaPermissionRecord& permission) override;
  Status DeleteCaPermission(std::string_view ca_id, std::string_view principal,
                            std::string_view source_account) override;
  Result<std::vector<CaPermissionRecord>> ListCaPermissions(std::string_view ca_id) override;

  Status InsertResourceShare(const ResourceShareRecord& share,
                             const std::vector<ShareAssociationRecord>& resources,
                             const std::vector<ShareAssociationRecord>& principals,
                             const std::vector<SharePermissionRecord>& permissions,
                             const std::vector<InvitationRecord>& invitations) override;
  Result<ResourceShareRecord> GetResourceShare(std::string_view arn) override;
  Result<std::optional<ResourceShareRecord>> FindResourceShareByClientToken(
      std::string_view owner_account, std::string_view client_token) override;
  Result<std::vector<ResourceShareRecord>> ListResourceShares(
      std::string_view owner_account) override;
  Status UpdateResourceShareStatus(std::string_view arn, std::string_view status,
                                   std::string_view association_status, int64_t now_ms) override;

  Status PutShareAssociations(const std::vector<ShareAssociationRecord>& resources,
                              const std::vector<ShareAssociationRecord>& principals,
                              const std::vector<InvitationRecord>& invitations,
                              const std::vector<SharePermissionRecord>& permissions) override;
  Result<std::vector<ShareAssociationRecord>> ListShareResources(
      const AssociationFilter& filter) override;
  Result<std::vector<ShareAssociationRecord>> ListSharePrincipals(
      const AssociationFilter& filter) override;

  Status PutSharePermission(const SharePermissionRecord& permission) override;
  Result<std::vector<SharePermissionRecord>> ListSharePermissions(
      std::string_view share_arn) override;

  Result<InvitationRecord> GetInvitation(std::string_view arn) override;
  Result<std::vector<InvitationRecord>> ListInvitations(std::string_view receiver_account) override;
  Status AnswerInvitation(std::string_view arn, std::string_view from_status,
                          std::string_view to_status, std::string_view principal_status,
                          int64_t now_ms) override;

  Status InsertRamPermission(const RamPermissionRecord& permission) override;
  Result<RamPermissionRecord> GetRamPermission(std::string_view arn) override;
  Result<std::vector<RamPermissionRecord>> ListRamPermissions(std::string_view account_id) override;
  Status AddRamPermissionVersion(std::string_view arn,
                                 const RamPermissionVersionRecord& version) override;
  Status DeleteRamPermission(std::string_view arn) override;

 private:
  PgPool& reads_;
  PgWriter& writer_;
};

}  // namespace openpca::store

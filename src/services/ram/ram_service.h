// RamService: the state and helpers behind RamOperations (ram_operations.h). Internal to
// services/ram: ram_operations.cc holds shares, associations and invitations; ram_permissions.cc
// holds permissions and resource policies. Thread-safe (state lives in the stores).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "services/ram/ram_operations.h"

namespace openpca::services::ram {

using json = nlohmann::json;

// An invitation not answered within this time is EXPIRED (AWS: 7 days).
inline constexpr int64_t kInvitationLifetimeMs = int64_t{7} * 24 * 3600 * 1000;
inline constexpr int kMaxPageSize = 500;
inline constexpr int kMaxPermissionVersions = 5;

// Members of a model-named input.
std::string Str(const json& in, const char* member);
std::vector<std::string> Strs(const json& in, const char* member);
double Seconds(int64_t ms);
bool LooksLikeArn(std::string_view s);

// Offset pagination over an in-memory list: decodes nextToken (kInvalidNextToken), and returns
// [begin, end) plus the next token ("" when done).
struct Page {
  size_t begin = 0;
  size_t end = 0;
  std::string next_token;
};
Result<Page> Paginate(const json& in, size_t total);

class RamService {
 public:
  explicit RamService(RamDeps deps) : d_(std::move(deps)) {}

  // ram_operations.cc
  Result<json> CreateResourceShare(const api::CallContext& ctx, const json& in);
  Result<json> GetResourceShares(const api::CallContext& ctx, const json& in);
  Result<json> DeleteResourceShare(const api::CallContext& ctx, const json& in);
  Result<json> AssociateResourceShare(const api::CallContext& ctx, const json& in);
  Result<json> DisassociateResourceShare(const api::CallContext& ctx, const json& in);
  Result<json> GetResourceShareAssociations(const api::CallContext& ctx, const json& in);
  Result<json> GetResourceShareInvitations(const api::CallContext& ctx, const json& in);
  Result<json> AcceptResourceShareInvitation(const api::CallContext& ctx, const json& in);
  Result<json> RejectResourceShareInvitation(const api::CallContext& ctx, const json& in);
  Result<json> ListResources(const api::CallContext& ctx, const json& in);
  Result<json> ListPrincipals(const api::CallContext& ctx, const json& in);

  // ram_permissions.cc
  Result<json> ListPermissions(const api::CallContext& ctx, const json& in);
  Result<json> GetPermission(const api::CallContext& ctx, const json& in);
  Result<json> ListResourceSharePermissions(const api::CallContext& ctx, const json& in);
  Result<json> AssociateResourceSharePermission(const api::CallContext& ctx, const json& in);
  Result<json> CreatePermission(const api::CallContext& ctx, const json& in);
  Result<json> CreatePermissionVersion(const api::CallContext& ctx, const json& in);
  Result<json> DeletePermission(const api::CallContext& ctx, const json& in);
  Result<json> GetResourcePolicies(const api::CallContext& ctx, const json& in);

  // A permission, AWS-managed or the caller's customer-managed one, at `version` (0 = default).
  struct PermissionView {
    std::string arn;
    std::string name;
    std::string resource_type;
    std::string policy_template;
    int64_t version = 1;
    int64_t default_version = 1;
    bool aws_managed = false;
    bool resource_type_default = false;
    int64_t created_at_ms = 0;
    int64_t updated_at_ms = 0;
  };
  // Errors: kMalformedArn, kUnknownResource (also for another account's permission).
  Result<PermissionView> LoadPermission(const api::CallContext& ctx, const std::string& arn,
                                        int64_t version);
  static json PermissionSummary(const PermissionView& p);

 private:
  int64_t NowMs() const { return ToUnixMillis(d_.clock->Now()); }
  std::string Region(const api::CallContext& ctx) const {
    return ctx.region.empty() ? d_.default_region : ctx.region;
  }
  std::string NewId() { return NewUuidV4(*d_.random); }

  // The caller's share: kMalformedArn, kUnknownResource.
  Result<store::ResourceShareRecord> OwnShare(const api::CallContext& ctx, const std::string& arn);
  // The resource type of a resource the caller may share: kMalformedArn, kUnknownResource,
  // kInvalidParameter (a type RAM cannot share here).
  Result<std::string> ResourceTypeOf(const api::CallContext& ctx, const std::string& arn);
  // kMalformedArn / kInvalidParameter for a principal RAM cannot share with.
  Status CheckPrincipal(const api::CallContext& ctx, const std::string& principal);
  // Association records (and invitations) for new principals of `share`.
  void NewPrincipalAssociations(const store::ResourceShareRecord& share,
                                const std::vector<std::string>& principals, int64_t now,
                                std::vector<store::ShareAssociationRecord>* out,
                                std::vector<store::InvitationRecord>* invitations);
  json ShareJson(const store::ResourceShareRecord& s) const;
  json AssociationJson(const store::ShareAssociationRecord& a, const std::string& share_name,
                       const char* type) const;
  Result<json> InvitationJson(const store::InvitationRecord& inv);
  std::string EffectiveInvitationStatus(const store::InvitationRecord& inv) const;
  Result<json> AnswerInvitation(const api::CallContext& ctx, const json& in, bool accept);
  // Shares whose ASSOCIATED principals include `account` and which are ACTIVE, not owned by it.
  Result<std::vector<store::ResourceShareRecord>> SharesWith(const std::string& account);

  RamDeps d_;
};

}  // namespace openpca::services::ram

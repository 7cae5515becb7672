#include "services/ram/ram_operations.h"

#include <algorithm>
#include <memory>
#include <set>

#include "common/arn.h"
#include "common/bytes.h"
#include "services/ram/ram_service.h"
#include "sharing/managed_permissions.h"

namespace openpca::services::ram {

using api::CallContext;

std::string Str(const json& in, const char* member) {
  auto it = in.find(member);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> Strs(const json& in, const char* member) {
  std::vector<std::string> out;
  auto it = in.find(member);
  if (it == in.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string() && std::find(out.begin(), out.end(), v.get<std::string>()) == out.end()) {
      out.push_back(v.get<std::string>());
    }
  }
  return out;
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

bool LooksLikeArn(std::string_view s) {
  if (s.substr(0, 4) != "arn:") return false;
  return std::count(s.begin(), s.end(), ':') >= 5;
}

Result<Page> Paginate(const json& in, size_t total) {
  Page page;
  std::string token = Str(in, "nextToken");
  if (!token.empty()) {
    auto raw = Base64Decode(token);
    json j = raw ? json::parse(AsStringView(*raw), nullptr, false) : json();
    if (!j.is_object() || !j.contains("offset") || !j["offset"].is_number_unsigned() ||
        j["offset"].get<size_t>() > total) {
      return Status(ErrorCode::kInvalidNextToken,
                    "The specified value for nextToken is not valid.");
    }
    page.begin = j["offset"].get<size_t>();
  }
  int max = kMaxPageSize;
  if (auto it = in.find("maxResults"); it != in.end() && it->is_number_integer()) {
    max = std::clamp(it->get<int>(), 1, kMaxPageSize);
  }
  page.end = std::min(total, page.begin + static_cast<size_t>(max));
  if (page.end < total) {
    page.next_token = Base64Encode(AsSpan(json{{"offset", page.end}}.dump()));
  }
  return page;
}

namespace {

bool IsAccountId(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The account an account id or IAM user/role ARN stands for; "" for anything else.
std::string PrincipalAccount(std::string_view p) {
  if (IsAccountId(p)) return std::string(p);
  constexpr std::string_view kIam = "arn:aws:iam::";
  if (p.substr(0, kIam.size()) == kIam) {
    std::string_view account = p.substr(kIam.size(), 12);
    if (IsAccountId(account)) return std::string(account);
  }
  return "";
}

bool IsOrganizationsArn(std::string_view p) {
  constexpr std::string_view kOrg = "arn:aws:organizations::";
  if (p.substr(0, kOrg.size()) != kOrg) return false;
  std::string_view rest = p.substr(p.find(':', kOrg.size()) + 1);
  return rest.substr(0, 13) == "organization/" || rest.substr(0, 3) == "ou/";
}

// Everything that makes up a CreateResourceShare request except its clientToken.
std::string RequestDigest(const json& in) {
  json copy = in;
  copy.erase("clientToken");
  return copy.dump();
}

json WithToken(json out, const json& in) {
  std::string token = Str(in, "clientToken");
  if (!token.empty()) out["clientToken"] = token;
  return out;
}

}  // namespace

// --- helpers ---

Result<store::ResourceShareRecord> RamService::OwnShare(const CallContext& ctx,
                                                        const std::string& arn) {
  if (!LooksLikeArn(arn) || arn.find(":resource-share/") == std::string::npos) {
    return Status(ErrorCode::kMalformedArn, "The format of ARN " + arn + " is not valid.");
  }
  auto share = d_.sharing->GetResourceShare(arn);
  if (!share.ok() && share.status().code() != ErrorCode::kResourceNotFound) return share.status();
  if (!share.ok() || share->owner_account != ctx.account_id) {
    return Status(ErrorCode::kUnknownResource,
                  "The resource share " + arn + " could not be found.");
  }
  return share;
}

Result<std::string> RamService::ResourceTypeOf(const CallContext& ctx, const std::string& arn) {
  if (!LooksLikeArn(arn)) {
    return Status(ErrorCode::kMalformedArn, "The format of ARN " + arn + " is not valid.");
  }
  std::optional<CaArn> ca_arn = ParseCaArn(arn);
  if (!ca_arn.has_value()) {
    return Status(ErrorCode::kInvalidParameter,
                  "The resource " + arn + " is not of a type that can be shared.");
  }
  Status unknown(ErrorCode::kUnknownResource, "The resource " + arn + " could not be found.");
  if (ca_arn->account_id != ctx.account_id || ca_arn->region != Region(ctx)) return unknown;
  auto ca = d_.store->GetCa(ca_arn->ca_id);
  if (!ca.ok()) {
    if (ca.status().code() == ErrorCode::kResourceNotFound) return unknown;
    return ca.status();
  }
  if (ca->account_id != ctx.account_id || ca->status == "DELETED") return unknown;
  return std::string(sharing::kCaResourceType);
}

Status RamService::CheckPrincipal(const CallContext& ctx, const std::string& p) {
  if (IsOrganizationsArn(p)) return Status::Ok();
  std::string account = PrincipalAccount(p);
  if (account.empty()) {
    if (p.substr(0, 4) == "arn:") {
      return Status(ErrorCode::kMalformedArn, "The format of principal " + p + " is not valid.");
    }
    return Status(ErrorCode::kInvalidParameter, "The principal " + p + " is not valid.");
  }
  if (account == ctx.account_id) {
    return Status(ErrorCode::kInvalidParameter,
                  "The resource share owner cannot be a principal of the share.");
  }
  return Status::Ok();
}

void RamService::NewPrincipalAssociations(const store::ResourceShareRecord& share,
                                          const std::vector<std::string>& principals, int64_t now,
                                          std::vector<store::ShareAssociationRecord>* out,
                                          std::vector<store::InvitationRecord>* invitations) {
  for (const auto& p : principals) {
    store::ShareAssociationRecord a;
    a.share_arn = share.arn;
    a.entity = p;
    a.created_at_ms = now;
    a.updated_at_ms = now;
    std::string account = PrincipalAccount(p);
    bool same_org = account.empty() ||  // organization or OU of the owner's organization
                    (d_.same_organization_with_sharing &&
                     d_.same_organization_with_sharing(share.owner_account, account));
    a.external = !same_org;
    if (same_org) {
      a.status = "ASSOCIATED";
    } else {
      a.status = "ASSOCIATING";
      invitations->push_back(
          store::InvitationRecord{"arn:aws:ram:" + share.region + ":" + share.owner_account +
                                      ":resource-share-invitation/" + NewId(),
                                  share.arn, share.owner_account, account, "PENDING", now});
    }
    out->push_back(std::move(a));
  }
}

json RamService::ShareJson(const store::ResourceShareRecord& s) const {
  json tags = json::array();
  for (const auto& t : s.tags) {
    json tag{{"key", t.key}};
    if (t.value.has_value()) tag["value"] = *t.value;
    tags.push_back(std::move(tag));
  }
  return json{{"resourceShareArn", s.arn},
              {"name", s.name},
              {"owningAccountId", s.owner_account},
              {"allowExternalPrincipals", s.allow_external_principals},
              {"status", s.status},
              {"tags", std::move(tags)},
              {"creationTime", Seconds(s.created_at_ms)},
              {"lastUpdatedTime", Seconds(s.updated_at_ms)},
              {"featureSet", s.feature_set}};
}

json RamService::AssociationJson(const store::ShareAssociationRecord& a,
                                 const std::string& share_name, const char* type) const {
  return json{{"resourceShareArn", a.share_arn},
              {"resourceShareName", share_name},
              {"associatedEntity", a.entity},
              {"associationType", type},
              {"status", a.status},
              {"creationTime", Seconds(a.created_at_ms)},
              {"lastUpdatedTime", Seconds(a.updated_at_ms)},
              {"external", a.external}};
}

std::string RamService::EffectiveInvitationStatus(const store::InvitationRecord& inv) const {
  if (inv.status == "PENDING" && NowMs() >= inv.created_at_ms + kInvitationLifetimeMs) {
    return "EXPIRED";
  }
  return inv.status;
}

Result<json> RamService::InvitationJson(const store::InvitationRecord& inv) {
  auto share = d_.sharing->GetResourceShare(inv.share_arn);
  std::string name = share.ok() ? share->name : "";
  return json{{"resourceShareInvitationArn", inv.arn},
              {"resourceShareName", name},
              {"resourceShareArn", inv.share_arn},
              {"senderAccountId", inv.sender_account},
              {"receiverAccountId", inv.receiver_account},
              {"invitationTimestamp", Seconds(inv.created_at_ms)},
              {"status", EffectiveInvitationStatus(inv)}};
}

Result<std::vector<store::ResourceShareRecord>> RamService::SharesWith(const std::string& account) {
  std::vector<store::ResourceShareRecord> out;
  ASSIGN_OR_RETURN(auto principals, d_.sharing->ListSharePrincipals({"", account}));
  for (const auto& p : principals) {
    if (p.status != "ASSOCIATED") continue;
    ASSIGN_OR_RETURN(store::ResourceShareRecord share, d_.sharing->GetResourceShare(p.share_arn));
    if (share.status == "ACTIVE" && share.owner_account != account) out.push_back(share);
  }
  return out;
}

// --- shares ---

Result<json> RamService::CreateResourceShare(const CallContext& ctx, const json& in) {
  const int64_t now = NowMs();
  const std::string token = Str(in, "clientToken");
  const std::string digest = RequestDigest(in);
  if (!token.empty()) {
    ASSIGN_OR_RETURN(auto existing,
                     d_.sharing->FindResourceShareByClientToken(ctx.account_id, token));
    if (existing.has_value()) {
      if (existing->request_digest != digest) {
        return Status(ErrorCode::kIdempotentParameterMismatch,
                      "The client token " + token + " was already used with other parameters.");
      }
      return WithToken(json{{"resourceShare", ShareJson(*existing)}}, in);
    }
  }

  store::ResourceShareRecord share;
  share.arn = "arn:aws:ram:" + Region(ctx) + ":" + ctx.account_id + ":resource-share/" + NewId();
  share.owner_account = ctx.account_id;
  share.region = Region(ctx);
  share.name = Str(in, "name");
  share.status = "ACTIVE";
  share.allow_external_principals = in.value("allowExternalPrincipals", true);
  share.feature_set = "STANDARD";
  for (const auto& t : in.value("tags", json::array())) {
    store::Tag tag;
    tag.key = Str(t, "key");
    if (t.contains("value") && t["value"].is_string()) tag.value = t["value"].get<std::string>();
    share.tags.push_back(std::move(tag));
  }
  share.client_token = token;
  share.request_digest = digest;
  share.created_at_ms = now;
  share.updated_at_ms = now;

  std::vector<store::ShareAssociationRecord> resources;
  std::set<std::string> types;
  for (const auto& arn : Strs(in, "resourceArns")) {
    ASSIGN_OR_RETURN(std::string type, ResourceTypeOf(ctx, arn));
    types.insert(type);
    resources.push_back({share.arn, arn, type, "ASSOCIATED", false, now, now});
  }
  std::vector<std::string> principal_names = Strs(in, "principals");
  for (const auto& p : principal_names) RETURN_IF_ERROR(CheckPrincipal(ctx, p));
  if (!Strs(in, "sources").empty()) {
    return Status(ErrorCode::kInvalidParameter,
                  "sources apply to service principals, which cannot be given this resource type.");
  }

  std::vector<store::SharePermissionRecord> permissions;
  for (const auto& arn : Strs(in, "permissionArns")) {
    ASSIGN_OR_RETURN(PermissionView p, LoadPermission(ctx, arn, 0));
    for (const auto& other : permissions) {
      if (other.resource_type == p.resource_type) {
        return Status(ErrorCode::kInvalidParameter,
                      "A resource share can have only one permission per resource type.");
      }
    }
    permissions.push_back({share.arn, p.resource_type, p.arn, p.version, now});
  }
  for (const auto& type : types) {
    bool covered = std::any_of(permissions.begin(), permissions.end(),
                               [&](const auto& p) { return p.resource_type == type; });
    if (covered) continue;
    const sharing::ManagedPermission* def = sharing::DefaultManagedPermission(type);
    if (def == nullptr) {
      return Status(ErrorCode::kInvalidParameter, "No permission for resource type " + type);
    }
    permissions.push_back({share.arn, type, def->arn, 1, now});
  }

  std::vector<store::ShareAssociationRecord> principals;
  std::vector<store::InvitationRecord> invitations;
  NewPrincipalAssociations(share, principal_names, now, &principals, &invitations);
  if (!share.allow_external_principals) {
    for (const auto& p : principals) {
      if (p.external) {
        return Status(
            ErrorCode::kOperationNotPermitted,
            "The resource share does not allow principals outside your organization: " + p.entity);
      }
    }
  }
  RETURN_IF_ERROR(
      d_.sharing->InsertResourceShare(share, resources, principals, permissions, invitations));
  return WithToken(json{{"resourceShare", ShareJson(share)}}, in);
}

Result<json> RamService::GetResourceShares(const CallContext& ctx, const json& in) {
  std::string owner = Str(in, "resourceOwner");
  std::vector<store::ResourceShareRecord> shares;
  if (owner == "SELF") {
    ASSIGN_OR_RETURN(shares, d_.sharing->ListResourceShares(ctx.account_id));
  } else if (owner == "OTHER-ACCOUNTS") {
    ASSIGN_OR_RETURN(shares, SharesWith(ctx.account_id));
  } else {
    return Status(ErrorCode::kInvalidParameter, "resourceOwner must be SELF or OTHER-ACCOUNTS.");
  }
  std::vector<std::string> arns = Strs(in, "resourceShareArns");
  for (const auto& a : arns) {
    if (!LooksLikeArn(a))
      return Status(ErrorCode::kMalformedArn, "The format of ARN " + a + " is not valid.");
  }
  std::string status = Str(in, "resourceShareStatus");
  std::string name = Str(in, "name");
  std::string permission_arn = Str(in, "permissionArn");
  json tag_filters = in.value("tagFilters", json::array());
  std::vector<store::ResourceShareRecord> kept;
  for (auto& s : shares) {
    if (!arns.empty() && std::find(arns.begin(), arns.end(), s.arn) == arns.end()) continue;
    if (!status.empty() && s.status != status) continue;
    if (!name.empty() && s.name != name) continue;
    bool tags_ok = true;
    for (const auto& f : tag_filters) {
      std::string key = Str(f, "tagKey");
      std::vector<std::string> values = Strs(f, "tagValues");
      bool match = std::any_of(s.tags.begin(), s.tags.end(), [&](const store::Tag& t) {
        return t.key == key && (values.empty() || std::find(values.begin(), values.end(),
                                                            t.value.value_or("")) != values.end());
      });
      if (!match) tags_ok = false;
    }
    if (!tags_ok) continue;
    if (!permission_arn.empty()) {
      ASSIGN_OR_RETURN(auto permissions, d_.sharing->ListSharePermissions(s.arn));
      if (std::none_of(permissions.begin(), permissions.end(),
                       [&](const auto& p) { return p.permission_arn == permission_arn; })) {
        continue;
      }
    }
    kept.push_back(std::move(s));
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, kept.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(ShareJson(kept[i]));
  json out{{"resourceShares", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

Result<json> RamService::DeleteResourceShare(const CallContext& ctx, const json& in) {
  ASSIGN_OR_RETURN(store::ResourceShareRecord share, OwnShare(ctx, Str(in, "resourceShareArn")));
  if (share.status == "DELETED" || share.status == "DELETING") {
    return Status(ErrorCode::kInvalidStateTransition,
                  "The resource share " + share.arn + " is already " + share.status + ".");
  }
  // Deletion withdraws every association, and with them the statements the share granted.
  RETURN_IF_ERROR(
      d_.sharing->UpdateResourceShareStatus(share.arn, "DELETED", "DISASSOCIATED", NowMs()));
  return WithToken(json{{"returnValue", true}}, in);
}

Result<json> RamService::AssociateResourceShare(const CallContext& ctx, const json& in) {
  ASSIGN_OR_RETURN(store::ResourceShareRecord share, OwnShare(ctx, Str(in, "resourceShareArn")));
  if (share.status != "ACTIVE") {
    return Status(ErrorCode::kInvalidStateTransition,
                  "The resource share " + share.arn + " is " + share.status + ".");
  }
  const int64_t now = NowMs();
  if (!Strs(in, "sources").empty()) {
    return Status(ErrorCode::kInvalidParameter,
                  "sources apply to service principals, which cannot be given this resource type.");
  }
  ASSIGN_OR_RETURN(auto existing_resources, d_.sharing->ListShareResources({share.arn, ""}));
  ASSIGN_OR_RETURN(auto existing_principals, d_.sharing->ListSharePrincipals({share.arn, ""}));
  ASSIGN_OR_RETURN(auto permissions, d_.sharing->ListSharePermissions(share.arn));

  std::vector<store::ShareAssociationRecord> resources;
  std::vector<store::SharePermissionRecord> new_permissions;
  for (const auto& arn : Strs(in, "resourceArns")) {
    ASSIGN_OR_RETURN(std::string type, ResourceTypeOf(ctx, arn));
    int64_t created = now;
    for (const auto& r : existing_resources) {
      if (r.entity == arn) created = r.created_at_ms;
    }
    resources.push_back({share.arn, arn, type, "ASSOCIATED", false, created, now});
    bool covered = std::any_of(permissions.begin(), permissions.end(),
                               [&](const auto& p) { return p.resource_type == type; }) ||
                   std::any_of(new_permissions.begin(), new_permissions.end(),
                               [&](const auto& p) { return p.resource_type == type; });
    if (!covered) {
      const sharing::ManagedPermission* def = sharing::DefaultManagedPermission(type);
      if (def == nullptr) {
        return Status(ErrorCode::kInvalidParameter, "No permission for resource type " + type);
      }
      new_permissions.push_back({share.arn, type, def->arn, 1, now});
    }
  }
  std::vector<std::string> fresh;
  for (const auto& p : Strs(in, "principals")) {
    RETURN_IF_ERROR(CheckPrincipal(ctx, p));
    // An associated (or invited) principal keeps its association and invitation.
    bool live =
        std::any_of(existing_principals.begin(), existing_principals.end(), [&](const auto& e) {
          return e.entity == p && (e.status == "ASSOCIATED" || e.status == "ASSOCIATING");
        });
    if (!live) fresh.push_back(p);
  }
  std::vector<store::ShareAssociationRecord> principals;
  std::vector<store::InvitationRecord> invitations;
  NewPrincipalAssociations(share, fresh, now, &principals, &invitations);
  if (!share.allow_external_principals) {
    for (const auto& p : principals) {
      if (p.external) {
        return Status(
            ErrorCode::kOperationNotPermitted,
            "The resource share does not allow principals outside your organization: " + p.entity);
      }
    }
  }
  RETURN_IF_ERROR(
      d_.sharing->PutShareAssociations(resources, principals, invitations, new_permissions));

  json list = json::array();
  for (const auto& r : resources) list.push_back(AssociationJson(r, share.name, "RESOURCE"));
  for (const auto& p : Strs(in, "principals")) {
    auto it = std::find_if(principals.begin(), principals.end(),
                           [&](const auto& a) { return a.entity == p; });
    if (it != principals.end()) {
      list.push_back(AssociationJson(*it, share.name, "PRINCIPAL"));
    } else {
      for (const auto& e : existing_principals) {
        if (e.entity == p) list.push_back(AssociationJson(e, share.name, "PRINCIPAL"));
      }
    }
  }
  return WithToken(json{{"resourceShareAssociations", std::move(list)}}, in);
}

Result<json> RamService::DisassociateResourceShare(const CallContext& ctx, const json& in) {
  ASSIGN_OR_RETURN(store::ResourceShareRecord share, OwnShare(ctx, Str(in, "resourceShareArn")));
  if (share.status != "ACTIVE") {
    return Status(ErrorCode::kInvalidStateTransition,
                  "The resource share " + share.arn + " is " + share.status + ".");
  }
  const int64_t now = NowMs();
  ASSIGN_OR_RETURN(auto existing_resources, d_.sharing->ListShareResources({share.arn, ""}));
  ASSIGN_OR_RETURN(auto existing_principals, d_.sharing->ListSharePrincipals({share.arn, ""}));
  std::vector<store::ShareAssociationRecord> resources;
  std::vector<store::ShareAssociationRecord> principals;
  for (const auto& arn : Strs(in, "resourceArns")) {
    if (!LooksLikeArn(arn)) {
      return Status(ErrorCode::kMalformedArn, "The format of ARN " + arn + " is not valid.");
    }
    auto it = std::find_if(existing_resources.begin(), existing_resources.end(),
                           [&](const auto& r) { return r.entity == arn; });
    if (it == existing_resources.end() || it->status == "DISASSOCIATED") {
      return Status(ErrorCode::kUnknownResource,
                    "The resource " + arn + " is not associated with the resource share.");
    }
    store::ShareAssociationRecord r = *it;
    r.status = "DISASSOCIATED";
    r.updated_at_ms = now;
    resources.push_back(std::move(r));
  }
  for (const auto& p : Strs(in, "principals")) {
    auto it = std::find_if(existing_principals.begin(), existing_principals.end(),
                           [&](const auto& e) { return e.entity == p; });
    if (it == existing_principals.end() || it->status == "DISASSOCIATED") {
      return Status(ErrorCode::kUnknownResource,
                    "The principal " + p + " is not associated with the resource share.");
    }
    store::ShareAssociationRecord a = *it;
    a.status = "DISASSOCIATED";
    a.updated_at_ms = now;
    principals.push_back(std::move(a));
  }
  RETURN_IF_ERROR(d_.sharing->PutShareAssociations(resources, principals, {}, {}));
  json list = json::array();
  for (const auto& r : resources) list.push_back(AssociationJson(r, share.name, "RESOURCE"));
  for (const auto& p : principals) list.push_back(AssociationJson(p, share.name, "PRINCIPAL"));
  return WithToken(json{{"resourceShareAssociations", std::move(list)}}, in);
}

Result<json> RamService::GetResourceShareAssociations(const CallContext& ctx, const json& in) {
  std::string type = Str(in, "associationType");
  std::string resource_arn = Str(in, "resourceArn");
  std::string principal = Str(in, "principal");
  if (type == "PRINCIPAL" && !resource_arn.empty()) {
    return Status(ErrorCode::kInvalidParameter, "resourceArn applies to RESOURCE associations.");
  }
  if (type == "RESOURCE" && !principal.empty()) {
    return Status(ErrorCode::kInvalidParameter, "principal applies to PRINCIPAL associations.");
  }
  std::vector<std::string> arns = Strs(in, "resourceShareArns");
  for (const auto& a : arns) {
    if (!LooksLikeArn(a))
      return Status(ErrorCode::kMalformedArn, "The format of ARN " + a + " is not valid.");
  }
  std::string status = Str(in, "associationStatus");
  ASSIGN_OR_RETURN(auto shares, d_.sharing->ListResourceShares(ctx.account_id));
  std::vector<json> rows;
  for (const auto& s : shares) {
    if (!arns.empty() && std::find(arns.begin(), arns.end(), s.arn) == arns.end()) continue;
    if (type == "RESOURCE") {
      ASSIGN_OR_RETURN(auto list, d_.sharing->ListShareResources({s.arn, resource_arn}));
      for (const auto& a : list) {
        if (status.empty() || a.status == status)
          rows.push_back(AssociationJson(a, s.name, "RESOURCE"));
      }
    } else if (type == "PRINCIPAL") {
      ASSIGN_OR_RETURN(auto list, d_.sharing->ListSharePrincipals({s.arn, principal}));
      for (const auto& a : list) {
        if (status.empty() || a.status == status)
          rows.push_back(AssociationJson(a, s.name, "PRINCIPAL"));
      }
    }
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, rows.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(rows[i]);
  json out{{"resourceShareAssociations", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

// --- invitations ---

Result<json> RamService::GetResourceShareInvitations(const CallContext& ctx, const json& in) {
  std::vector<std::string> arns = Strs(in, "resourceShareInvitationArns");
  std::vector<std::string> share_arns = Strs(in, "resourceShareArns");
  for (const auto* list : {&arns, &share_arns}) {
    for (const auto& a : *list) {
      if (!LooksLikeArn(a))
        return Status(ErrorCode::kMalformedArn, "The format of ARN " + a + " is not valid.");
    }
  }
  ASSIGN_OR_RETURN(auto invitations, d_.sharing->ListInvitations(ctx.account_id));
  for (const auto& a : arns) {
    if (std::none_of(invitations.begin(), invitations.end(),
                     [&](const auto& i) { return i.arn == a; })) {
      return Status(ErrorCode::kResourceShareInvitationArnNotFound,
                    "The invitation " + a + " could not be found.");
    }
  }
  std::vector<store::InvitationRecord> kept;
  for (const auto& i : invitations) {
    if (!arns.empty() && std::find(arns.begin(), arns.end(), i.arn) == arns.end()) continue;
    if (!share_arns.empty() &&
        std::find(share_arns.begin(), share_arns.end(), i.share_arn) == share_arns.end()) {
      continue;
    }
    kept.push_back(i);
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, kept.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) {
    ASSIGN_OR_RETURN(json inv, InvitationJson(kept[i]));
    list.push_back(std::move(inv));
  }
  json out{{"resourceShareInvitations", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

Result<json> RamService::AnswerInvitation(const CallContext& ctx, const json& in, bool accept) {
  std::string arn = Str(in, "resourceShareInvitationArn");
  if (!LooksLikeArn(arn) || arn.find(":resource-share-invitation/") == std::string::npos) {
    return Status(ErrorCode::kMalformedArn, "The format of ARN " + arn + " is not valid.");
  }
  auto inv = d_.sharing->GetInvitation(arn);
  if (!inv.ok() && inv.status().code() != ErrorCode::kResourceNotFound) return inv.status();
  if (!inv.ok() || inv->receiver_account != ctx.account_id) {
    return Status(ErrorCode::kResourceShareInvitationArnNotFound,
                  "The invitation " + arn + " could not be found.");
  }
  std::string status = EffectiveInvitationStatus(*inv);
  if (status == "ACCEPTED") {
    return Status(ErrorCode::kResourceShareInvitationAlreadyAccepted,
                  "The invitation " + arn + " was already accepted.");
  }
  if (status == "REJECTED") {
    return Status(ErrorCode::kResourceShareInvitationAlreadyRejected,
                  "The invitation " + arn + " was already rejected.");
  }
  if (status == "EXPIRED") {
    return Status(ErrorCode::kResourceShareInvitationExpired,
                  "The invitation " + arn + " has expired.");
  }
  ASSIGN_OR_RETURN(store::ResourceShareRecord share, d_.sharing->GetResourceShare(inv->share_arn));
  if (share.status != "ACTIVE") {
    return Status(ErrorCode::kOperationNotPermitted,
                  "The resource share " + share.arn + " is " + share.status + ".");
  }
  Status st = d_.sharing->AnswerInvitation(arn, "PENDING", accept ? "ACCEPTED" : "REJECTED",
                                           accept ? "ASSOCIATED" : "DISASSOCIATED", NowMs());
  if (st.code() == ErrorCode::kConcurrentModification) {
    // Answered meanwhile: report it as AWS reports a second answer.
    ASSIGN_OR_RETURN(store::InvitationRecord now, d_.sharing->GetInvitation(arn));
    return Status(now.status == "ACCEPTED" ? ErrorCode::kResourceShareInvitationAlreadyAccepted
                                           : ErrorCode::kResourceShareInvitationAlreadyRejected,
                  "The invitation " + arn + " was already answered.");
  }
  RETURN_IF_ERROR(st);
  ASSIGN_OR_RETURN(store::InvitationRecord answered, d_.sharing->GetInvitation(arn));
  ASSIGN_OR_RETURN(json out, InvitationJson(answered));
  return WithToken(json{{"resourceShareInvitation", std::move(out)}}, in);
}

Result<json> RamService::AcceptResourceShareInvitation(const CallContext& ctx, const json& in) {
  return AnswerInvitation(ctx, in, true);
}

Result<json> RamService::RejectResourceShareInvitation(const CallContext& ctx, const json& in) {
  return AnswerInvitation(ctx, in, false);
}

// --- what is shared ---

Result<json> RamService::ListResources(const CallContext& ctx, const json& in) {
  std::string owner = Str(in, "resourceOwner");
  std::string principal = Str(in, "principal");
  std::string type = Str(in, "resourceType");
  if (!type.empty() && type != sharing::kCaResourceType) {
    return Status(ErrorCode::kInvalidResourceType, "The resource type " + type + " is not valid.");
  }
  std::vector<std::string> resource_arns = Strs(in, "resourceArns");
  std::vector<std::string> share_arns = Strs(in, "resourceShareArns");
  for (const auto* list : {&resource_arns, &share_arns}) {
    for (const auto& a : *list) {
      if (!LooksLikeArn(a))
        return Status(ErrorCode::kMalformedArn, "The format of ARN " + a + " is not valid.");
    }
  }
  std::vector<store::ResourceShareRecord> shares;
  if (owner == "SELF") {
    ASSIGN_OR_RETURN(shares, d_.sharing->ListResourceShares(ctx.account_id));
  } else if (owner == "OTHER-ACCOUNTS") {
    if (!principal.empty()) {
      return Status(ErrorCode::kInvalidParameter, "principal applies to resourceOwner SELF.");
    }
    ASSIGN_OR_RETURN(shares, SharesWith(ctx.account_id));
  } else {
    return Status(ErrorCode::kInvalidParameter, "resourceOwner must be SELF or OTHER-ACCOUNTS.");
  }
  std::vector<json> rows;
  for (const auto& s : shares) {
    if (s.status != "ACTIVE") continue;
    if (!share_arns.empty() &&
        std::find(share_arns.begin(), share_arns.end(), s.arn) == share_arns.end()) {
      continue;
    }
    if (!principal.empty()) {
      ASSIGN_OR_RETURN(auto ps, d_.sharing->ListSharePrincipals({s.arn, principal}));
      if (std::none_of(ps.begin(), ps.end(),
                       [](const auto& p) { return p.status == "ASSOCIATED"; })) {
        continue;
      }
    }
    ASSIGN_OR_RETURN(auto resources, d_.sharing->ListShareResources({s.arn, ""}));
    for (const auto& r : resources) {
      if (r.status != "ASSOCIATED") continue;
      if (!type.empty() && r.resource_type != type) continue;
      if (!resource_arns.empty() &&
          std::find(resource_arns.begin(), resource_arns.end(), r.entity) == resource_arns.end()) {
        continue;
      }
      rows.push_back(json{{"arn", r.entity},
                          {"type", r.resource_type},
                          {"resourceShareArn", s.arn},
                          {"status", "AVAILABLE"},
                          {"creationTime", Seconds(r.created_at_ms)},
                          {"lastUpdatedTime", Seconds(r.updated_at_ms)},
                          {"resourceRegionScope", "REGIONAL"}});
    }
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, rows.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(rows[i]);
  json out{{"resources", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

Result<json> RamService::ListPrincipals(const CallContext& ctx, const json& in) {
  std::string owner = Str(in, "resourceOwner");
  std::string resource_arn = Str(in, "resourceArn");
  std::string type = Str(in, "resourceType");
  if (!type.empty() && type != sharing::kCaResourceType) {
    return Status(ErrorCode::kInvalidParameter, "The resource type " + type + " is not valid.");
  }
  if (!resource_arn.empty() && !LooksLikeArn(resource_arn)) {
    return Status(ErrorCode::kMalformedArn, "The format of ARN " + resource_arn + " is not valid.");
  }
  std::vector<std::string> names = Strs(in, "principals");
  std::vector<std::string> share_arns = Strs(in, "resourceShareArns");
  std::vector<store::ResourceShareRecord> shares;
  if (owner == "SELF") {
    ASSIGN_OR_RETURN(shares, d_.sharing->ListResourceShares(ctx.account_id));
  } else if (owner == "OTHER-ACCOUNTS") {
    ASSIGN_OR_RETURN(shares, SharesWith(ctx.account_id));
  } else {
    return Status(ErrorCode::kInvalidParameter, "resourceOwner must be SELF or OTHER-ACCOUNTS.");
  }
  std::vector<json> rows;
  for (const auto& s : shares) {
    if (s.status != "ACTIVE") continue;
    if (!share_arns.empty() &&
        std::find(share_arns.begin(), share_arns.end(), s.arn) == share_arns.end()) {
      continue;
    }
    if (!resource_arn.empty() || !type.empty()) {
      ASSIGN_OR_RETURN(auto resources, d_.sharing->ListShareResources({s.arn, resource_arn}));
      if (std::none_of(resources.begin(), resources.end(), [&](const auto& r) {
            return r.status == "ASSOCIATED" && (type.empty() || r.resource_type == type);
          })) {
        continue;
      }
    }
    ASSIGN_OR_RETURN(auto principals, d_.sharing->ListSharePrincipals({s.arn, ""}));
    for (const auto& p : principals) {
      if (p.status != "ASSOCIATED") continue;
      if (owner == "OTHER-ACCOUNTS" && p.entity != ctx.account_id) continue;
      if (!names.empty() && std::find(names.begin(), names.end(), p.entity) == names.end())
        continue;
      rows.push_back(json{{"id", p.entity},
                          {"resourceShareArn", s.arn},
                          {"creationTime", Seconds(p.created_at_ms)},
                          {"lastUpdatedTime", Seconds(p.updated_at_ms)},
                          {"external", p.external}});
    }
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, rows.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(rows[i]);
  json out{{"principals", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

std::vector<std::pair<std::string, api::OperationHandler>> RamOperations(RamDeps deps) {
  OPENPCA_CHECK(deps.sharing && deps.store && deps.policies && deps.clock && deps.random);
  auto service = std::make_shared<RamService>(std::move(deps));
  std::vector<std::pair<std::string, api::OperationHandler>> ops;
  auto add = [&](const char* name,
                 Result<json> (RamService::*fn)(const CallContext&, const json&)) {
    ops.emplace_back(name, [service, fn](const CallContext& ctx, const json& in) {
      return ((*service).*fn)(ctx, in);
    });
  };
  add("CreateResourceShare", &RamService::CreateResourceShare);
  add("GetResourceShares", &RamService::GetResourceShares);
  add("DeleteResourceShare", &RamService::DeleteResourceShare);
  add("AssociateResourceShare", &RamService::AssociateResourceShare);
  add("DisassociateResourceShare", &RamService::DisassociateResourceShare);
  add("GetResourceShareAssociations", &RamService::GetResourceShareAssociations);
  add("GetResourceShareInvitations", &RamService::GetResourceShareInvitations);
  add("AcceptResourceShareInvitation", &RamService::AcceptResourceShareInvitation);
  add("RejectResourceShareInvitation", &RamService::RejectResourceShareInvitation);
  add("ListResources", &RamService::ListResources);
  add("ListPrincipals", &RamService::ListPrincipals);
  add("ListPermissions", &RamService::ListPermissions);
  add("GetPermission", &RamService::GetPermission);
  add("ListResourceSharePermissions", &RamService::ListResourceSharePermissions);
  add("AssociateResourceSharePermission", &RamService::AssociateResourceSharePermission);
  add("CreatePermission", &RamService::CreatePermission);
  add("CreatePermissionVersion", &RamService::CreatePermissionVersion);
  add("DeletePermission", &RamService::DeletePermission);
  add("GetResourcePolicies", &RamService::GetResourcePolicies);
  return ops;
}

}  // namespace openpca::services::ram

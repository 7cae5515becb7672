// RAM permissions (AWS-managed and customer-managed) and the resource policies shares produce.
#include <algorithm>

#include "common/arn.h"
#include "services/ram/ram_service.h"
#include "sharing/managed_permissions.h"
#include "sharing/statements.h"

namespace openpca::services::ram {

using api::CallContext;

namespace {

bool IsSupportedResourceType(std::string_view type) { return type == sharing::kCaResourceType; }

json WithToken(json out, const json& in) {
  std::string token = Str(in, "clientToken");
  if (!token.empty()) out["clientToken"] = token;
  return out;
}

int64_t VersionOf(const json& in, const char* member) {
  auto it = in.find(member);
  return it != in.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

Result<RamService::PermissionView> RamService::LoadPermission(const CallContext& ctx,
                                                              const std::string& arn,
                                                              int64_t version) {
  if (!LooksLikeArn(arn) || arn.find(":permission/") == std::string::npos) {
    return Status(ErrorCode::kMalformedArn, "The format of ARN " + arn + " is not valid.");
  }
  Status unknown(ErrorCode::kUnknownResource, "The permission " + arn + " could not be found.");
  PermissionView v;
  if (const sharing::ManagedPermission* m = sharing::FindManagedPermission(arn)) {
    if (version > 1) return unknown;
    v.arn = m->arn;
    v.name = m->name;
    v.resource_type = m->resource_type;
    v.policy_template = m->policy_template;
    v.aws_managed = true;
    v.resource_type_default = m->resource_type_default;
    return v;
  }
  auto p = d_.sharing->GetRamPermission(arn);
  if (!p.ok() && p.status().code() != ErrorCode::kResourceNotFound) return p.status();
  if (!p.ok() || p->account_id != ctx.account_id) return unknown;
  int64_t wanted = version == 0 ? p->default_version : version;
  auto it = std::find_if(p->versions.begin(), p->versions.end(),
                         [&](const auto& pv) { return pv.version == wanted; });
  if (it == p->versions.end()) return unknown;
  v.arn = p->arn;
  v.name = p->name;
  v.resource_type = p->resource_type;
  v.policy_template = it->policy_template;
  v.version = it->version;
  v.default_version = p->default_version;
  v.created_at_ms = it->created_at_ms;
  v.updated_at_ms = p->updated_at_ms;
  return v;
}

json RamService::PermissionSummary(const PermissionView& p) {
  return json{{"arn", p.arn},
              {"version", std::to_string(p.version)},
              {"defaultVersion", p.version == p.default_version},
              {"name", p.name},
              {"resourceType", p.resource_type},
              {"status", "ATTACHABLE"},
              {"creationTime", Seconds(p.created_at_ms)},
              {"lastUpdatedTime", Seconds(p.updated_at_ms)},
              {"isResourceTypeDefault", p.resource_type_default},
              {"permissionType", p.aws_managed ? "AWS_MANAGED" : "CUSTOMER_MANAGED"},
              {"featureSet", "STANDARD"}};
}

Result<json> RamService::ListPermissions(const CallContext& ctx, const json& in) {
  std::string type = Str(in, "resourceType");
  std::string filter = Str(in, "permissionType");
  if (filter.empty()) filter = "ALL";
  std::vector<json> rows;
  if (filter == "ALL" || filter == "AWS_MANAGED") {
    for (const auto& m : sharing::ManagedPermissions()) {
      if (!type.empty() && m.resource_type != type) continue;
      ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, m.arn, 0));
      rows.push_back(PermissionSummary(v));
    }
  }
  if (filter == "ALL" || filter == "CUSTOMER_MANAGED") {
    ASSIGN_OR_RETURN(auto mine, d_.sharing->ListRamPermissions(ctx.account_id));
    for (const auto& p : mine) {
      if (!type.empty() && p.resource_type != type) continue;
      ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, p.arn, 0));
      rows.push_back(PermissionSummary(v));
    }
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, rows.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(rows[i]);
  json out{{"permissions", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

Result<json> RamService::GetPermission(const CallContext& ctx, const json& in) {
  ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, Str(in, "permissionArn"),
                                                    VersionOf(in, "permissionVersion")));
  json detail = PermissionSummary(v);
  detail["permission"] = v.policy_template;
  return json{{"permission", std::move(detail)}};
}

Result<json> RamService::ListResourceSharePermissions(const CallContext& ctx, const json& in) {
  ASSIGN_OR_RETURN(store::ResourceShareRecord share, OwnShare(ctx, Str(in, "resourceShareArn")));
  ASSIGN_OR_RETURN(auto attached, d_.sharing->ListSharePermissions(share.arn));
  std::vector<json> rows;
  for (const auto& a : attached) {
    auto v = LoadPermission(ctx, a.permission_arn, a.permission_version);
    if (!v.ok()) {
      if (v.status().code() == ErrorCode::kUnknownResource) continue;  // deleted since
      return v.status();
    }
    rows.push_back(PermissionSummary(*v));
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, rows.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(rows[i]);
  json out{{"permissions", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

Result<json> RamService::AssociateResourceSharePermission(const CallContext& ctx, const json& in) {
  ASSIGN_OR_RETURN(store::ResourceShareRecord share, OwnShare(ctx, Str(in, "resourceShareArn")));
  if (share.status != "ACTIVE") {
    return Status(ErrorCode::kOperationNotPermitted,
                  "The resource share " + share.arn + " is " + share.status + ".");
  }
  ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, Str(in, "permissionArn"),
                                                    VersionOf(in, "permissionVersion")));
  ASSIGN_OR_RETURN(auto attached, d_.sharing->ListSharePermissions(share.arn));
  bool replace = in.value("replace", false);
  for (const auto& a : attached) {
    if (a.resource_type == v.resource_type && !replace &&
        (a.permission_arn != v.arn || a.permission_version != v.version)) {
      return Status(ErrorCode::kInvalidParameter,
                    "The resource share already has a permission for " + v.resource_type +
                        "; set replace to true to replace it.");
    }
  }
  RETURN_IF_ERROR(d_.sharing->PutSharePermission(
      store::SharePermissionRecord{share.arn, v.resource_type, v.arn, v.version, NowMs()}));
  return WithToken(json{{"returnValue", true}}, in);
}

Result<json> RamService::CreatePermission(const CallContext& ctx, const json& in) {
  std::string name = Str(in, "name");
  std::string type = Str(in, "resourceType");
  std::string tmpl = Str(in, "policyTemplate");
  if (!IsSupportedResourceType(type)) {
    return Status(ErrorCode::kInvalidParameter, "The resource type " + type + " is not supported.");
  }
  ASSIGN_OR_RETURN(auto statements, sharing::ParsePolicyTemplate(tmpl, type));
  (void)statements;
  const int64_t now = NowMs();
  store::RamPermissionRecord p;
  p.arn = "arn:aws:ram:" + (ctx.region.empty() ? d_.default_region : ctx.region) + ":" +
          ctx.account_id + ":permission/" + name;
  p.account_id = ctx.account_id;
  p.name = name;
  p.resource_type = type;
  p.default_version = 1;
  p.created_at_ms = now;
  p.updated_at_ms = now;
  p.versions.push_back({1, tmpl, now});
  Status st = d_.sharing->InsertRamPermission(p);
  if (st.code() == ErrorCode::kInvalidArgs) {
    return Status(ErrorCode::kPermissionAlreadyExists,
                  "A permission named " + name + " already exists.");
  }
  RETURN_IF_ERROR(st);
  ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, p.arn, 0));
  return WithToken(json{{"permission", PermissionSummary(v)}}, in);
}

Result<json> RamService::CreatePermissionVersion(const CallContext& ctx, const json& in) {
  std::string arn = Str(in, "permissionArn");
  ASSIGN_OR_RETURN(PermissionView current, LoadPermission(ctx, arn, 0));
  if (current.aws_managed) {
    return Status(ErrorCode::kUnknownResource, "The permission " + arn + " could not be found.");
  }
  std::string tmpl = Str(in, "policyTemplate");
  ASSIGN_OR_RETURN(auto statements, sharing::ParsePolicyTemplate(tmpl, current.resource_type));
  (void)statements;
  ASSIGN_OR_RETURN(store::RamPermissionRecord record, d_.sharing->GetRamPermission(arn));
  if (static_cast<int>(record.versions.size()) >= kMaxPermissionVersions) {
    return Status(ErrorCode::kPermissionVersionsLimitExceeded,
                  "The permission " + arn + " already has the most versions allowed.");
  }
  int64_t next = record.versions.empty() ? 1 : record.versions.back().version + 1;
  RETURN_IF_ERROR(d_.sharing->AddRamPermissionVersion(arn, {next, tmpl, NowMs()}));
  ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, arn, next));
  json detail = PermissionSummary(v);
  detail["permission"] = v.policy_template;
  return WithToken(json{{"permission", std::move(detail)}}, in);
}

Result<json> RamService::DeletePermission(const CallContext& ctx, const json& in) {
  std::string arn = Str(in, "permissionArn");
  ASSIGN_OR_RETURN(PermissionView v, LoadPermission(ctx, arn, 0));
  if (v.aws_managed) {
    return Status(ErrorCode::kOperationNotPermitted,
                  "An AWS managed permission cannot be deleted.");
  }
  ASSIGN_OR_RETURN(auto shares, d_.sharing->ListResourceShares(ctx.account_id));
  for (const auto& s : shares) {
    if (s.status == "DELETED") continue;
    ASSIGN_OR_RETURN(auto attached, d_.sharing->ListSharePermissions(s.arn));
    if (std::any_of(attached.begin(), attached.end(),
                    [&](const auto& a) { return a.permission_arn == arn; })) {
      return Status(ErrorCode::kOperationNotPermitted,
                    "The permission " + arn + " is attached to resource share " + s.arn + ".");
    }
  }
  RETURN_IF_ERROR(d_.sharing->DeleteRamPermission(arn));
  return WithToken(json{{"returnValue", true}, {"permissionStatus", "DELETED"}}, in);
}

Result<json> RamService::GetResourcePolicies(const CallContext& ctx, const json& in) {
  std::vector<std::string> arns = Strs(in, "resourceArns");
  std::string principal = Str(in, "principal");
  std::vector<std::string> policies;
  for (const auto& arn : arns) {
    if (!LooksLikeArn(arn)) {
      return Status(ErrorCode::kMalformedArn, "The format of ARN " + arn + " is not valid.");
    }
    auto type = ResourceTypeOf(ctx, arn);
    if (!type.ok()) {
      if (type.status().code() == ErrorCode::kMalformedArn) return type.status();
      return Status(ErrorCode::kResourceArnNotFound,
                    "The resource " + arn + " could not be found.");
    }
    ASSIGN_OR_RETURN(auto statements, d_.policies->RamStatements(arn));
    json kept = json::array();
    for (auto& s : statements) {
      if (!principal.empty()) {
        std::vector<std::string> names = sharing::AwsPrincipals(s["Principal"]);
        if (std::find(names.begin(), names.end(), principal) == names.end()) continue;
      }
      kept.push_back(std::move(s));
    }
    if (kept.empty()) continue;
    policies.push_back(json{{"Version", "2012-10-17"}, {"Statement", std::move(kept)}}.dump());
  }
  ASSIGN_OR_RETURN(Page page, Paginate(in, policies.size()));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(policies[i]);
  json out{{"policies", std::move(list)}};
  if (!page.next_token.empty()) out["nextToken"] = page.next_token;
  return out;
}

}  // namespace openpca::services::ram

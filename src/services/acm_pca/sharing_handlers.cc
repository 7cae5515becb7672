#include "services/acm_pca/sharing_handlers.h"

#include <algorithm>

#include "api/handlers/acm_pca_handlers.h"
#include "common/arn.h"
#include "common/bytes.h"
#include "sharing/ca_policy_shape.h"
#include "sharing/statements.h"

namespace openpca::services::acm_pca {
namespace {

using json = nlohmann::json;
using api::CallContext;

constexpr std::string_view kAcmPrincipal = "acm.amazonaws.com";
constexpr int kMaxPageSize = 100;

std::string Str(const json& in, const char* member) {
  auto it = in.find(member);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string EncodeOffset(size_t offset) {
  return Base64Encode(AsSpan(json{{"offset", offset}}.dump()));
}

Result<size_t> DecodeOffset(const std::string& token) {
  if (token.empty()) return size_t{0};
  auto raw = Base64Decode(token);
  if (raw) {
    json j = json::parse(AsStringView(*raw), nullptr, false);
    if (j.is_object() && j.contains("offset") && j["offset"].is_number_unsigned()) {
      return j["offset"].get<size_t>();
    }
  }
  return Status(ErrorCode::kInvalidNextToken, "The token is not valid.");
}

int PageSize(const json& in) {
  auto it = in.find("MaxResults");
  int n = it != in.end() && it->is_number_integer() ? it->get<int>() : kMaxPageSize;
  return std::clamp(n, 1, kMaxPageSize);
}

class Handlers {
 public:
  explicit Handlers(SharingDeps deps) : d_(std::move(deps)) {}

  // The caller's CA: kInvalidArn, kResourceNotFound, and kInvalidState when it is DELETED.
  Result<store::CaRecord> UsableCa(const CallContext& ctx, const std::string& arn) {
    ASSIGN_OR_RETURN(store::CaRecord ca, d_.authority->DescribeCertificateAuthority(
                                             authority::Caller{ctx.account_id, ctx.region}, arn));
    if (ca.status == "DELETED") {
      return Status(ErrorCode::kInvalidState,
                    "The certificate authority " + arn + " is in the DELETED state.");
    }
    return ca;
  }

  Result<json> PutPolicy(const CallContext& ctx, const json& in) {
    std::string arn = Str(in, "ResourceArn");
    std::string policy = Str(in, "Policy");
    ASSIGN_OR_RETURN(store::CaRecord ca, UsableCa(ctx, arn));
    RETURN_IF_ERROR(sharing::CheckCaPolicyShape(policy, ca.arn));
    if (d_.validate_policy) {
      Status st = d_.validate_policy(policy);
      if (!st.ok()) return Status(ErrorCode::kInvalidPolicy, st.message());
    }
    ASSIGN_OR_RETURN(std::optional<store::CaPolicyRecord> current, d_.sharing->GetCaPolicy(ca.id));
    RETURN_IF_ERROR(d_.sharing->PutCaPolicy(ca.id, policy, current ? current->version : 0,
                                            ToUnixMillis(d_.clock->Now())));
    return json::object();
  }

  Result<json> GetPolicy(const CallContext& ctx, const json& in) {
    std::string arn = Str(in, "ResourceArn");
    ASSIGN_OR_RETURN(store::CaRecord ca, UsableCa(ctx, arn));
    // The CA's own statements and those RAM shares wrote (AWS shows both through GetPolicy).
    json statements = json::array();
    ASSIGN_OR_RETURN(std::optional<store::CaPolicyRecord> own, d_.sharing->GetCaPolicy(ca.id));
    ASSIGN_OR_RETURN(auto ram, d_.policies->RamStatements(ca.arn));
    if (ram.empty()) {
      if (!own.has_value()) {
        return Status(ErrorCode::kResourceNotFound,
                      "Could not find policy for resource " + arn + ".");
      }
      return json{{"Policy", own->policy}};
    }
    json doc = json{{"Version", "2012-10-17"}};
    if (own.has_value()) {
      json mine = json::parse(own->policy, nullptr, false);
      if (mine.is_object() && mine.contains("Statement")) {
        if (mine["Statement"].is_object()) statements.push_back(mine["Statement"]);
        if (mine["Statement"].is_array()) {
          for (const auto& s : mine["Statement"]) statements.push_back(s);
        }
      }
    }
    for (auto& s : ram) statements.push_back(std::move(s));
    doc["Statement"] = std::move(statements);
    return json{{"Policy", doc.dump()}};
  }

  Result<json> DeletePolicy(const CallContext& ctx, const json& in) {
    std::string arn = Str(in, "ResourceArn");
    ASSIGN_OR_RETURN(store::CaRecord ca, UsableCa(ctx, arn));
    ASSIGN_OR_RETURN(std::optional<store::CaPolicyRecord> current, d_.sharing->GetCaPolicy(ca.id));
    RETURN_IF_ERROR(d_.sharing->DeleteCaPolicy(ca.id, ca.arn, current ? current->version : 0,
                                               ToUnixMillis(d_.clock->Now())));
    return json::object();
  }

  Result<json> CreatePermission(const CallContext& ctx, const json& in) {
    std::string arn = Str(in, "CertificateAuthorityArn");
    ASSIGN_OR_RETURN(store::CaRecord ca, UsableCa(ctx, arn));
    store::CaPermissionRecord p;
    p.ca_id = ca.id;
    p.principal = Str(in, "Principal");
    if (p.principal != kAcmPrincipal) {
      return Status(ErrorCode::kRequestFailed,
                    "The principal " + p.principal + " is not supported; use acm.amazonaws.com.");
    }
    p.source_account = Str(in, "SourceAccount");
    if (p.source_account.empty()) p.source_account = ca.account_id;
    for (const auto& a : in.value("Actions", json::array())) {
      std::string action = a.is_string() ? a.get<std::string>() : "";
      if (std::find(p.actions.begin(), p.actions.end(), action) == p.actions.end()) {
        p.actions.push_back(action);
      }
    }
    p.created_at_ms = ToUnixMillis(d_.clock->Now());
    RETURN_IF_ERROR(d_.sharing->InsertCaPermission(p));
    return json::object();
  }

  Result<json> ListPermissions(const CallContext& ctx, const json& in) {
    std::string arn = Str(in, "CertificateAuthorityArn");
    ASSIGN_OR_RETURN(store::CaRecord ca, UsableCa(ctx, arn));
    ASSIGN_OR_RETURN(size_t offset, DecodeOffset(Str(in, "NextToken")));
    ASSIGN_OR_RETURN(auto permissions, d_.sharing->ListCaPermissions(ca.id));
    if (offset > permissions.size()) {
      return Status(ErrorCode::kInvalidNextToken, "The token is not valid.");
    }
    size_t end = std::min(permissions.size(), offset + PageSize(in));
    json out_list = json::array();
    for (size_t i = offset; i < end; ++i) {
      const auto& p = permissions[i];
      json policy{{"Version", "2012-10-17"},
                  {"Statement", json::array({sharing::PermissionStatement(p, ca.arn)})}};
      out_list.push_back(json{{"CertificateAuthorityArn", ca.arn},
                              {"CreatedAt", static_cast<double>(p.created_at_ms) / 1000.0},
                              {"Principal", p.principal},
                              {"SourceAccount", p.source_account},
                              {"Actions", p.actions},
                              {"Policy", policy.dump()}});
    }
    json out{{"Permissions", std::move(out_list)}};
    if (end < permissions.size()) out["NextToken"] = EncodeOffset(end);
    return out;
  }

  Result<json> DeletePermission(const CallContext& ctx, const json& in) {
    std::string arn = Str(in, "CertificateAuthorityArn");
    ASSIGN_OR_RETURN(store::CaRecord ca, UsableCa(ctx, arn));
    std::string principal = Str(in, "Principal");
    std::string source = Str(in, "SourceAccount");
    if (source.empty()) source = ca.account_id;
    Status st = d_.sharing->DeleteCaPermission(ca.id, principal, source);
    if (st.code() == ErrorCode::kResourceNotFound) {
      return Status(ErrorCode::kResourceNotFound,
                    "Could not find permission for " + principal + " on " + arn + ".");
    }
    RETURN_IF_ERROR(st);
    return json::object();
  }

  Result<json> ListCertificateAuthorities(const CallContext& ctx, const json& in) {
    if (Str(in, "ResourceOwner") != "OTHER_ACCOUNTS") {
      auto it = in.find("MaxResults");
      int max = it != in.end() && it->is_number_integer() ? it->get<int>() : 0;
      ASSIGN_OR_RETURN(authority::CaPage page,
                       d_.authority->ListCertificateAuthorities(authority::Caller{ctx.account_id, ctx.region},
                                                                max, Str(in, "NextToken"), "SELF"));
      json cas = json::array();
      for (const auto& ca : page.cas) cas.push_back(api::DescribeCaJson(ca));
      json out{{"CertificateAuthorities", std::move(cas)}};
      if (!page.next_token.empty()) out["NextToken"] = page.next_token;
      return out;
    }
    ASSIGN_OR_RETURN(size_t offset, DecodeOffset(Str(in, "NextToken")));
    ASSIGN_OR_RETURN(std::vector<std::string> ids, d_.policies->ListCasSharedWith(ctx.account_id));
    if (offset > ids.size()) return Status(ErrorCode::kInvalidNextToken, "The token is not valid.");
    size_t end = std::min(ids.size(), offset + PageSize(in));
    json cas = json::array();
    for (size_t i = offset; i < end; ++i) {
      auto ca = d_.store->GetCa(ids[i]);
      if (!ca.ok()) {
        if (ca.status().code() == ErrorCode::kResourceNotFound) continue;
        return ca.status();
      }
      // Shared CAs of the caller's region only, as every regional listing.
      auto arn = ParseCaArn(ca->arn);
      if (!ctx.region.empty() && (!arn || arn->region != ctx.region)) continue;
      cas.push_back(api::DescribeCaJson(*ca));
    }
    json out{{"CertificateAuthorities", std::move(cas)}};
    if (end < ids.size()) out["NextToken"] = EncodeOffset(end);
    return out;
  }

 private:
  SharingDeps d_;
};

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> AcmPcaSharingOperations(
    SharingDeps deps) {
  OPENPCA_CHECK(deps.authority && deps.store && deps.sharing && deps.policies && deps.clock);
  auto h = std::make_shared<Handlers>(std::move(deps));
  std::vector<std::pair<std::string, api::OperationHandler>> ops;
  auto add = [&](const char* name, Result<json> (Handlers::*fn)(const CallContext&, const json&)) {
    ops.emplace_back(
        name, [h, fn](const CallContext& ctx, const json& in) { return ((*h).*fn)(ctx, in); });
  };
  add("PutPolicy", &Handlers::PutPolicy);
  add("GetPolicy", &Handlers::GetPolicy);
  add("DeletePolicy", &Handlers::DeletePolicy);
  add("CreatePermission", &Handlers::CreatePermission);
  add("ListPermissions", &Handlers::ListPermissions);
  add("DeletePermission", &Handlers::DeletePermission);
  add("ListCertificateAuthorities", &Handlers::ListCertificateAuthorities);
  return ops;
}

}  // namespace openpca::services::acm_pca

#include "api/handlers/acm_pca_handlers.h"

#include "authority/revocation_config.h"

namespace openpca::api {
namespace {

using json = nlohmann::json;
using authority::Authority;
using authority::Caller;

Caller CallerOf(const CallContext& ctx) { return Caller{ctx.account_id, ctx.region}; }

std::string Str(const json& in, const char* member) {
  auto it = in.find(member);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> OptStr(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<json> OptObj(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_object()) return std::nullopt;
  return *it;
}

int OptInt(const json& in, const char* member, int fallback) {
  auto it = in.find(member);
  return it != in.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

// Blob members arrive base64-encoded; the validator has already checked they decode.
Bytes Blob(const json& in, const char* member) {
  auto decoded = Base64Decode(Str(in, member));
  return decoded ? std::move(*decoded) : Bytes();
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::vector<store::Tag> Tags(const json& in) {
  std::vector<store::Tag> tags;
  auto it = in.find("Tags");
  if (it == in.end() || !it->is_array()) return tags;
  for (const auto& t : *it) {
    store::Tag tag;
    tag.key = Str(t, "Key");
    tag.value = OptStr(t, "Value");
    tags.push_back(std::move(tag));
  }
  return tags;
}

json TagsJson(const std::vector<store::Tag>& tags) {
  json out = json::array();
  for (const auto& t : tags) {
    json tag{{"Key", t.key}};
    if (t.value.has_value()) tag["Value"] = *t.value;
    out.push_back(std::move(tag));
  }
  return out;
}

authority::ValiditySpec Validity(const json& v) {
  return {Str(v, "Type"), v.value("Value", int64_t{0})};
}

json DescribeJson(const store::CaRecord& ca) {
  json out{
      {"Arn", ca.arn},
      {"OwnerAccount", ca.account_id},
      {"CreatedAt", Seconds(ca.created_at_ms)},
      {"LastStateChangeAt", Seconds(ca.last_state_change_at_ms)},
      {"Type", ca.type},
      {"Status", ca.status},
      {"UsageMode", ca.usage_mode},
  };
  json config = json::parse(ca.configuration_json, nullptr, false);
  if (!config.is_discarded()) out["CertificateAuthorityConfiguration"] = std::move(config);
  out["RevocationConfiguration"] =
      authority::DescribedRevocationConfiguration(ca.revocation_json);
  // Absent when the key store meets none of AWS's standards (docs/decisions.md).
  if (!ca.key_storage_security_standard.empty()) {
    out["KeyStorageSecurityStandard"] = ca.key_storage_security_standard;
  }
  if (!ca.serial_hex.empty()) out["Serial"] = ca.serial_hex;
  if (ca.not_before_s.has_value()) out["NotBefore"] = static_cast<double>(*ca.not_before_s);
  if (ca.not_after_s.has_value()) out["NotAfter"] = static_cast<double>(*ca.not_after_s);
  if (!ca.failure_reason.empty()) out["FailureReason"] = ca.failure_reason;
  if (ca.status == "DELETED" && ca.restorable_until_ms.has_value()) {
    out["RestorableUntil"] = Seconds(*ca.restorable_until_ms);
  }
  return out;
}

json CertificateJson(const authority::CertificateAndChain& c) {
  json out{{"Certificate", c.certificate_pem}};
  if (!c.chain_pem.empty()) out["CertificateChain"] = c.chain_pem;
  return out;
}

Result<json> Empty(Status st) {
  if (!st.ok()) return st;
  return json::object();
}

}  // namespace

json DescribeCaJson(const store::CaRecord& ca) { return DescribeJson(ca); }

std::vector<std::pair<std::string, OperationHandler>> AcmPcaOperations(Authority& a) {
  std::vector<std::pair<std::string, OperationHandler>> ops;
  auto add = [&](const char* name, OperationHandler h) { ops.emplace_back(name, std::move(h)); };

  add("CreateCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    authority::CreateCaRequest req;
    req.configuration = in.value("CertificateAuthorityConfiguration", json::object());
    req.revocation = OptObj(in, "RevocationConfiguration");
    req.type = Str(in, "CertificateAuthorityType");
    req.idempotency_token = OptStr(in, "IdempotencyToken");
    req.key_storage_security_standard = OptStr(in, "KeyStorageSecurityStandard");
    req.usage_mode = OptStr(in, "UsageMode");
    req.tags = Tags(in);
    ASSIGN_OR_RETURN(std::string arn, a.CreateCertificateAuthority(CallerOf(ctx), req));
    return json{{"CertificateAuthorityArn", arn}};
  });

  add("DescribeCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    ASSIGN_OR_RETURN(store::CaRecord ca,
                     a.DescribeCertificateAuthority(CallerOf(ctx),
                                                    Str(in, "CertificateAuthorityArn")));
    return json{{"CertificateAuthority", DescribeJson(ca)}};
  });

  add("ListCertificateAuthorities", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    ASSIGN_OR_RETURN(authority::CaPage page,
                     a.ListCertificateAuthorities(CallerOf(ctx), OptInt(in, "MaxResults", 0),
                                                  Str(in, "NextToken"),
                                                  Str(in, "ResourceOwner")));
    json cas = json::array();
    for (const auto& ca : page.cas) cas.push_back(DescribeJson(ca));
    json out{{"CertificateAuthorities", std::move(cas)}};
    if (!page.next_token.empty()) out["NextToken"] = page.next_token;
    return out;
  });

  add("UpdateCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    authority::UpdateCaRequest req;
    req.ca_arn = Str(in, "CertificateAuthorityArn");
    req.status = OptStr(in, "Status");
    req.revocation = OptObj(in, "RevocationConfiguration");
    return Empty(a.UpdateCertificateAuthority(CallerOf(ctx), req));
  });

  add("DeleteCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    std::optional<int> days;
    if (auto it = in.find("PermanentDeletionTimeInDays"); it != in.end() && it->is_number())
      days = it->get<int>();
    return Empty(
        a.DeleteCertificateAuthority(CallerOf(ctx), Str(in, "CertificateAuthorityArn"), days));
  });

  add("RestoreCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    return Empty(a.RestoreCertificateAuthority(CallerOf(ctx), Str(in, "CertificateAuthorityArn")));
  });

  add("GetCertificateAuthorityCsr", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    ASSIGN_OR_RETURN(std::string csr, a.GetCertificateAuthorityCsr(
                                          CallerOf(ctx), Str(in, "CertificateAuthorityArn")));
    return json{{"Csr", csr}};
  });

  add("ImportCertificateAuthorityCertificate",
      [&a](const CallContext& ctx, const json& in) -> Result<json> {
        authority::ImportRequest req;
        req.ca_arn = Str(in, "CertificateAuthorityArn");
        req.certificate = Blob(in, "Certificate");
        if (in.contains("CertificateChain") && in["CertificateChain"].is_string()) {
          req.chain = Blob(in, "CertificateChain");
        }
        return Empty(a.ImportCertificateAuthorityCertificate(CallerOf(ctx), req));
      });

  add("GetCertificateAuthorityCertificate",
      [&a](const CallContext& ctx, const json& in) -> Result<json> {
        ASSIGN_OR_RETURN(authority::CertificateAndChain c,
                         a.GetCertificateAuthorityCertificate(CallerOf(ctx),
                                                              Str(in, "CertificateAuthorityArn")));
        return CertificateJson(c);
      });

  add("IssueCertificate", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    authority::IssueRequest req;
    req.ca_arn = Str(in, "CertificateAuthorityArn");
    req.csr = Blob(in, "Csr");
    req.signing_algorithm = Str(in, "SigningAlgorithm");
    req.template_arn = OptStr(in, "TemplateArn");
    req.validity = Validity(in.value("Validity", json::object()));
    if (auto nb = OptObj(in, "ValidityNotBefore")) req.validity_not_before = Validity(*nb);
    req.api_passthrough = OptObj(in, "ApiPassthrough");
    req.idempotency_token = OptStr(in, "IdempotencyToken");
    ASSIGN_OR_RETURN(std::string arn, a.IssueCertificate(CallerOf(ctx), req));
    return json{{"CertificateArn", arn}};
  });

  add("GetCertificate", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    ASSIGN_OR_RETURN(authority::CertificateAndChain c,
                     a.GetCertificate(CallerOf(ctx), Str(in, "CertificateAuthorityArn"),
                                      Str(in, "CertificateArn")));
    return CertificateJson(c);
  });

  add("RevokeCertificate", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    return Empty(a.RevokeCertificate(CallerOf(ctx), Str(in, "CertificateAuthorityArn"),
                                     Str(in, "CertificateSerial"), Str(in, "RevocationReason")));
  });

  add("TagCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    return Empty(
        a.TagCertificateAuthority(CallerOf(ctx), Str(in, "CertificateAuthorityArn"), Tags(in)));
  });

  add("UntagCertificateAuthority", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    return Empty(
        a.UntagCertificateAuthority(CallerOf(ctx), Str(in, "CertificateAuthorityArn"), Tags(in)));
  });

  add("ListTags", [&a](const CallContext& ctx, const json& in) -> Result<json> {
    ASSIGN_OR_RETURN(authority::TagPage page,
                     a.ListTags(CallerOf(ctx), Str(in, "CertificateAuthorityArn"),
                                OptInt(in, "MaxResults", 0), Str(in, "NextToken")));
    json out{{"Tags", TagsJson(page.tags)}};
    if (!page.next_token.empty()) out["NextToken"] = page.next_token;
    return out;
  });

  return ops;
}

}  // namespace openpca::api

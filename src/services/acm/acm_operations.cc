#include "services/acm/acm_operations.h"

#include <algorithm>
#include <memory>

#include <openssl/crypto.h>

#include "common/bytes.h"
#include "x509/cert_facts.h"
#include "x509/inspect.h"

namespace openpca::services::acm {
namespace {

using api::CallContext;
using certmanager::CertificateManager;
using json = nlohmann::json;
using store::AcmCertificateRecord;

constexpr size_t kMaxSummaryNames = 100;
constexpr int kDefaultMaxItems = 1000;

std::string Str(const json& in, const char* member) {
  auto it = in.find(member);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> Strings(const json& in, const char* member) {
  std::vector<std::string> out;
  auto it = in.find(member);
  if (it == in.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::vector<store::Tag> Tags(const json& in) {
  std::vector<store::Tag> out;
  auto it = in.find("Tags");
  if (it == in.end() || !it->is_array()) return out;
  for (const auto& t : *it) {
    if (!t.is_object()) continue;
    store::Tag tag;
    tag.key = Str(t, "Key");
    if (t.contains("Value") && t["Value"].is_string()) tag.value = t["Value"].get<std::string>();
    out.push_back(std::move(tag));
  }
  return out;
}

json TagsJson(const std::vector<store::Tag>& tags) {
  json out = json::array();
  for (const store::Tag& t : tags) {
    json tag{{"Key", t.key}};
    if (t.value.has_value()) tag["Value"] = *t.value;
    out.push_back(std::move(tag));
  }
  return out;
}

Result<Bytes> Blob(const json& in, const char* member) {
  auto decoded = Base64Decode(Str(in, member));
  if (!decoded) return Status(ErrorCode::kSerialization, std::string(member) + " is not base64.");
  return *decoded;
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// Responses spell key algorithms with a hyphen (RSA-2048, EC-prime256v1), requests with '_'.
std::string ResponseKeyAlgorithm(std::string alg) {
  size_t u = alg.find('_');
  if (u != std::string::npos) alg[u] = '-';
  return alg;
}

// What the certificate's extensions say, for Describe and List (empty before issuance).
struct Facts {
  std::optional<x509::CertificateFacts> cert;
};

Facts FactsOf(const AcmCertificateRecord& r) {
  Facts f;
  if (r.certificate_der.empty()) return f;
  auto parsed = x509::ParseCertificateDer(r.certificate_der);
  if (!parsed.ok()) return f;
  auto facts = x509::FactsOf(**parsed);
  if (facts.ok()) f.cert = std::move(*facts);
  return f;
}

std::string ValidationStatus(const AcmCertificateRecord& r) {
  if (r.status == "PENDING_VALIDATION") return "PENDING_VALIDATION";
  if (r.status == "FAILED") return "FAILED";
  return "SUCCESS";
}

json DomainValidations(const AcmCertificateRecord& r) {
  json out = json::array();
  for (const std::string& name : r.sans) {
    out.push_back({{"DomainName", name}, {"ValidationStatus", ValidationStatus(r)}});
  }
  return out;
}

json CertificateDetail(const AcmCertificateRecord& r, int64_t now_s) {
  Facts facts = FactsOf(r);
  std::string status = certmanager::EffectiveStatus(r, now_s);
  json d{{"CertificateArn", r.arn},
         {"DomainName", r.domain_name},
         {"SubjectAlternativeNames", r.sans},
         {"Status", status},
         {"Type", r.type},
         {"CreatedAt", Seconds(r.created_at_ms)},
         {"KeyAlgorithm", ResponseKeyAlgorithm(r.key_algorithm)},
         {"InUseBy", r.in_use_by},
         {"RenewalEligibility",
          certmanager::RenewalEligible(r, now_s) ? "ELIGIBLE" : "INELIGIBLE"},
         {"Options",
          {{"CertificateTransparencyLoggingPreference", r.ct_logging},
           {"Export", r.export_option}}}};
  if (r.type != "IMPORTED") d["DomainValidationOptions"] = DomainValidations(r);
  if (!r.ca_arn.empty()) d["CertificateAuthorityArn"] = r.ca_arn;
  if (!r.failure_reason.empty()) d["FailureReason"] = r.failure_reason;
  if (r.issued_at_ms.has_value() && r.type != "IMPORTED") d["IssuedAt"] = Seconds(*r.issued_at_ms);
  if (r.imported_at_ms.has_value()) d["ImportedAt"] = Seconds(*r.imported_at_ms);
  if (r.status == "REVOKED" && r.revoked_at_ms.has_value()) {
    d["RevokedAt"] = Seconds(*r.revoked_at_ms);
    d["RevocationReason"] = r.revocation_reason;
  }
  if (r.not_before_s.has_value()) d["NotBefore"] = static_cast<double>(*r.not_before_s);
  if (r.not_after_s.has_value()) d["NotAfter"] = static_cast<double>(*r.not_after_s);
  if (facts.cert.has_value()) {
    const x509::CertificateFacts& c = *facts.cert;
    d["Serial"] = c.serial;
    d["Subject"] = c.subject;
    d["Issuer"] = c.issuer;
    d["SignatureAlgorithm"] = c.signature_algorithm;
    json ku = json::array();
    for (const std::string& n : c.key_usages) ku.push_back({{"Name", n}});
    d["KeyUsages"] = std::move(ku);
    json eku = json::array();
    for (const auto& [name, oid] : c.extended_key_usages) {
      eku.push_back({{"Name", name}, {"OID", oid}});
    }
    d["ExtendedKeyUsages"] = std::move(eku);
  }
  if (!r.renewal_status.empty()) {
    json summary{{"RenewalStatus", r.renewal_status},
                 {"DomainValidationOptions", DomainValidations(r)},
                 {"UpdatedAt", Seconds(r.renewal_updated_at_ms.value_or(r.created_at_ms))}};
    if (!r.renewal_reason.empty()) summary["RenewalStatusReason"] = r.renewal_reason;
    d["RenewalSummary"] = std::move(summary);
  }
  return d;
}

json CertificateSummary(const AcmCertificateRecord& r, const Facts& facts, int64_t now_s) {
  json s{{"CertificateArn", r.arn},
         {"DomainName", r.domain_name},
         {"Status", certmanager::EffectiveStatus(r, now_s)},
         {"Type", r.type},
         {"KeyAlgorithm", ResponseKeyAlgorithm(r.key_algorithm)},
         {"InUse", !r.in_use_by.empty()},
         {"Exported", r.exported},
         {"ExportOption", r.export_option},
         {"RenewalEligibility",
          certmanager::RenewalEligible(r, now_s) ? "ELIGIBLE" : "INELIGIBLE"},
         {"CreatedAt", Seconds(r.created_at_ms)}};
  std::vector<std::string> names(r.sans.begin(),
                                 r.sans.begin() + std::min(r.sans.size(), kMaxSummaryNames));
  s["SubjectAlternativeNameSummaries"] = names;
  s["HasAdditionalSubjectAlternativeNames"] = r.sans.size() > kMaxSummaryNames;
  json ku = json::array();
  json eku = json::array();
  if (facts.cert.has_value()) {
    for (const std::string& n : facts.cert->key_usages) ku.push_back(n);
    for (const auto& [name, oid] : facts.cert->extended_key_usages) eku.push_back(name);
  }
  s["KeyUsages"] = std::move(ku);
  s["ExtendedKeyUsages"] = std::move(eku);
  if (r.not_before_s.has_value()) s["NotBefore"] = static_cast<double>(*r.not_before_s);
  if (r.not_after_s.has_value()) s["NotAfter"] = static_cast<double>(*r.not_after_s);
  if (r.issued_at_ms.has_value() && r.type != "IMPORTED") s["IssuedAt"] = Seconds(*r.issued_at_ms);
  if (r.imported_at_ms.has_value()) s["ImportedAt"] = Seconds(*r.imported_at_ms);
  if (r.status == "REVOKED" && r.revoked_at_ms.has_value()) {
    s["RevokedAt"] = Seconds(*r.revoked_at_ms);
  }
  return s;
}

// Whether `have` satisfies the filter `wanted` (names): every wanted name is present; "NONE"
// matches a certificate without the extension and "ANY" any certificate with it.
bool MatchesUsage(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  for (const std::string& w : wanted) {
    if (w == "NONE") {
      if (!have.empty()) return false;
    } else if (w == "ANY") {
      if (have.empty()) return false;
    } else if (std::find(have.begin(), have.end(), w) == have.end()) {
      return false;
    }
  }
  return true;
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
  return Status(ErrorCode::kInvalidArgs, "The NextToken is not valid.");
}

class Handlers {
 public:
  explicit Handlers(AcmDeps deps) : d_(std::move(deps)) {}

  certmanager::Requester Who(const CallContext& ctx) const {
    certmanager::Requester who{ctx.account_id, ctx.region, nullptr};
    if (d_.authorize_ca_issue) {
      auto authorize = d_.authorize_ca_issue;
      who.may_issue = [authorize, ctx](const std::string& ca_arn) {
        return authorize(ctx, ca_arn);
      };
    }
    return who;
  }
  int64_t NowS() const { return ToUnixSeconds(d_.manager->clock().Now()); }

  Result<json> RequestCertificate(const CallContext& ctx, const json& in) {
    certmanager::RequestSpec spec;
    spec.domain_name = Str(in, "DomainName");
    spec.sans = Strings(in, "SubjectAlternativeNames");
    spec.ca_arn = Str(in, "CertificateAuthorityArn");
    if (std::string alg = Str(in, "KeyAlgorithm"); !alg.empty()) spec.key_algorithm = alg;
    if (auto o = in.find("Options"); o != in.end() && o->is_object()) {
      if (std::string v = Str(*o, "Export"); !v.empty()) spec.export_option = v;
      if (std::string v = Str(*o, "CertificateTransparencyLoggingPreference"); !v.empty()) {
        spec.ct_logging = v;
      }
    }
    if (auto dvo = in.find("DomainValidationOptions"); dvo != in.end() && dvo->is_array()) {
      for (const auto& o : *dvo) {
        spec.domain_validation_options.emplace_back(Str(o, "DomainName"),
                                                    Str(o, "ValidationDomain"));
      }
    }
    if (in.contains("ManagedBy")) {
      return Status(ErrorCode::kInvalidParameter,
                    "ManagedBy is for certificates of CloudFront, which openpca does not serve.");
    }
    if (std::string token = Str(in, "IdempotencyToken"); !token.empty()) {
      spec.idempotency_token = token;
    }
    spec.tags = Tags(in);
    ASSIGN_OR_RETURN(std::string arn, d_.manager->Request(Who(ctx), spec));
    return json{{"CertificateArn", arn}};
  }

  Result<json> DescribeCertificate(const CallContext& ctx, const json& in) {
    ASSIGN_OR_RETURN(AcmCertificateRecord r, d_.manager->Load(Who(ctx), Str(in, "CertificateArn")));
    return json{{"Certificate", CertificateDetail(r, NowS())}};
  }

  Result<json> GetCertificate(const CallContext& ctx, const json& in) {
    ASSIGN_OR_RETURN(certmanager::CertificateAndChain c,
                     d_.manager->GetCertificate(Who(ctx), Str(in, "CertificateArn")));
    json out{{"Certificate", c.certificate_pem}};
    if (!c.chain_pem.empty()) out["CertificateChain"] = c.chain_pem;
    return out;
  }

  Result<json> ExportCertificate(const CallContext& ctx, const json& in) {
    ASSIGN_OR_RETURN(Bytes passphrase, Blob(in, "Passphrase"));
    Result<certmanager::ExportedCertificate> e =
        d_.manager->Export(Who(ctx), Str(in, "CertificateArn"), passphrase);
    OPENSSL_cleanse(passphrase.data(), passphrase.size());
    if (!e.ok()) return e.status();
    json out{{"Certificate", e->certificate_pem}, {"PrivateKey", e->private_key_pem}};
    if (!e->chain_pem.empty()) out["CertificateChain"] = e->chain_pem;
    return out;
  }

  Result<json> ListCertificates(const CallContext& ctx, const json& in) {
    bool has_sort_by = in.contains("SortBy");
    bool has_sort_order = in.contains("SortOrder");
    if (has_sort_by != has_sort_order) {
      return Status(ErrorCode::kValidation,
                    "SortBy and SortOrder must be specified together.");
    }
    int max_items = kDefaultMaxItems;
    if (auto m = in.find("MaxItems"); m != in.end() && m->is_number_integer()) {
      max_items = m->get<int>();
      if (max_items < 1 || max_items > 1000) {
        return Status(ErrorCode::kValidation, "MaxItems must be between 1 and 1000.");
      }
    }
    ASSIGN_OR_RETURN(size_t offset, DecodeOffset(Str(in, "NextToken")));
    std::vector<std::string> statuses = Strings(in, "CertificateStatuses");
    std::vector<std::string> key_types = {"RSA_1024", "RSA_2048"};
    std::vector<std::string> eku_filter, ku_filter;
    std::string export_filter, managed_by_filter;
    if (auto inc = in.find("Includes"); inc != in.end() && inc->is_object()) {
      if (inc->contains("keyTypes")) key_types = Strings(*inc, "keyTypes");
      eku_filter = Strings(*inc, "extendedKeyUsage");
      ku_filter = Strings(*inc, "keyUsage");
      export_filter = Str(*inc, "exportOption");
      managed_by_filter = Str(*inc, "managedBy");
    }
    ASSIGN_OR_RETURN(std::vector<AcmCertificateRecord> all, d_.manager->List(Who(ctx)));
    if (has_sort_by && Str(in, "SortOrder") == "DESCENDING") std::reverse(all.begin(), all.end());
    const int64_t now_s = NowS();
    std::vector<json> matched;
    for (const AcmCertificateRecord& r : all) {
      if (!statuses.empty() &&
          std::find(statuses.begin(), statuses.end(), certmanager::EffectiveStatus(r, now_s)) ==
              statuses.end()) {
        continue;
      }
      if (std::find(key_types.begin(), key_types.end(), r.key_algorithm) == key_types.end()) {
        continue;
      }
      if (!export_filter.empty() && r.export_option != export_filter) continue;
      if (!managed_by_filter.empty()) continue;  // nothing here is managed by CloudFront
      if (r.sans.empty() && r.domain_name.empty()) continue;
      Facts facts = FactsOf(r);
      if (!eku_filter.empty() || !ku_filter.empty()) {
        std::vector<std::string> ekus, kus;
        if (facts.cert.has_value()) {
          for (const auto& [name, oid] : facts.cert->extended_key_usages) ekus.push_back(name);
          kus = facts.cert->key_usages;
        }
        if (!MatchesUsage(eku_filter, ekus) || !MatchesUsage(ku_filter, kus)) continue;
      }
      matched.push_back(CertificateSummary(r, facts, now_s));
    }
    json page = json::array();
    size_t end = std::min(matched.size(), offset + static_cast<size_t>(max_items));
    for (size_t i = offset; i < end; ++i) page.push_back(std::move(matched[i]));
    json out{{"CertificateSummaryList", std::move(page)}};
    if (end < matched.size()) out["NextToken"] = EncodeOffset(end);
    return out;
  }

  Result<json> RenewCertificate(const CallContext& ctx, const json& in) {
    RETURN_IF_ERROR(d_.manager->Renew(Who(ctx), Str(in, "CertificateArn")));
    return json::object();
  }

  Result<json> ImportCertificate(const CallContext& ctx, const json& in) {
    certmanager::ImportSpec spec;
    if (std::string arn = Str(in, "CertificateArn"); !arn.empty()) spec.certificate_arn = arn;
    ASSIGN_OR_RETURN(spec.certificate_pem, Blob(in, "Certificate"));
    ASSIGN_OR_RETURN(spec.private_key_pem, Blob(in, "PrivateKey"));
    if (in.contains("CertificateChain")) {
      ASSIGN_OR_RETURN(Bytes chain, Blob(in, "CertificateChain"));
      spec.chain_pem = std::move(chain);
    }
    spec.tags = Tags(in);
    Result<std::string> arn = d_.manager->Import(Who(ctx), spec);
    OPENSSL_cleanse(spec.private_key_pem.data(), spec.private_key_pem.size());
    if (!arn.ok()) return arn.status();
    return json{{"CertificateArn", *arn}};
  }

  Result<json> DeleteCertificate(const CallContext& ctx, const json& in) {
    RETURN_IF_ERROR(d_.manager->Delete(Who(ctx), Str(in, "CertificateArn")));
    return json::object();
  }

  Result<json> RevokeCertificate(const CallContext& ctx, const json& in) {
    ASSIGN_OR_RETURN(std::string arn, d_.manager->Revoke(Who(ctx), Str(in, "CertificateArn"),
                                                         Str(in, "RevocationReason")));
    return json{{"CertificateArn", arn}};
  }

  Result<json> AddTagsToCertificate(const CallContext& ctx, const json& in) {
    RETURN_IF_ERROR(d_.manager->AddTags(Who(ctx), Str(in, "CertificateArn"), Tags(in)));
    return json::object();
  }

  Result<json> RemoveTagsFromCertificate(const CallContext& ctx, const json& in) {
    RETURN_IF_ERROR(d_.manager->RemoveTags(Who(ctx), Str(in, "CertificateArn"), Tags(in)));
    return json::object();
  }

  Result<json> ListTagsForCertificate(const CallContext& ctx, const json& in) {
    ASSIGN_OR_RETURN(AcmCertificateRecord r, d_.manager->Load(Who(ctx), Str(in, "CertificateArn")));
    json out = json::object();
    if (!r.tags.empty()) out["Tags"] = TagsJson(r.tags);
    return out;
  }

  Result<json> GetAccountConfiguration(const CallContext& ctx, const json&) {
    ASSIGN_OR_RETURN(int64_t days, d_.manager->DaysBeforeExpiry(ctx.account_id));
    return json{{"ExpiryEvents", {{"DaysBeforeExpiry", days}}}};
  }

  Result<json> PutAccountConfiguration(const CallContext& ctx, const json& in) {
    std::string token = Str(in, "IdempotencyToken");
    ASSIGN_OR_RETURN(int64_t current, d_.manager->DaysBeforeExpiry(ctx.account_id));
    int64_t days = current;
    if (auto e = in.find("ExpiryEvents"); e != in.end() && e->is_object()) {
      if (auto d = e->find("DaysBeforeExpiry"); d != e->end() && d->is_number_integer()) {
        days = d->get<int64_t>();
      }
    }
    RETURN_IF_ERROR(d_.manager->PutDaysBeforeExpiry(ctx.account_id, days, token));
    return json::object();
  }

 private:
  AcmDeps d_;
};

}  // namespace

std::vector<std::pair<std::string, api::OperationHandler>> AcmOperations(AcmDeps deps) {
  auto h = std::make_shared<Handlers>(std::move(deps));
  std::vector<std::pair<std::string, api::OperationHandler>> ops;
  auto add = [&](const char* name, Result<json> (Handlers::*fn)(const CallContext&, const json&)) {
    ops.emplace_back(name, [h, fn](const CallContext& ctx, const json& in) {
      return ((*h).*fn)(ctx, in);
    });
  };
  add("RequestCertificate", &Handlers::RequestCertificate);
  add("DescribeCertificate", &Handlers::DescribeCertificate);
  add("GetCertificate", &Handlers::GetCertificate);
  add("ExportCertificate", &Handlers::ExportCertificate);
  add("ListCertificates", &Handlers::ListCertificates);
  add("RenewCertificate", &Handlers::RenewCertificate);
  add("ImportCertificate", &Handlers::ImportCertificate);
  add("DeleteCertificate", &Handlers::DeleteCertificate);
  add("RevokeCertificate", &Handlers::RevokeCertificate);
  add("AddTagsToCertificate", &Handlers::AddTagsToCertificate);
  add("RemoveTagsFromCertificate", &Handlers::RemoveTagsFromCertificate);
  add("ListTagsForCertificate", &Handlers::ListTagsForCertificate);
  add("GetAccountConfiguration", &Handlers::GetAccountConfiguration);
  add("PutAccountConfiguration", &Handlers::PutAccountConfiguration);
  return ops;
}

}  // namespace openpca::services::acm

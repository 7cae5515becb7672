#include "authority/extension_plan.h"

#include "authority/wire_structs.h"
#include "x509/extensions.h"

namespace openpca::authority {
namespace {

constexpr char kSkiOid[] = "2.5.29.14";
constexpr char kAkiOid[] = "2.5.29.35";
constexpr char kSanOid[] = "2.5.29.17";

}  // namespace

void ExtensionPlan::Offer(x509::X509ExtensionPtr ext) {
  std::string oid = x509::ExtensionOid(*ext);
  if (index_.count(oid) > 0) return;
  index_[oid] = extensions_.size();
  extensions_.push_back(std::move(ext));
}

void ExtensionPlan::AddIfAbsent(x509::X509ExtensionPtr ext) { Offer(std::move(ext)); }

void ExtensionPlan::Override(x509::X509ExtensionPtr ext) {
  std::string oid = x509::ExtensionOid(*ext);
  auto it = index_.find(oid);
  if (it != index_.end()) {
    extensions_[it->second] = std::move(ext);
  } else {
    Offer(std::move(ext));
  }
}

Result<std::vector<x509::X509ExtensionPtr>> BuildTemplateExtensions(
    const TemplateDefinition& tmpl) {
  std::vector<x509::X509ExtensionPtr> out;
  ASSIGN_OR_RETURN(auto bc, x509::BasicConstraintsExt(tmpl.bc_ca, tmpl.path_len,
                                                      tmpl.bc_critical));
  out.push_back(std::move(bc));
  if (tmpl.key_usage.has_value()) {
    ASSIGN_OR_RETURN(auto ku, x509::KeyUsageExt(*tmpl.key_usage, true));
    out.push_back(std::move(ku));
  }
  if (tmpl.eku.has_value()) {
    ASSIGN_OR_RETURN(auto eku, x509::ExtendedKeyUsageExt(*tmpl.eku, tmpl.eku_critical));
    out.push_back(std::move(eku));
  }
  return out;
}

Status ExtensionPlan::AddTemplateExtensions() {
  ASSIGN_OR_RETURN(auto exts, BuildTemplateExtensions(tmpl_));
  for (auto& e : exts) Offer(std::move(e));
  return Status::Ok();
}

Result<std::vector<x509::X509ExtensionPtr>> BuildApiExtensions(const nlohmann::json& ext) {
  std::vector<x509::X509ExtensionPtr> api;
  if (auto ku = ext.find("KeyUsage"); ku != ext.end() && ku->is_object()) {
    ASSIGN_OR_RETURN(auto e, x509::KeyUsageExt(ToKeyUsageBits(*ku), true));
    api.push_back(std::move(e));
  }
  if (auto eku = ext.find("ExtendedKeyUsage"); eku != ext.end() && eku->is_array()) {
    ASSIGN_OR_RETURN(auto oids, ToEkuOids(*eku));
    ASSIGN_OR_RETURN(auto e, x509::ExtendedKeyUsageExt(oids, false));
    api.push_back(std::move(e));
  }
  if (auto sans = ext.find("SubjectAlternativeNames"); sans != ext.end() && sans->is_array()) {
    std::vector<x509::GeneralNameSpec> names;
    for (const auto& gn : *sans) {
      ASSIGN_OR_RETURN(auto spec, ToGeneralName(gn));
      names.push_back(std::move(spec));
    }
    ASSIGN_OR_RETURN(auto e, x509::SubjectAltNameExt(names));
    api.push_back(std::move(e));
  }
  if (auto pol = ext.find("CertificatePolicies"); pol != ext.end() && pol->is_array()) {
    ASSIGN_OR_RETURN(auto e, x509::CertificatePoliciesExt(ToPolicies(*pol)));
    api.push_back(std::move(e));
  }
  std::map<std::string, bool> seen;
  for (const auto& e : api) seen[x509::ExtensionOid(*e)] = true;
  if (auto custom = ext.find("CustomExtensions"); custom != ext.end() && custom->is_array()) {
    for (const auto& c : *custom) {
      std::string oid = c.value("ObjectIdentifier", "");
      auto value = Base64Decode(c.value("Value", ""));
      if (!value) return Status(ErrorCode::kInvalidArgs, "CustomExtension value is not base64.");
      if (seen.count(oid) > 0) {
        return Status(ErrorCode::kInvalidArgs,
                      "The extension " + oid + " is specified more than once.");
      }
      seen[oid] = true;
      ASSIGN_OR_RETURN(auto e, x509::RawExtension(oid, *value, c.value("Critical", false)));
      api.push_back(std::move(e));
    }
  }
  return api;
}

Status ExtensionPlan::AddApiExtensions(const nlohmann::json& ext) {
  ASSIGN_OR_RETURN(auto api, BuildApiExtensions(ext));
  for (auto& e : api) Offer(std::move(e));
  return Status::Ok();
}

Status ExtensionPlan::AddCsrExtensions(const X509_REQ& csr) {
  x509::X509ExtStackPtr exts(X509_REQ_get_extensions(const_cast<X509_REQ*>(&csr)));
  x509::ClearOsslErrors();
  if (!exts) return Status::Ok();
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
    std::string oid = x509::ExtensionOid(*ext);
    if (oid == kSkiOid || oid == kAkiOid) continue;
    if (oid != kSanOid && !tmpl_.takes_csr()) continue;
    x509::X509ExtensionPtr copy(X509_EXTENSION_dup(ext));
    if (!copy) return x509::OsslError("X509_EXTENSION_dup");
    // DER leaves out a BOOLEAN equal to its DEFAULT: an explicit "critical FALSE" in the CSR is
    // dropped (X509_EXTENSION_set_critical(0) marks it absent), or strict parsers refuse the
    // certificate.
    if (X509_EXTENSION_set_critical(copy.get(), X509_EXTENSION_get_critical(ext)) != 1) {
      return x509::OsslError("X509_EXTENSION_set_critical");
    }
    Offer(std::move(copy));
  }
  return Status::Ok();
}

Status ExtensionPlan::AddKeyIdentifiers(const Bytes& subject_key_id, const Bytes* issuer_ski) {
  // Offered before API and CSR extensions: the computed SKI wins over any other source.
  ASSIGN_OR_RETURN(auto ski_ext, x509::SubjectKeyIdentifierExt(subject_key_id));
  Offer(std::move(ski_ext));
  if (issuer_ski != nullptr) {
    ASSIGN_OR_RETURN(auto aki_ext, x509::AuthorityKeyIdentifierExt(*issuer_ski));
    Offer(std::move(aki_ext));
  }
  return Status::Ok();
}

}  // namespace openpca::authority

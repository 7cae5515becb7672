// The issuing certificate builder (CertificateBuilder::kDirect): the CSR read once from DER, its
// key decoded once for the signature check, the TBSCertificate written directly from DER pieces.
// What does not depend on the request is encoded once: template extensions per template (here),
// issuer name, AKI and signature AlgorithmIdentifier per CA (IssuerContext::PrepareEncodings).
#include <map>
#include <mutex>

#include "authority/certificate_builder_impl.h"
#include "authority/extension_plan.h"
#include "authority/wire_structs.h"
#include "x509/csr_reader.h"
#include "x509/extensions.h"
#include "x509/name.h"
#include "x509/tbs_certificate.h"

namespace openpca::authority {
namespace {

// One planned extension: its OID content octets (its identity) and its whole DER.
struct Planned {
  Bytes oid;
  Bytes der;
};

Bytes OidOf(const X509_EXTENSION& ext) {
  const ASN1_OBJECT* obj = X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(&ext));
  const unsigned char* data = OBJ_get0_data(obj);
  return Bytes(data, data + OBJ_length(obj));
}

Result<Planned> Encode(const X509_EXTENSION& ext) {
  ASSIGN_OR_RETURN(Bytes der, x509::ExtensionDer(ext));
  return Planned{OidOf(ext), std::move(der)};
}

const Bytes& SkiOid() {
  static const Bytes kOid = {0x55, 0x1d, 0x0e};  // 2.5.29.14
  return kOid;
}
const Bytes& AkiOid() {
  static const Bytes kOid = {0x55, 0x1d, 0x23};  // 2.5.29.35
  return kOid;
}
const Bytes& SanOid() {
  static const Bytes kOid = {0x55, 0x1d, 0x11};  // 2.5.29.17
  return kOid;
}

// The template-fixed extensions of every template, encoded once per process.
const std::vector<Planned>& TemplateExtensions(const TemplateDefinition& tmpl) {
  static const std::map<const TemplateDefinition*, std::vector<Planned>> kCache = [] {
    std::map<const TemplateDefinition*, std::vector<Planned>> cache;
    for (const TemplateDefinition& t : AllTemplates()) {
      Result<std::vector<x509::X509ExtensionPtr>> exts = BuildTemplateExtensions(t);
      OPENPCA_CHECK(exts.ok());
      std::vector<Planned>& out = cache[&t];
      for (const auto& e : *exts) {
        Result<Planned> p = Encode(*e);
        OPENPCA_CHECK(p.ok());
        out.push_back(std::move(*p));
      }
    }
    return cache;
  }();
  auto it = kCache.find(&tmpl);
  OPENPCA_CHECK(it != kCache.end());
  return it->second;
}

// ExtensionPlan over DER: the first source to supply an OID wins (templates.md §2).
class DerExtensionPlan {
 public:
  bool Has(std::span<const uint8_t> oid) const { return Find(oid) != nullptr; }
  void Offer(Planned p) {
    if (Find(p.oid) == nullptr) planned_.push_back(std::move(p));
  }
  void Override(Planned p) {
    if (Planned* existing = Find(p.oid); existing != nullptr) {
      *existing = std::move(p);
    } else {
      planned_.push_back(std::move(p));
    }
  }
  const std::vector<Planned>& planned() const { return planned_; }

 private:
  Planned* Find(std::span<const uint8_t> oid) const {
    for (const Planned& p : planned_) {
      if (p.oid.size() == oid.size() && std::equal(oid.begin(), oid.end(), p.oid.begin())) {
        return const_cast<Planned*>(&p);
      }
    }
    return nullptr;
  }

  std::vector<Planned> planned_;
};

class DirectPrepared final : public PreparedCertificate {
 public:
  DirectPrepared(const TemplateDefinition& tmpl, const IssuerContext& issuer,
                 x509::ParsedCsr csr)
      : tmpl_(tmpl), issuer_(issuer), csr_(std::move(csr)) {}

  Status Prepare(const CertificateInput& input);
  Result<Bytes> Issue(const CertificateFinish& finish, const keys::Signer& signer) && override;

 private:
  std::span<const uint8_t> subject() const {
    return api_subject_.empty() ? csr_.subject() : std::span<const uint8_t>(api_subject_);
  }

  const TemplateDefinition& tmpl_;
  const IssuerContext& issuer_;
  x509::ParsedCsr csr_;
  Bytes api_subject_;  // ApiPassthrough.Subject's Name DER, when it replaces the CSR's
  DerExtensionPlan plan_;
};

Status DirectPrepared::Prepare(const CertificateInput& input) {
  ASSIGN_OR_RETURN(x509::EvpPkeyPtr key, x509::DecodeCsrPublicKey(csr_));
  RETURN_IF_ERROR(x509::VerifyParsedCsr(csr_, *key));
  if (tmpl_.root && csr_.public_key_der() != issuer_.signer->public_key_der()) {
    return Status(ErrorCode::kInvalidArgs,
                  "A root CA certificate must be issued for the certificate authority's own CSR.");
  }

  const nlohmann::json* api = input.api_passthrough;
  size_t subject_entries = csr_.subject_entry_count();
  if (api != nullptr) {
    if (auto s = api->find("Subject"); s != api->end() && s->is_object()) {
      ASSIGN_OR_RETURN(auto attrs, SubjectAttributes(*s));
      if (!attrs.empty()) {
        ASSIGN_OR_RETURN(x509::X509NamePtr name, x509::BuildName(attrs));
        ASSIGN_OR_RETURN(api_subject_, x509::NameDer(*name));
        subject_entries = static_cast<size_t>(X509_NAME_entry_count(name.get()));
      }
    }
  }

  // Template extensions, then SKI and AKI, then ApiPassthrough, then the CSR's.
  for (const Planned& p : TemplateExtensions(tmpl_)) plan_.Offer(p);
  plan_.Offer(Planned{SkiOid(), x509::SubjectKeyIdentifierExtensionDer(x509::CsrKeyIdentifier(csr_))});
  if (!tmpl_.root) plan_.Offer(Planned{AkiOid(), issuer_.aki_extension_der});
  if (api != nullptr) {
    if (auto e = api->find("Extensions"); e != api->end() && e->is_object()) {
      ASSIGN_OR_RETURN(auto exts, BuildApiExtensions(*e));
      for (const auto& ext : exts) {
        ASSIGN_OR_RETURN(Planned p, Encode(*ext));
        plan_.Offer(std::move(p));
      }
    }
  }
  for (const x509::CsrExtension& ext : csr_.extensions()) {
    if (ext.oid == SkiOid() || ext.oid == AkiOid()) continue;
    if (ext.oid != SanOid() && !tmpl_.takes_csr()) continue;
    plan_.Offer(Planned{ext.oid, ext.der});
  }
  if (subject_entries == 0 && !plan_.Has(SanOid())) {
    return Status(ErrorCode::kMalformedCsr,
                  "The CSR must contain a subject or a subject alternative name.");
  }
  return Status::Ok();
}

Result<Bytes> DirectPrepared::Issue(const CertificateFinish& finish,
                                    const keys::Signer& signer) && {
  if (!finish.crl_url.empty()) {
    ASSIGN_OR_RETURN(auto cdp, x509::CrlDistributionPointExt(finish.crl_url));
    ASSIGN_OR_RETURN(Planned p, Encode(*cdp));
    plan_.Offer(std::move(p));
  }
  if (!finish.ocsp_url.empty()) {
    ASSIGN_OR_RETURN(auto aia, x509::AuthorityInfoAccessExt(finish.ocsp_url,
                                                            finish.ca_issuers_url));
    ASSIGN_OR_RETURN(Planned p, Encode(*aia));
    plan_.Override(std::move(p));
  }
  Bytes root_signature_and_issuer;
  x509::TbsCertificateParts parts;
  parts.serial = finish.serial;
  if (tmpl_.root) {
    // A root names itself: its issuer is the subject just resolved.
    std::span<const uint8_t> alg = x509::SignatureAlgorithmDer(finish.alg);
    root_signature_and_issuer.assign(alg.begin(), alg.end());
    root_signature_and_issuer.insert(root_signature_and_issuer.end(), subject().begin(),
                                     subject().end());
    parts.signature_and_issuer = root_signature_and_issuer;
  } else {
    parts.signature_and_issuer = issuer_.SignatureAndIssuer(finish.alg);
  }
  parts.not_before_s = ToUnixSeconds(finish.not_before);
  parts.not_after_s = ToUnixSeconds(finish.not_after);
  parts.subject = subject();
  parts.spki = csr_.public_key_der();
  parts.extensions.reserve(plan_.planned().size());
  for (const Planned& p : plan_.planned()) parts.extensions.push_back(p.der);
  ASSIGN_OR_RETURN(Bytes tbs, x509::EncodeTbsCertificate(parts));
  return x509::SignTbsCertificate(tbs, signer, finish.alg);
}

}  // namespace

Result<std::unique_ptr<PreparedCertificate>> PrepareDirect(const CertificateInput& input) {
  ASSIGN_OR_RETURN(x509::ParsedCsr csr, x509::ParsedCsr::Parse(input.csr));
  auto prepared = std::make_unique<DirectPrepared>(*input.tmpl, *input.issuer, std::move(csr));
  RETURN_IF_ERROR(prepared->Prepare(input));
  return std::unique_ptr<PreparedCertificate>(std::move(prepared));
}

}  // namespace openpca::authority

// The reference certificate builder (CertificateBuilder::kOpenSsl): OpenSSL objects all the way,
// as issuance worked before the direct encoder. Kept so that tests can compare the two.
#include "authority/certificate_builder_impl.h"
#include "authority/extension_plan.h"
#include "authority/wire_structs.h"
#include "x509/certificate.h"
#include "x509/csr.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/name.h"

namespace openpca::authority {
namespace {

class OpenSslPrepared final : public PreparedCertificate {
 public:
  OpenSslPrepared(const TemplateDefinition& tmpl, const IssuerContext& issuer)
      : tmpl_(tmpl), issuer_(issuer), plan_(tmpl) {}

  Status Prepare(const CertificateInput& input);
  Result<Bytes> Issue(const CertificateFinish& finish, const keys::Signer& signer) && override;

 private:
  const TemplateDefinition& tmpl_;
  const IssuerContext& issuer_;
  x509::X509ReqPtr csr_;
  x509::X509NamePtr api_subject_;
  const X509_NAME* subject_ = nullptr;
  const X509_PUBKEY* subject_key_ = nullptr;
  ExtensionPlan plan_;
};

Status OpenSslPrepared::Prepare(const CertificateInput& input) {
  ASSIGN_OR_RETURN(csr_, x509::ParseCsr(input.csr));
  RETURN_IF_ERROR(x509::VerifyCsr(*csr_));
  // The CSR's SubjectPublicKeyInfo is used as parsed: re-encoding the key through OpenSSL 3.0's
  // encoders was most of the cost of issuance.
  subject_key_ = X509_REQ_get_X509_PUBKEY(csr_.get());
  if (subject_key_ == nullptr) {
    return Status(ErrorCode::kMalformedCsr, "The CSR has no public key.");
  }
  ASSIGN_OR_RETURN(Bytes subject_spki, x509::PublicKeyDer(*subject_key_));
  ASSIGN_OR_RETURN(Bytes subject_key_id, x509::KeyIdentifierFromPubkey(*subject_key_));
  if (tmpl_.root && subject_spki != issuer_.signer->public_key_der()) {
    return Status(ErrorCode::kInvalidArgs,
                  "A root CA certificate must be issued for the certificate authority's own CSR.");
  }

  const nlohmann::json* api = input.api_passthrough;
  subject_ = X509_REQ_get_subject_name(csr_.get());
  if (api != nullptr) {
    if (auto s = api->find("Subject"); s != api->end() && s->is_object()) {
      ASSIGN_OR_RETURN(auto attrs, SubjectAttributes(*s));
      if (!attrs.empty()) {
        ASSIGN_OR_RETURN(api_subject_, x509::BuildName(attrs));
        subject_ = api_subject_.get();
      }
    }
  }

  RETURN_IF_ERROR(plan_.AddTemplateExtensions());
  RETURN_IF_ERROR(plan_.AddKeyIdentifiers(
      subject_key_id, tmpl_.root ? nullptr : &issuer_.subject_key_id));
  if (api != nullptr) {
    if (auto e = api->find("Extensions"); e != api->end() && e->is_object()) {
      RETURN_IF_ERROR(plan_.AddApiExtensions(*e));
    }
  }
  RETURN_IF_ERROR(plan_.AddCsrExtensions(*csr_));
  if (X509_NAME_entry_count(subject_) == 0 && !plan_.Has("2.5.29.17")) {
    return Status(ErrorCode::kMalformedCsr,
                  "The CSR must contain a subject or a subject alternative name.");
  }
  return Status::Ok();
}

Result<Bytes> OpenSslPrepared::Issue(const CertificateFinish& finish,
                                     const keys::Signer& signer) && {
  if (!finish.crl_url.empty()) {
    ASSIGN_OR_RETURN(auto cdp, x509::CrlDistributionPointExt(finish.crl_url));
    plan_.AddIfAbsent(std::move(cdp));
  }
  if (!finish.ocsp_url.empty()) {
    ASSIGN_OR_RETURN(auto aia, x509::AuthorityInfoAccessExt(finish.ocsp_url,
                                                            finish.ca_issuers_url));
    plan_.Override(std::move(aia));
  }
  x509::CertificateContent content;
  content.serial = finish.serial;
  content.issuer = tmpl_.root ? subject_ : X509_get_subject_name(issuer_.certificate.get());
  content.subject = subject_;
  content.subject_key = subject_key_;
  content.not_before = finish.not_before;
  content.not_after = finish.not_after;
  content.extensions = plan_.Take();
  return x509::BuildSignedCertificate(content, signer, finish.alg);
}

}  // namespace

Result<std::unique_ptr<PreparedCertificate>> PrepareWithOpenSsl(const CertificateInput& input) {
  auto prepared = std::make_unique<OpenSslPrepared>(*input.tmpl, *input.issuer);
  RETURN_IF_ERROR(prepared->Prepare(input));
  return std::unique_ptr<PreparedCertificate>(std::move(prepared));
}

}  // namespace openpca::authority

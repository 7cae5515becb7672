// The CA's own certificate: import (with its chain) and retrieval; the issuer-context cache.
#include <set>

#include "authority/authority.h"
#include "authority/issuer_context.h"
#include "x509/chain.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/pem.h"

namespace openpca::authority {
namespace {

// Extensions that may be critical in an imported CA certificate (AWS's list).
const std::set<std::string>& AllowedCriticalExtensions() {
  static const std::set<std::string> kAllowed = {
      "2.5.29.35",  // authority key identifier
      "2.5.29.19",  // basic constraints
      "2.5.29.32",  // certificate policies
      "2.5.29.37",  // extended key usage
      "2.5.29.54",  // inhibit anyPolicy
      "2.5.29.18",  // issuer alternative name
      "2.5.29.15",  // key usage
      "2.5.29.30",  // name constraints
      "2.5.29.33",  // policy mappings
      "2.5.29.17",  // subject alternative name
      "2.5.29.9",   // subject directory attributes
      "2.5.29.14",  // subject key identifier
      "1.3.6.1.5.5.7.1.11",  // subject information access
  };
  return kAllowed;
}

Status CheckCaCertificateShape(const X509& cert, const char* what) {
  x509::BasicConstraintsInfo bc = x509::GetBasicConstraints(cert);
  if (!bc.present || !bc.critical || !bc.ca) {
    return Status(ErrorCode::kMalformedCertificate,
                  std::string(what) +
                      " must have a critical basic constraints extension with CA:TRUE.");
  }
  int n = X509_get_ext_count(&cert);
  for (int i = 0; i < n; ++i) {
    X509_EXTENSION* ext = X509_get_ext(&cert, i);
    if (X509_EXTENSION_get_critical(ext) != 1) continue;
    std::string oid = x509::ExtensionOid(*ext);
    if (AllowedCriticalExtensions().count(oid) == 0) {
      return Status(ErrorCode::kMalformedCertificate,
                    std::string(what) + " has the extension " + oid +
                        " marked critical, which is not allowed.");
    }
  }
  return Status::Ok();
}

Result<std::vector<x509::X509Ptr>> ParseBundle(std::span<const uint8_t> pem, const char* what) {
  auto ders = x509::CertificateBundlePemToDer(AsStringView(pem));
  if (!ders.ok()) {
    return Status(ErrorCode::kMalformedCertificate, std::string(what) + " is not valid PEM.");
  }
  std::vector<x509::X509Ptr> out;
  for (const auto& der : *ders) {
    auto cert = x509::ParseCertificateDer(der);
    if (!cert.ok()) {
      return Status(ErrorCode::kMalformedCertificate,
                    std::string(what) + " contains a certificate that cannot be parsed.");
    }
    out.push_back(std::move(cert).value());
  }
  return out;
}

}  // namespace

Status Authority::ImportCertificateAuthorityCertificate(const Caller& caller,
                                                        const ImportRequest& req) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, req.ca_arn));
  if (ca.status != "PENDING_CERTIFICATE" && ca.status != "ACTIVE" && ca.status != "EXPIRED") {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + req.ca_arn +
                                                " is in the " + ca.status +
                                                " state and cannot import a certificate.");
  }
  ASSIGN_OR_RETURN(auto certs, ParseBundle(req.certificate, "The certificate"));
  if (certs.size() != 1) {
    return Status(ErrorCode::kMalformedCertificate,
                  "The certificate must contain exactly one PEM certificate.");
  }
  const X509& cert = *certs.front();
  RETURN_IF_ERROR(CheckCaCertificateShape(cert, "The CA certificate"));

  // The certificate must carry this CA's own public key.
  ASSIGN_OR_RETURN(auto signer, keys_.Load(ca.key_id));
  ASSIGN_OR_RETURN(Bytes cert_key, x509::PublicKeyDer(cert));
  if (cert_key != signer->public_key_der()) {
    return Status(ErrorCode::kCertificateMismatch,
                  "The certificate's public key does not match the certificate authority's key.");
  }

  const bool self_signed = x509::IsSelfSigned(cert);
  std::string chain_pem;
  if (ca.type == "ROOT") {
    if (!self_signed) {
      return Status(ErrorCode::kInvalidRequest,
                    "Only a self-signed certificate can be imported for a ROOT certificate "
                    "authority.");
    }
    if (req.chain.has_value() && !req.chain->empty()) {
      return Status(ErrorCode::kInvalidRequest,
                    "A certificate chain cannot be imported for a ROOT certificate authority.");
    }
  } else {
    if (self_signed) {
      return Status(ErrorCode::kInvalidRequest,
                    "A self-signed certificate cannot be imported for a SUBORDINATE certificate "
                    "authority.");
    }
    if (!req.chain.has_value() || req.chain->empty()) {
      return Status(ErrorCode::kInvalidRequest,
                    "A certificate chain is required for a SUBORDINATE certificate authority.");
    }
    ASSIGN_OR_RETURN(auto chain, ParseBundle(*req.chain, "The certificate chain"));
    if (chain.empty()) {
      return Status(ErrorCode::kMalformedCertificate, "The certificate chain is empty.");
    }
    if (chain.size() > 4) {
      return Status(ErrorCode::kInvalidRequest,
                    "A certificate authority hierarchy can have at most five levels.");
    }
    for (const auto& c : chain) {
      RETURN_IF_ERROR(CheckCaCertificateShape(*c, "A certificate in the chain"));
    }
    RETURN_IF_ERROR(x509::VerifyChain(cert, chain, clock_.Now()));
    for (const auto& c : chain) {
      ASSIGN_OR_RETURN(Bytes der, x509::CertificateDer(*c));
      chain_pem += x509::CertificateDerToPem(der);
    }
  }

  ASSIGN_OR_RETURN(Bytes der, x509::CertificateDer(cert));
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  const std::string before = ca.status;
  ca.certificate_der = der;
  ca.chain_pem = chain_pem;
  ca.serial_hex = x509::SerialHex(cert);
  ca.not_before_s = ToUnixSeconds(x509::NotBefore(cert));
  ca.not_after_s = ToUnixSeconds(x509::NotAfter(cert));
  // PENDING_CERTIFICATE and EXPIRED become ACTIVE; ACTIVE stays ACTIVE.
  ca.status = "ACTIVE";
  if (before != ca.status) ca.last_state_change_at_ms = now_ms;
  Status st = store_.UpdateCa(ca);
  ForgetIssuer(ca.id);
  if (st.ok()) NotifyChange(CaChange{ca.id, std::nullopt});
  return st;
}

Result<CertificateAndChain> Authority::GetCertificateAuthorityCertificate(
    const Caller& caller, const std::string& ca_arn) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  if (ca.certificate_der.empty() || ca.status == "DELETED" || ca.status == "FAILED") {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + ca_arn +
                                                " has no certificate in the " + ca.status +
                                                " state.");
  }
  return CertificateAndChain{x509::CertificateDerToPem(ca.certificate_der), ca.chain_pem};
}

Result<std::shared_ptr<const IssuerContext>> Authority::Issuer(const store::CaRecord& ca) {
  {
    std::lock_guard<std::mutex> lock(issuers_mu_);
    auto it = issuers_.find(ca.id);
    if (it != issuers_.end() && it->second->version == ca.version) return it->second;
  }
  auto ctx = std::make_shared<IssuerContext>();
  ctx->ca_id = ca.id;
  ctx->ca_arn = ca.arn;
  ctx->version = ca.version;
  ctx->type = ca.type;
  ctx->usage_mode = ca.usage_mode;
  ASSIGN_OR_RETURN(ctx->signer, keys_.Load(ca.key_id));
  if (!ca.revocation_json.empty()) {
    ctx->revocation = nlohmann::json::parse(ca.revocation_json, nullptr, false);
    if (ctx->revocation.is_discarded()) ctx->revocation = nlohmann::json::object();
  }
  if (!ca.certificate_der.empty()) {
    ASSIGN_OR_RETURN(ctx->certificate, x509::ParseCertificateDer(ca.certificate_der));
    ASSIGN_OR_RETURN(ctx->subject_key_id, x509::SubjectKeyId(*ctx->certificate));
    ctx->path_len = x509::GetBasicConstraints(*ctx->certificate).path_len;
    ctx->not_after = x509::NotAfter(*ctx->certificate);
    auto chain = x509::CertificateBundlePemToDer(ca.chain_pem);
    ctx->depth = 1 + (chain.ok() ? static_cast<int>(chain->size()) : 0);
    ctx->issued_chain_pem = x509::CertificateDerToPem(ca.certificate_der) + ca.chain_pem;
    RETURN_IF_ERROR(ctx->PrepareEncodings());
  }
  std::shared_ptr<const IssuerContext> shared = std::move(ctx);
  std::lock_guard<std::mutex> lock(issuers_mu_);
  issuers_[ca.id] = shared;
  return shared;
}

void Authority::ForgetIssuer(const std::string& ca_id) {
  std::lock_guard<std::mutex> lock(issuers_mu_);
  issuers_.erase(ca_id);
}

}  // namespace openpca::authority

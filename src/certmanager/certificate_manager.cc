// RequestCertificate, ImportCertificate, export, tags, deletion and account configuration.
// Managed renewal is in renewal.cc.
#include "certmanager/certificate_manager.h"

#include <algorithm>
#include <set>

#include "certmanager/domain_names.h"
#include "common/arn.h"
#include "x509/cert_facts.h"
#include "x509/csr.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/name.h"
#include "x509/pem.h"

namespace openpca::certmanager {
namespace {

using json = nlohmann::json;
using store::AcmCertificateRecord;

constexpr int64_t kDay = 86400;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxCommonNameOctets = 64;
constexpr char kEndEntityTemplate[] = "EndEntityCertificate";

std::optional<KeyAlgorithm> RequestableKeyAlgorithm(const std::string& name) {
  if (name == "RSA_2048") return KeyAlgorithm::kRsa2048;
  if (name == "EC_prime256v1") return KeyAlgorithm::kEcP256;
  if (name == "EC_secp384r1") return KeyAlgorithm::kEcP384;
  return std::nullopt;
}

std::string ModelKeyAlgorithm(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kRsa2048:
      return "RSA_2048";
    case KeyAlgorithm::kRsa3072:
      return "RSA_3072";
    case KeyAlgorithm::kRsa4096:
      return "RSA_4096";
    case KeyAlgorithm::kEcP256:
      return "EC_prime256v1";
    case KeyAlgorithm::kEcP384:
      return "EC_secp384r1";
    case KeyAlgorithm::kEcP521:
      return "EC_secp521r1";
    case KeyAlgorithm::kSm2:
      return "SM2";
  }
  return "";
}

// The signature of the CSR ACM sends the CA (the CA signs with its own algorithm).
SigningAlgorithm CsrSigningAlgorithm(KeyAlgorithm a) {
  return FamilyOf(a) == KeyFamily::kRsa ? SigningAlgorithm::kSha256WithRsa
                                        : SigningAlgorithm::kSha256WithEcdsa;
}

Status CheckTags(const std::vector<store::Tag>& tags) {
  for (const store::Tag& t : tags) {
    if (t.key.rfind("aws:", 0) == 0) {
      return Status(ErrorCode::kInvalidTag,
                    "Tag key '" + t.key + "' is invalid: the prefix aws: is reserved.");
    }
    if (t.key.empty() || t.key.size() > 128 || (t.value && t.value->size() > 256)) {
      return Status(ErrorCode::kInvalidTag, "Tag key or value has an invalid length.");
    }
  }
  return Status::Ok();
}

// Tags after adding `added` (a key given again replaces its value). Errors: kTooManyTags.
Result<std::vector<store::Tag>> Merged(std::vector<store::Tag> tags,
                                       const std::vector<store::Tag>& added) {
  for (const store::Tag& t : added) {
    auto it = std::find_if(tags.begin(), tags.end(),
                           [&](const store::Tag& o) { return o.key == t.key; });
    if (it != tags.end()) {
      it->value = t.value;
    } else {
      tags.push_back(t);
    }
  }
  if (tags.size() > kMaxTags) {
    return Status(ErrorCode::kTooManyTags,
                  "the certificate would have more than 50 tags");
  }
  return tags;
}

std::string NewCertificateArn(const std::string& region, const std::string& account,
                              Random& random) {
  return "arn:" + std::string(PartitionOfRegion(region)) + ":acm:" + region + ":" + account +
         ":certificate/" + NewUuidV4(random);
}

Status NotFound(const std::string& arn) {
  return Status(ErrorCode::kResourceNotFound,
                "Could not find certificate " + arn + ".");
}

}  // namespace

std::string EffectiveStatus(const AcmCertificateRecord& cert, int64_t now_s) {
  if (cert.status == "ISSUED" && cert.not_after_s.has_value() && *cert.not_after_s <= now_s) {
    return "EXPIRED";
  }
  return cert.status;
}

bool RenewalEligible(const AcmCertificateRecord& cert, int64_t now_s) {
  return cert.type == "PRIVATE" && EffectiveStatus(cert, now_s) == "ISSUED" &&
         (cert.exported || !cert.in_use_by.empty());
}

std::optional<int64_t> DaysToExpiry(const AcmCertificateRecord& cert, int64_t now_s) {
  if (!cert.not_after_s.has_value() || *cert.not_after_s <= now_s) return std::nullopt;
  return (*cert.not_after_s - now_s) / kDay;
}

std::string PcaFailureReason(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArn:
      return "PCA_INVALID_ARN";
    case ErrorCode::kResourceNotFound:
      return "PCA_RESOURCE_NOT_FOUND";
    case ErrorCode::kInvalidState:
      return "PCA_INVALID_STATE";
    case ErrorCode::kLimitExceeded:
      return "PCA_LIMIT_EXCEEDED";
    case ErrorCode::kInvalidArgs:
    case ErrorCode::kMalformedCsr:
      return "PCA_INVALID_ARGS";
    case ErrorCode::kValidation:
      return "PCA_INVALID_DURATION";
    case ErrorCode::kAccessDenied:
      return "PCA_ACCESS_DENIED";
    case ErrorCode::kRequestFailed:
      return "PCA_REQUEST_FAILED";
    default:
      return "OTHER";
  }
}

CertificateManager::CertificateManager(store::AcmStore& store, store::SharingStore& sharing,
                                       authority::Authority& authority,
                                       keys::ExportableKeys& keys, const Clock& clock,
                                       Random& random, events::EventSink& sink,
                                       ManagerOptions options)
    : store_(store),
      sharing_(sharing),
      authority_(authority),
      keys_(keys),
      clock_(clock),
      random_(random),
      sink_(sink),
      options_(std::move(options)) {}

Result<CertificateManager::Issued> CertificateManager::IssueFor(
    const AcmCertificateRecord& cert,
    const std::function<Status(const std::string&)>* may_issue) {
  authority::Caller caller{cert.account_id, cert.region};
  ASSIGN_OR_RETURN(store::CaRecord ca, authority_.DescribeCertificateAuthority(caller, cert.ca_arn));
  if (may_issue != nullptr && *may_issue) RETURN_IF_ERROR((*may_issue)(cert.ca_arn));
  if (ca.usage_mode == "SHORT_LIVED_CERTIFICATE") {
    return Status(ErrorCode::kInvalidArgs,
                  "A short-lived certificate authority cannot issue ACM certificates.");
  }
  json config = json::parse(ca.configuration_json, nullptr, false);
  std::string ca_key = config.is_object() ? config.value("KeyAlgorithm", "") : "";
  std::string ca_signing = config.is_object() ? config.value("SigningAlgorithm", "") : "";
  auto key_alg = RequestableKeyAlgorithm(cert.key_algorithm);
  auto ca_alg = ParseKeyAlgorithm(ca_key);
  if (!key_alg || !ca_alg || FamilyOf(*key_alg) != FamilyOf(*ca_alg)) {
    return Status(ErrorCode::kInvalidArgs,
                  "The key algorithm " + cert.key_algorithm +
                      " does not match the certificate authority's key family.");
  }

  // The key pair: generated and sealed by the key store; only its Signer sees the private key,
  // for the CSR.
  ASSIGN_OR_RETURN(keys::SealedKeyPair key, keys_.Generate(*key_alg, cert.arn));
  std::vector<x509::NameAttribute> subject;
  if (cert.domain_name.size() <= kMaxCommonNameOctets) {
    subject.push_back({"2.5.4.3", cert.domain_name});
  }
  ASSIGN_OR_RETURN(x509::X509NamePtr name, x509::BuildName(subject));
  std::vector<x509::GeneralNameSpec> names;
  for (const std::string& dns : cert.sans) {
    x509::GeneralNameSpec gn;
    gn.kind = x509::GeneralNameSpec::Kind::kDnsName;
    gn.value = dns;
    names.push_back(std::move(gn));
  }
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr san, x509::SubjectAltNameExt(names));
  x509::X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
  if (exts == nullptr || sk_X509_EXTENSION_push(exts.get(), san.get()) == 0) {
    return InternalError("cannot build the CSR extensions");
  }
  san.release();  // owned by the stack now
  ASSIGN_OR_RETURN(Bytes csr, x509::BuildCaCsr(*name, *key.signer,
                                               CsrSigningAlgorithm(*key_alg), exts.get()));

  authority::IssueRequest req;
  req.ca_arn = cert.ca_arn;
  req.csr = std::move(csr);
  req.signing_algorithm = ca_signing;
  req.template_arn = MakeTemplateArn(ca.arn, std::string(kEndEntityTemplate) + "/V1");
  req.validity = authority::ValiditySpec{"DAYS", options_.validity_days};
  req.requested_by_service_principal = "acm.amazonaws.com";  // shown in audit reports
  ASSIGN_OR_RETURN(std::string pca_arn, authority_.IssueCertificate(caller, req));
  ASSIGN_OR_RETURN(authority::CertificateAndChain issued,
                   authority_.GetCertificate(caller, cert.ca_arn, pca_arn));
  ASSIGN_OR_RETURN(Bytes der, x509::CertificatePemToDer(issued.certificate_pem));
  ASSIGN_OR_RETURN(x509::X509Ptr parsed, x509::ParseCertificateDer(der));

  Issued out;
  out.pca_certificate_arn = std::move(pca_arn);
  out.certificate_der = std::move(der);
  out.chain_pem = std::move(issued.chain_pem);
  out.sealed_key = std::move(key.sealed_private_key);
  out.not_before_s = ToUnixSeconds(x509::NotBefore(*parsed));
  out.not_after_s = ToUnixSeconds(x509::NotAfter(*parsed));
  out.serial_hex = x509::SerialHex(*parsed);
  return out;
}

Result<std::string> CertificateManager::Request(const Requester& who, const RequestSpec& spec) {
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  const std::string region = RegionOf(who);

  // Validate everything before anything is stored.
  if (spec.ca_arn.empty()) {
    return Status(ErrorCode::kInvalidParameter,
                  "openpca issues private certificates only: CertificateAuthorityArn is "
                  "required.");
  }
  if (!ParseCaArn(spec.ca_arn).has_value()) {
    return Status(ErrorCode::kInvalidArn, "The ARN " + spec.ca_arn + " is not valid.");
  }
  if (!RequestableKeyAlgorithm(spec.key_algorithm)) {
    return Status(ErrorCode::kInvalidParameter,
                  "The key algorithm " + spec.key_algorithm +
                      " is not supported for requested certificates (RSA_2048, EC_prime256v1, "
                      "EC_secp384r1).");
  }
  RETURN_IF_ERROR(CheckDomainName(spec.domain_name));
  std::vector<std::string> sans{spec.domain_name};
  for (const std::string& n : spec.sans) {
    RETURN_IF_ERROR(CheckDomainName(n));
    if (std::find(sans.begin(), sans.end(), n) == sans.end()) sans.push_back(n);
  }
  if (sans.size() > options_.max_domain_names) {
    return Status(ErrorCode::kLimitExceeded,
                  "The certificate would have " + std::to_string(sans.size()) +
                      " domain names; the limit is " +
                      std::to_string(options_.max_domain_names) + ".");
  }
  for (const auto& [domain, validation_domain] : spec.domain_validation_options) {
    if (std::find(sans.begin(), sans.end(), domain) == sans.end()) {
      return Status(ErrorCode::kInvalidParameterCombination,
                    "DomainValidationOptions names " + domain +
                        ", which is not a domain name of the request.");
    }
  }
  if (spec.tags.size() > kMaxTags) {
    return Status(ErrorCode::kTooManyTags, "A certificate can have at most 50 tags.");
  }
  RETURN_IF_ERROR(CheckTags(spec.tags));

  std::optional<store::IdempotencyClaim> claim;
  std::string scope;
  if (spec.idempotency_token.has_value()) {
    scope = "RequestCertificate|" + who.account_id + "|" + region + "|" + *spec.idempotency_token;
    ASSIGN_OR_RETURN(auto existing, store_.FindIdempotencyClaim(scope, now_ms));
    if (existing.has_value()) return existing->result;
  }

  AcmCertificateRecord cert;
  cert.arn = NewCertificateArn(region, who.account_id, random_);
  cert.account_id = who.account_id;
  cert.region = region;
  cert.type = "PRIVATE";
  cert.status = "PENDING_VALIDATION";
  cert.domain_name = spec.domain_name;
  cert.sans = std::move(sans);
  cert.key_algorithm = spec.key_algorithm;
  cert.ca_arn = spec.ca_arn;
  cert.created_at_ms = now_ms;
  cert.export_option = spec.export_option;
  cert.ct_logging = spec.ct_logging;
  cert.tags = spec.tags;

  // A private certificate needs no validation: it is issued (or fails) at once, and is stored
  // with its outcome.
  Result<Issued> issued = IssueFor(cert, &who.may_issue);
  if (issued.ok()) {
    cert.status = "ISSUED";
    cert.pca_certificate_arn = issued->pca_certificate_arn;
    cert.certificate_der = std::move(issued->certificate_der);
    cert.chain_pem = std::move(issued->chain_pem);
    cert.sealed_key = std::move(issued->sealed_key);
    cert.not_before_s = issued->not_before_s;
    cert.not_after_s = issued->not_after_s;
    cert.serial_hex = issued->serial_hex;
    cert.issued_at_ms = ToUnixMillis(clock_.Now());
  } else if (issued.status().code() == ErrorCode::kInternal) {
    return issued.status();
  } else {
    cert.status = "FAILED";
    cert.failure_reason = PcaFailureReason(issued.status());
  }
  if (!scope.empty()) {
    claim = store::IdempotencyClaim{scope, cert.arn, now_ms + options_.idempotency_window_ms};
  }
  Status st = store_.InsertCertificate(cert, claim);
  if (st.code() == ErrorCode::kAlreadyExists && claim.has_value()) {
    // A concurrent request with the same token won: answer with its certificate.
    ASSIGN_OR_RETURN(auto existing, store_.FindIdempotencyClaim(scope, now_ms));
    if (existing.has_value()) return existing->result;
  }
  RETURN_IF_ERROR(st);
  if (cert.status == "ISSUED") {
    Publish(cert, "ACM Certificate Available",
            json{{"Action", "ISSUANCE"},
                 {"CertificateType", "PRIVATE"},
                 {"CommonName", cert.domain_name},
                 {"DomainValidationMethod", ""},
                 {"CertificateCreatedDate", IsoTime(cert.created_at_ms)},
                 {"CertificateExpirationDate", IsoTime(*cert.not_after_s * 1000)},
                 {"DaysToExpiry", DaysToExpiry(cert, now_ms / 1000).value_or(0)},
                 {"InUse", false},
                 {"Exported", false}});
  }
  return cert.arn;
}

Result<AcmCertificateRecord> CertificateManager::Load(const Requester& who,
                                                      const std::string& arn) {
  if (!IsAcmCertificateArn(arn)) {
    return Status(ErrorCode::kInvalidArn, "The ARN " + arn + " is not a certificate ARN.");
  }
  Result<AcmCertificateRecord> cert = store_.GetCertificate(arn);
  if (!cert.ok()) {
    if (cert.status().code() == ErrorCode::kResourceNotFound) return NotFound(arn);
    return cert.status();
  }
  if (cert->account_id != who.account_id || cert->region != RegionOf(who)) return NotFound(arn);
  return cert;
}

Result<CertificateAndChain> CertificateManager::GetCertificate(const Requester& who,
                                                               const std::string& arn) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  if (cert.certificate_der.empty()) {
    return Status(ErrorCode::kRequestInProgress,
                  "Certificate " + arn + " is not yet issued (status " + cert.status + ").");
  }
  return CertificateAndChain{x509::CertificateDerToPem(cert.certificate_der), cert.chain_pem};
}

Result<ExportedCertificate> CertificateManager::Export(const Requester& who,
                                                       const std::string& arn,
                                                       std::span<const uint8_t> passphrase) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  const int64_t now_s = ToUnixSeconds(clock_.Now());
  if (cert.type != "PRIVATE") {
    return Status(ErrorCode::kValidation,
                  "Certificate ARN: " + arn + " is not a private certificate.");
  }
  if (cert.status == "PENDING_VALIDATION") {
    return Status(ErrorCode::kRequestInProgress, "Certificate " + arn + " is not yet issued.");
  }
  if (EffectiveStatus(cert, now_s) != "ISSUED" || cert.sealed_key.empty()) {
    return Status(ErrorCode::kValidation, "Certificate " + arn + " is in the " +
                                              EffectiveStatus(cert, now_s) +
                                              " state and cannot be exported.");
  }
  if (cert.export_option == "DISABLED") {
    return Status(ErrorCode::kValidation,
                  "Certificate " + arn + " was requested with export disabled.");
  }
  if (passphrase.size() < 4 || passphrase.size() > 128) {
    return Status(ErrorCode::kValidation,
                  "1 validation error detected: Value at 'passphrase' failed to satisfy "
                  "constraint: Member must have length between 4 and 128");
  }
  ExportedCertificate out;
  ASSIGN_OR_RETURN(out.private_key_pem,
                   keys_.ExportEncryptedPem(cert.sealed_key, cert.arn, passphrase));
  out.certificate_pem = x509::CertificateDerToPem(cert.certificate_der);
  out.chain_pem = cert.chain_pem;
  // Exported since issued: eligible for managed renewal, due 60 days before expiry.
  RETURN_IF_ERROR(UpdateWithRetry(arn, [&](AcmCertificateRecord& c) -> Status {
    if (c.serial_hex != cert.serial_hex) {
      // Renewed meanwhile: what we export is no longer current; the caller exports again.
      return Status(ErrorCode::kRequestInProgress, "Certificate " + arn + " is being renewed.");
    }
    c.exported = true;
    if (!c.next_renewal_s.has_value() && c.renewal_status != "PENDING_AUTO_RENEWAL" &&
        c.not_after_s.has_value()) {
      c.next_renewal_s = *c.not_after_s - options_.renew_before_days * kDay;
      if (c.renewal_status == "FAILED") {
        c.next_renewal_s = NextRetry(*c.not_after_s, now_s);
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<AcmCertificateRecord>> CertificateManager::List(const Requester& who) {
  return store_.ListCertificates(who.account_id, RegionOf(who));
}

Result<std::string> CertificateManager::Import(const Requester& who, const ImportSpec& spec) {
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  const int64_t now_s = now_ms / 1000;
  const std::string region = RegionOf(who);
  std::optional<AcmCertificateRecord> existing;
  if (spec.certificate_arn.has_value()) {
    ASSIGN_OR_RETURN(existing, Load(who, *spec.certificate_arn));
    if (existing->type != "IMPORTED") {
      return Status(ErrorCode::kInvalidParameter,
                    "Certificate " + existing->arn +
                        " was not imported: only imported certificates can be re-imported.");
    }
    if (!spec.tags.empty()) {
      return Status(ErrorCode::kInvalidParameter, "Tags cannot be given when re-importing.");
    }
  }
  if (spec.tags.size() > kMaxTags) {
    return Status(ErrorCode::kTooManyTags, "A certificate can have at most 50 tags.");
  }
  RETURN_IF_ERROR(CheckTags(spec.tags));

  auto bad = [](const std::string& why) { return Status(ErrorCode::kInvalidParameter, why); };
  Result<Bytes> der = x509::CertificatePemToDer(AsStringView(spec.certificate_pem));
  if (!der.ok()) return bad("The certificate is not a valid PEM certificate.");
  Result<x509::X509Ptr> parsed = x509::ParseCertificateDer(*der);
  if (!parsed.ok()) return bad("The certificate could not be parsed.");
  ASSIGN_OR_RETURN(x509::CertificateFacts facts, x509::FactsOf(**parsed));
  if (!facts.has_issuer) return bad("The certificate has no issuer.");
  if (now_s < facts.not_before_s) return bad("The certificate is not valid yet.");
  if (now_s >= facts.not_after_s) return bad("The certificate has expired.");
  if (spec.private_key_pem.size() > 5120) return bad("The private key is larger than 5120 bytes.");
  auto alg = keys::ExportableKeys::AlgorithmOf(facts.public_key_der);
  if (!alg) return bad("The certificate's key algorithm is not supported.");
  std::string chain;
  if (spec.chain_pem.has_value()) {
    Result<std::vector<Bytes>> chain_der =
        x509::CertificateBundlePemToDer(AsStringView(*spec.chain_pem));
    if (!chain_der.ok() || chain_der->empty()) return bad("The certificate chain is not valid.");
    chain = x509::CertificateBundleDerToPem(*chain_der);
  }

  AcmCertificateRecord cert;
  if (existing.has_value()) {
    cert = *existing;
  } else {
    cert.arn = NewCertificateArn(region, who.account_id, random_);
    cert.account_id = who.account_id;
    cert.region = region;
    cert.type = "IMPORTED";
    cert.created_at_ms = now_ms;
    cert.export_option = "DISABLED";
    cert.ct_logging = "DISABLED";
    cert.tags = spec.tags;
  }
  Result<Bytes> sealed = keys_.SealImported(spec.private_key_pem, facts.public_key_der, cert.arn);
  if (!sealed.ok()) {
    if (sealed.status().code() == ErrorCode::kInvalidArgs) return bad(sealed.status().message());
    return sealed.status();
  }
  cert.status = "ISSUED";
  cert.domain_name = facts.common_name.empty() && !facts.dns_names.empty() ? facts.dns_names[0]
                                                                           : facts.common_name;
  cert.sans = facts.dns_names;
  if (cert.sans.empty() && !cert.domain_name.empty()) cert.sans.push_back(cert.domain_name);
  cert.key_algorithm = ModelKeyAlgorithm(*alg);
  cert.serial_hex = x509::SerialHex(**parsed);
  cert.certificate_der = std::move(*der);
  cert.chain_pem = std::move(chain);
  cert.sealed_key = std::move(*sealed);
  cert.not_before_s = facts.not_before_s;
  cert.not_after_s = facts.not_after_s;
  cert.imported_at_ms = now_ms;
  cert.next_renewal_s.reset();
  if (existing.has_value()) {
    RETURN_IF_ERROR(store_.UpdateCertificate(cert));
  } else {
    RETURN_IF_ERROR(store_.InsertCertificate(cert, std::nullopt));
  }
  return cert.arn;
}

Status CertificateManager::Delete(const Requester& who, const std::string& arn) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  if (!cert.in_use_by.empty()) {
    return Status(ErrorCode::kDeleteConflict,
                  "Certificate " + arn + " is in use by " + cert.in_use_by.front() + ".");
  }
  // Deleting an ACM certificate leaves the CA's record of the certificate as it is.
  return store_.DeleteCertificate(arn);
}

Result<std::string> CertificateManager::Revoke(const Requester& who, const std::string& arn,
                                               const std::string& reason) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  if (cert.type != "PRIVATE" || !cert.exported) {
    return Status(ErrorCode::kValidation,
                  "Only exported private certificates can be revoked through ACM.");
  }
  if (cert.status == "REVOKED") {
    return Status(ErrorCode::kValidation, "Certificate " + arn + " is already revoked.");
  }
  std::string pca_reason = reason;
  if (reason == "CA_COMPROMISE") pca_reason = "CERTIFICATE_AUTHORITY_COMPROMISE";
  if (reason == "SUPERCEDED") pca_reason = "SUPERSEDED";
  if (reason == "CERTIFICATE_HOLD" || reason == "REMOVE_FROM_CRL") {
    return Status(ErrorCode::kValidation,
                  "The revocation reason " + reason + " is not supported by the private CA.");
  }
  RETURN_IF_ERROR(authority_.RevokeCertificate(authority::Caller{cert.account_id, cert.region},
                                               cert.ca_arn, cert.serial_hex, pca_reason));
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  RETURN_IF_ERROR(UpdateWithRetry(arn, [&](AcmCertificateRecord& c) -> Status {
    c.status = "REVOKED";
    c.revoked_at_ms = now_ms;
    c.revocation_reason = reason;
    c.next_renewal_s.reset();
    return Status::Ok();
  }));
  return arn;
}

Status CertificateManager::AddTags(const Requester& who, const std::string& arn,
                                   const std::vector<store::Tag>& tags) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  RETURN_IF_ERROR(CheckTags(tags));
  return UpdateWithRetry(arn, [&](AcmCertificateRecord& c) -> Status {
    ASSIGN_OR_RETURN(c.tags, Merged(c.tags, tags));
    return Status::Ok();
  });
}

Status CertificateManager::RemoveTags(const Requester& who, const std::string& arn,
                                      const std::vector<store::Tag>& tags) {
  ASSIGN_OR_RETURN(AcmCertificateRecord cert, Load(who, arn));
  RETURN_IF_ERROR(CheckTags(tags));
  return UpdateWithRetry(arn, [&](AcmCertificateRecord& c) -> Status {
    std::erase_if(c.tags, [&](const store::Tag& t) {
      for (const store::Tag& r : tags) {
        // A key alone removes the tag whatever its value; with a value, only on a match.
        if (r.key == t.key && (!r.value.has_value() || r.value == t.value.value_or(""))) {
          return true;
        }
      }
      return false;
    });
    return Status::Ok();
  });
}

Result<int64_t> CertificateManager::DaysBeforeExpiry(const std::string& account_id) {
  ASSIGN_OR_RETURN(std::optional<int64_t> days, store_.GetDaysBeforeExpiry(account_id));
  return days.value_or(options_.default_days_before_expiry);
}

Status CertificateManager::PutDaysBeforeExpiry(const std::string& account_id, int64_t days,
                                               const std::string& idempotency_token) {
  if (days < 1) {
    return Status(ErrorCode::kValidation, "DaysBeforeExpiry must be at least 1.");
  }
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  std::string scope = "PutAccountConfiguration|" + account_id + "|" + idempotency_token;
  ASSIGN_OR_RETURN(auto existing, store_.FindIdempotencyClaim(scope, now_ms));
  if (existing.has_value()) {
    if (existing->result == std::to_string(days)) return Status::Ok();
    return Status(ErrorCode::kAlreadyExists,
                  "The idempotency token was used within the last hour with another "
                  "configuration.");
  }
  return store_.PutDaysBeforeExpiry(
      account_id, days, now_ms,
      store::IdempotencyClaim{scope, std::to_string(days), now_ms + options_.idempotency_window_ms});
}

Status CertificateManager::UpdateWithRetry(
    const std::string& arn, const std::function<Status(AcmCertificateRecord&)>& mutate) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    ASSIGN_OR_RETURN(AcmCertificateRecord cert, store_.GetCertificate(arn));
    RETURN_IF_ERROR(mutate(cert));
    Status st = store_.UpdateCertificate(cert);
    if (st.code() != ErrorCode::kConcurrentModification) return st;
  }
  return Status(ErrorCode::kConcurrentModification,
                "Certificate " + arn + " is being changed by another request; try again.");
}

void CertificateManager::Publish(const AcmCertificateRecord& cert, std::string detail_type,
                                 json detail) {
  events::Event e;
  e.source = "aws.acm";
  e.detail_type = std::move(detail_type);
  e.account = cert.account_id;
  e.region = cert.region;
  e.time_ms = ToUnixMillis(clock_.Now());
  e.resources = {cert.arn};
  e.detail = std::move(detail);
  sink_.Publish(std::move(e));
}

}  // namespace openpca::certmanager

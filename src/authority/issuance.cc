// IssueCertificate and GetCertificate. Issuance follows docs/issuance-cycle.md; the step numbers
// below are the same.
#include "authority/authority.h"
#include "authority/certificate_builder.h"

#include <nlohmann/json.hpp>

#include "authority/distribution_points.h"
#include "authority/issuer_context.h"
#include "common/arn.h"
#include "x509/pem.h"
#include "store/call_record.h"

namespace openpca::authority {
namespace {

using json = nlohmann::json;
using std::chrono::hours;

constexpr int64_t kIdempotencyWindowMs = 5 * 60 * 1000;
constexpr int kMaxHierarchyDepth = 5;
constexpr auto kDefaultBackdate = std::chrono::minutes(60);
constexpr auto kShortLivedMax = hours(24 * 7);

// 128-bit serial: positive (top bit clear) with the next bit set so the DER length is fixed,
// leaving 126 bits of entropy.
Bytes NewSerial(Random& random) {
  Bytes serial = random.RandomBytes(16);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x40);
  return serial;
}

// `period_start` is where the requested validity starts: the ValidityNotBefore when one is given,
// else the issuance time (the default 60-minute backdating of NotBefore is not part of the
// requested validity, so a SHORT_LIVED_CERTIFICATE CA can issue DAYS 7).
Status CheckValidity(const TemplateDefinition& tmpl, const IssuerContext& issuer,
                     TimePoint not_before, TimePoint not_after, TimePoint now,
                     TimePoint period_start) {
  if (not_after <= now) {
    return Status(ErrorCode::kInvalidArgs, "The validity end date must be in the future.");
  }
  if (not_before >= not_after) {
    return Status(ErrorCode::kInvalidArgs,
                  "The validity start date must be earlier than the validity end date.");
  }
  // AWS "does not perform validity checks on root CA certificates" (user guide, CA modes): a
  // short-lived root's own certificate may run for years.
  if (tmpl.root) return Status::Ok();
  if (issuer.usage_mode == "SHORT_LIVED_CERTIFICATE" &&
      not_after - period_start > kShortLivedMax) {
    return Status(ErrorCode::kValidation,
                  "A SHORT_LIVED_CERTIFICATE certificate authority issues certificates valid for "
                  "at most 7 days.");
  }
  if (not_after > issuer.not_after) {
    return Status(ErrorCode::kValidation,
                  "The certificate validity specified exceeds the certificate authority "
                  "validity.");
  }
  if (tmpl.bc_ca && not_after >= issuer.not_after) {
    return Status(ErrorCode::kValidation,
                  "The validity of a CA certificate must end before the validity of its issuing "
                  "certificate authority.");
  }
  return Status::Ok();
}

Status CheckPathLength(const TemplateDefinition& tmpl, const IssuerContext& issuer) {
  // AWS fails path-length violations "with a validation exception" (user guide, RFC
  // compliance), the sixth level of a hierarchy included.
  if (!tmpl.bc_ca || tmpl.root) return Status::Ok();
  if (issuer.path_len.has_value() &&
      (!tmpl.path_len.has_value() || *tmpl.path_len >= *issuer.path_len)) {
    return Status(ErrorCode::kValidation,
                  "The path length of the requested CA certificate must be less than the issuing "
                  "certificate authority's path length (" +
                      std::to_string(*issuer.path_len) + ").");
  }
  if (issuer.depth + 1 > kMaxHierarchyDepth) {
    return Status(ErrorCode::kValidation,
                  "A certificate authority hierarchy can have at most five levels.");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> Authority::IssueCertificate(const Caller& caller, const IssueRequest& req) {
  const TimePoint now = clock_.Now();
  const int64_t now_ms = ToUnixMillis(now);

  // 1. Validate: CA, idempotency, template, state, algorithm, CSR, subject, validity, path.
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, req.ca_arn, CaRead::kKept));
  std::string scope;
  if (req.idempotency_token.has_value()) {
    scope = "IssueCertificate|" + ca.arn + "|" + *req.idempotency_token;
    ASSIGN_OR_RETURN(auto claim, store_.FindIdempotencyClaim(scope, now_ms));
    if (claim.has_value()) return claim->result;
  }

  std::string template_name(kDefaultTemplate);
  if (req.template_arn.has_value()) {
    auto name = ParseTemplateArn(*req.template_arn);
    if (!name) {
      return Status(ErrorCode::kInvalidArgs,
                    "The template ARN " + *req.template_arn + " is not valid.");
    }
    template_name = *name;
  }
  const TemplateDefinition* tmpl = FindTemplate(template_name);
  if (tmpl == nullptr) {
    return Status(ErrorCode::kInvalidArgs,
                  "The template " + template_name + " does not exist.");
  }

  if (tmpl->root) {
    if (ca.type != "ROOT") {
      return Status(ErrorCode::kInvalidArgs,
                    "A root CA certificate template can only be used by a ROOT certificate "
                    "authority.");
    }
    if (ca.status != "PENDING_CERTIFICATE" && ca.status != "ACTIVE") {
      return Status(ErrorCode::kInvalidState, "The certificate authority " + ca.arn +
                                                  " is in the " + ca.status + " state.");
    }
  } else if (ca.status != "ACTIVE") {
    return Status(ErrorCode::kInvalidState,
                  "The certificate authority " + ca.arn + " is in the " + ca.status +
                      " state and cannot issue certificates.");
  }

  auto alg = ParseSigningAlgorithm(req.signing_algorithm);
  if (!alg) {
    return Status(ErrorCode::kInvalidArgs,
                  "The signing algorithm " + req.signing_algorithm + " is not supported.");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const IssuerContext> issuer, Issuer(ca));
  if (FamilyOf(*alg) != FamilyOf(issuer->signer->algorithm())) {
    return Status(ErrorCode::kInvalidArgs,
                  "The signing algorithm " + req.signing_algorithm +
                      " is not compatible with the certificate authority's key algorithm.");
  }
  if (!tmpl->root && issuer->certificate == nullptr) {
    return Status(ErrorCode::kInvalidState, "The certificate authority has no certificate.");
  }

  const json* api = (tmpl->takes_api() && req.api_passthrough.has_value())
                        ? &*req.api_passthrough
                        : nullptr;
  // The CSR (parsed and verified once), the subject and the extension plan.
  ASSIGN_OR_RETURN(std::unique_ptr<PreparedCertificate> prepared,
                   PrepareCertificate(options_.certificate_builder,
                                      CertificateInput{tmpl, issuer.get(), req.csr, api}));

  ASSIGN_OR_RETURN(TimePoint not_after, ResolveNotAfter(req.validity, now));
  TimePoint not_before = now - kDefaultBackdate;
  if (req.validity_not_before.has_value()) {
    ASSIGN_OR_RETURN(not_before, ResolveNotBefore(*req.validity_not_before));
  }
  RETURN_IF_ERROR(CheckValidity(*tmpl, *issuer, not_before, not_after, now,
                                req.validity_not_before.has_value() ? not_before : now));
  RETURN_IF_ERROR(CheckPathLength(*tmpl, *issuer));

  // The CA's own CDP and AIA come last in the plan, once the request is known to be valid: a
  // PARTITIONED CA binds the certificate to a CRL partition here, and a rejected request must
  // not take a place in one.
  CertificateFinish finish;
  std::string crl_partition;  // "" = the complete CRL
  if (!tmpl->root) {
    // A self-signed root cannot be revoked: no CDP or AIA in it.
    DistributionPoints points =
        DistributionPointsFor(issuer->revocation, ca.id, PublicUrl());
    finish.crl_url = points.crl_url;
    if (points.crl_partitioned) {
      ASSIGN_OR_RETURN(AssignedPartition partition,
                       crl_partitions_.Assign(ca.id, points.crl_location,
                                              crl_hooks_.partition_opened));
      crl_partition = partition.partition_id;
      if (!points.crl_omit_cdp) finish.crl_url = partition.uri;
    } else if (points.crl_enabled) {
      RETURN_IF_ERROR(crl_partitions_.NoteCompleteCrlUse(ca.id));
    }
    finish.ocsp_url = points.ocsp_url;
    finish.ca_issuers_url = points.ca_issuers_url;
  }

  // 2. Reserve a serial. With 126 random bits a collision is not expected; the store refuses a
  // duplicate (kRequestFailed) rather than overwrite.
  Bytes serial = NewSerial(random_);
  finish.serial = serial;
  finish.not_before = not_before;
  finish.not_after = not_after;
  finish.alg = *alg;

  // 3. Record intent and audit. The call's CloudTrail record commits with the certificate in
  // step 5 (store::CallRecordScope, installed by the request pipeline); should the process end
  // before the call's outcome is recorded, the record still names the certificate it issued.
  const std::string arn = ca.arn + "/certificate/" + HexEncode(serial);
  if (store::CallRecord* call = store::CallRecordScope::Current()) {
    call->SetProvisionalResponse(nlohmann::json{{"certificateArn", arn}}.dump());
  }
  // 4. Sign: the CA's CDP/AIA join the plan, the TBSCertificate is encoded and signed.
  ASSIGN_OR_RETURN(Bytes der, std::move(*prepared).Issue(finish, *issuer->signer));

  // 5. Store, durably, before the ARN is returned.
  store::CertificateRecord record;
  record.ca_id = ca.id;
  record.serial_hex = HexEncode(serial);
  record.der = std::move(der);
  record.not_before_s = ToUnixSeconds(not_before);
  record.not_after_s = ToUnixSeconds(not_after);
  record.issued_at_ms = now_ms;
  record.template_arn = MakeTemplateArn(ca.arn, tmpl->name);
  record.crl_partition = std::move(crl_partition);
  record.requested_by_service_principal = req.requested_by_service_principal;
  std::optional<store::IdempotencyClaim> claim;
  if (!scope.empty()) {
    claim = store::IdempotencyClaim{scope, arn, now_ms + kIdempotencyWindowMs, now_ms};
  }
  Status stored = store_.InsertCertificate(record, claim);
  if (stored.code() == ErrorCode::kConcurrentModification && claim.has_value()) {
    // A concurrent request with the same token (on any server) stored its certificate first:
    // answer with that one, as a retry would be answered; this signature is discarded.
    ASSIGN_OR_RETURN(auto winner, store_.FindIdempotencyClaim(scope, now_ms));
    if (winner.has_value()) return winner->result;
  }
  RETURN_IF_ERROR(stored);
  NotifyEvent(AuthorityEvent::Kind::kCertificateIssued, ca, arn);
  return arn;
}

Result<CertificateAndChain> Authority::GetCertificate(const Caller& caller,
                                                      const std::string& ca_arn,
                                                      const std::string& certificate_arn) {
  auto cert_arn = ParseCertificateArn(certificate_arn);
  if (!cert_arn) {
    return Status(ErrorCode::kInvalidArn,
                  "The ARN " + certificate_arn + " is not a valid certificate ARN.");
  }
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn, CaRead::kKept));
  Status not_found(ErrorCode::kResourceNotFound,
                   "Could not find certificate " + certificate_arn + ".");
  if (cert_arn->ca.ToString() != ca.arn) return not_found;
  auto record = store_.GetCertificate(ca.id, cert_arn->serial_hex);
  if (!record.ok()) {
    return record.status().code() == ErrorCode::kResourceNotFound ? not_found : record.status();
  }
  CertificateAndChain out;
  out.certificate_pem = x509::CertificateDerToPem(record->der);
  if (!ca.certificate_der.empty()) {
    out.chain_pem = x509::CertificateDerToPem(ca.certificate_der) + ca.chain_pem;
  }
  return out;
}

}  // namespace openpca::authority

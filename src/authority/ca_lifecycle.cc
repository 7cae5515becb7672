// CA lifecycle: create, describe, list, update, delete, restore, CSR.
#include <algorithm>
#include <optional>
#include <string_view>

#include "authority/authority.h"
#include "authority/issuer_context.h"
#include "authority/revocation_config.h"
#include "authority/wire_structs.h"
#include "common/arn.h"
#include "x509/csr.h"
#include "x509/pem.h"

namespace openpca::authority {
namespace {

using json = nlohmann::json;

constexpr int64_t kIdempotencyWindowMs = 5 * 60 * 1000;
constexpr int kDefaultDeletionDays = 30;
constexpr int kMaxPageSize = 100;

std::string EncodeToken(const std::string& after) {
  return Base64Encode(AsSpan(json{{"after", after}}.dump()));
}

Result<std::string> DecodeToken(const std::string& token) {
  auto raw = Base64Decode(token);
  if (raw) {
    json j = json::parse(AsStringView(*raw), nullptr, false);
    if (j.is_object() && j.contains("after") && j["after"].is_string()) {
      return j["after"].get<std::string>();
    }
  }
  return Status(ErrorCode::kInvalidNextToken, "The token is not valid.");
}

Status ValidateTags(const std::vector<store::Tag>& tags) {
  for (const auto& t : tags) {
    if (t.key.rfind("aws:", 0) == 0) {
      return Status(ErrorCode::kInvalidTag, "Tag keys starting with \"aws:\" are reserved.");
    }
  }
  return Status::Ok();
}

// Builds the CSR extensions requested in CsrExtensions (KeyUsage, SubjectInformationAccess).
Result<x509::X509ExtStackPtr> CsrExtensions(const json& config) {
  x509::X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
  if (!exts) return InternalError("sk_X509_EXTENSION_new_null failed");
  auto it = config.find("CsrExtensions");
  if (it == config.end() || !it->is_object()) return exts;
  auto push = [&](x509::X509ExtensionPtr ext) -> Status {
    if (sk_X509_EXTENSION_push(exts.get(), ext.get()) == 0) {
      return InternalError("sk_X509_EXTENSION_push failed");
    }
    ext.release();
    return Status::Ok();
  };
  if (auto ku = it->find("KeyUsage"); ku != it->end() && ku->is_object()) {
    uint16_t bits = ToKeyUsageBits(*ku);
    if (bits != 0) {
      ASSIGN_OR_RETURN(x509::X509ExtensionPtr ext, x509::KeyUsageExt(bits, true));
      RETURN_IF_ERROR(push(std::move(ext)));
    }
  }
  if (auto sia = it->find("SubjectInformationAccess"); sia != it->end() && sia->is_array() &&
                                                       !sia->empty()) {
    ASSIGN_OR_RETURN(auto descriptions, ToAccessDescriptions(*sia));
    ASSIGN_OR_RETURN(x509::X509ExtensionPtr ext, x509::SubjectInfoAccessExt(descriptions));
    RETURN_IF_ERROR(push(std::move(ext)));
  }
  return exts;
}

// Whether keys held under `have` satisfy a request for `want`: the same standard, or FIPS 140-2
// level 3 for a level-2 request ("OR_HIGHER"). A store that meets none ("") satisfies nothing.
bool MeetsSecurityStandard(const std::string& have, const std::string& want) {
  if (have.empty()) return false;
  if (have == want) return true;
  return want == "FIPS_140_2_LEVEL_2_OR_HIGHER" && have == "FIPS_140_2_LEVEL_3_OR_HIGHER";
}

}  // namespace

std::string Authority::ResolvedStatus(const store::CaRecord& ca) const {
  if (ca.status != "DELETED" && ca.not_after_s.has_value() &&
      ToUnixSeconds(clock_.Now()) > *ca.not_after_s) {
    return "EXPIRED";
  }
  return ca.status;
}

Result<store::CaRecord> Authority::KeptCa(const std::string& ca_id) {
  ASSIGN_OR_RETURN(std::optional<store::CaRecord> row,
                   kept_rows_.Get(ca_id, [&](std::string_view id)
                                             -> Result<std::optional<store::CaRecord>> {
                     ASSIGN_OR_RETURN(store::CaRecord read, store_.GetCa(id));
                     return std::optional<store::CaRecord>(std::move(read));
                   }));
  return std::move(*row);
}

Result<store::CaRecord> Authority::LoadCa(const Caller& caller, const std::string& ca_arn,
                                          CaRead read) {
  auto arn = ParseCaArn(ca_arn);
  if (!arn) {
    return Status(ErrorCode::kInvalidArn, "The ARN " + ca_arn + " is not a valid CA ARN.");
  }
  Status not_found(ErrorCode::kResourceNotFound,
                   "Could not find certificate authority " + ca_arn + ".");
  // Cross-account access was decided by the authorizer; the region (and its partition) must
  // still be the caller's.
  if (arn->region != RegionOf(caller) || arn->partition != PartitionOfRegion(RegionOf(caller))) {
    return not_found;
  }
  Result<store::CaRecord> ca =
      read == CaRead::kKept ? KeptCa(arn->ca_id) : store_.GetCa(arn->ca_id);
  // A kept row serves only a CA it shows ACTIVE: any other state may be one another server has
  // just left (a certificate imported there), so it is read again before it refuses a call.
  if (read == CaRead::kKept && ca.ok() && ResolvedStatus(*ca) != "ACTIVE") {
    ca = store_.GetCa(arn->ca_id);
  }
  if (!ca.ok()) {
    if (ca.status().code() == ErrorCode::kResourceNotFound) return not_found;
    return ca.status();
  }
  if (ca->status == "DELETED" && ca->restorable_until_ms.has_value() &&
      *ca->restorable_until_ms <= ToUnixMillis(clock_.Now())) {
    // The restoration window passed: the CA is gone for good.
    RETURN_IF_ERROR(store_.PurgeCa(ca->id));
    if (service_events_ != nullptr) {
      service_events_->RecordServiceEvent(audit::ServiceEventOn("PurgeCertificateAuthority",
                                                                ca->arn));
    }
    if (!ca->key_id.empty()) (void)keys_.Destroy(ca->key_id);
    ForgetIssuer(ca->id);
    crl_partitions_.Forget(ca->id);
    return not_found;
  }
  store::CaRecord record = std::move(ca).value();
  record.status = ResolvedStatus(record);
  return record;
}

Result<std::string> Authority::CreateCertificateAuthority(const Caller& caller,
                                                          const CreateCaRequest& req) {
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  std::string scope;
  if (req.idempotency_token.has_value()) {
    scope = "CreateCertificateAuthority|" + caller.account_id + "|" + *req.idempotency_token;
    ASSIGN_OR_RETURN(auto claim, store_.FindIdempotencyClaim(scope, now_ms));
    if (claim.has_value()) return claim->result;
  }

  // Validate everything before any key is generated.
  const json& config = req.configuration;
  auto key_alg = ParseKeyAlgorithm(config.value("KeyAlgorithm", ""));
  auto sig_alg = ParseSigningAlgorithm(config.value("SigningAlgorithm", ""));
  if (!key_alg) {
    return Status(ErrorCode::kInvalidArgs,
                  "Key algorithm " + config.value("KeyAlgorithm", "") + " is not supported.");
  }
  if (!sig_alg) {
    return Status(ErrorCode::kInvalidArgs, "Signing algorithm " +
                                               config.value("SigningAlgorithm", "") +
                                               " is not supported.");
  }
  if (FamilyOf(*key_alg) != FamilyOf(*sig_alg)) {
    return Status(ErrorCode::kInvalidArgs,
                  "The signing algorithm is not compatible with the key algorithm.");
  }
  ASSIGN_OR_RETURN(auto subject_attrs,
                   SubjectAttributes(config.value("Subject", json::object())));
  if (subject_attrs.empty()) {
    return Status(ErrorCode::kInvalidArgs, "The CA subject must contain at least one attribute.");
  }
  ASSIGN_OR_RETURN(x509::X509NamePtr subject, x509::BuildName(subject_attrs));
  ASSIGN_OR_RETURN(x509::X509ExtStackPtr csr_exts, CsrExtensions(config));
  if (req.revocation.has_value()) RETURN_IF_ERROR(ValidateRevocationConfiguration(*req.revocation));
  RETURN_IF_ERROR(ValidateTags(req.tags));
  // The CA reports the standard its key store truly meets (docs/decisions.md); a request for one
  // the store cannot meet is refused as AWS refuses it in a region that cannot honour it.
  const std::string key_standard = keys_.GenerationSecurityStandard();
  if (req.key_storage_security_standard.has_value() &&
      !MeetsSecurityStandard(key_standard, *req.key_storage_security_standard)) {
    return Status(ErrorCode::kInvalidArgs,
                  "A certificate authority cannot be created in this region with the specified "
                  "security standard.");
  }
  ASSIGN_OR_RETURN(int64_t count, store_.CountCas(caller.account_id));
  if (count >= options_.max_cas_per_account) {
    return Status(ErrorCode::kLimitExceeded,
                  "The number of certificate authorities in this account has reached the limit (" +
                      std::to_string(options_.max_cas_per_account) + ").");
  }
  // Last check before anything is created: the CRL bucket must take an object.
  if (req.revocation.has_value()) {
    RETURN_IF_ERROR(ProbeCrlBucket(*req.revocation, caller.account_id, ""));
  }

  ASSIGN_OR_RETURN(keys::GeneratedKey key, keys_.Generate(*key_alg));
  auto signer = keys_.Load(key.key_id);
  if (!signer.ok()) return signer.status();
  auto csr = x509::BuildCaCsr(*subject, **signer, *sig_alg, csr_exts.get());
  if (!csr.ok()) {
    (void)keys_.Destroy(key.key_id);
    return csr.status();
  }

  store::CaRecord ca;
  ca.id = NewUuidV4(random_);
  ca.arn = MakeCaArn(RegionOf(caller), caller.account_id, ca.id);
  ca.account_id = caller.account_id;
  ca.type = req.type;
  // Key generation and the CSR are done before the response, so CREATING is never observed.
  ca.status = "PENDING_CERTIFICATE";
  ca.configuration_json = config.dump();
  ca.revocation_json = req.revocation.has_value() ? req.revocation->dump() : "";
  ca.key_storage_security_standard = key_standard;
  ca.usage_mode = req.usage_mode.value_or("GENERAL_PURPOSE");
  ca.key_id = key.key_id;
  ca.csr_pem = x509::CsrDerToPem(*csr);
  ca.created_at_ms = now_ms;
  ca.last_state_change_at_ms = now_ms;

  std::optional<store::IdempotencyClaim> claim;
  if (!scope.empty()) {
    claim = store::IdempotencyClaim{scope, ca.arn, now_ms + kIdempotencyWindowMs, now_ms};
  }
  Status inserted = store_.InsertCa(ca, req.tags, claim);
  if (!inserted.ok()) {
    (void)keys_.Destroy(key.key_id);
    if (inserted.code() == ErrorCode::kConcurrentModification && claim.has_value()) {
      // A concurrent request with the same token created its CA first: answer with that one.
      ASSIGN_OR_RETURN(auto winner, store_.FindIdempotencyClaim(scope, now_ms));
      if (winner.has_value()) return winner->result;
    }
    return inserted;
  }
  NotifyEvent(AuthorityEvent::Kind::kCaCreated, ca, "");
  return ca.arn;
}

Result<store::CaRecord> Authority::DescribeCertificateAuthority(const Caller& caller,
                                                                const std::string& ca_arn) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  // Where the key is now (it may have been moved onto a token since the CA was created).
  ca.key_storage_security_standard = keys_.SecurityStandardOf(ca.key_id);
  return ca;
}

Result<CaPage> Authority::ListCertificateAuthorities(const Caller& caller, int max_results,
                                                     const std::string& next_token,
                                                     const std::string& resource_owner) {
  std::string after;
  if (!next_token.empty()) {
    ASSIGN_OR_RETURN(after, DecodeToken(next_token));
  }
  CaPage page;
  // Sharing across accounts is not offered yet: no other account's CA is visible.
  if (resource_owner == "OTHER_ACCOUNTS") return page;
  int limit = std::clamp(max_results <= 0 ? kMaxPageSize : max_results, 1, kMaxPageSize);
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  // Fetch one extra to learn whether another page follows; skip CAs whose window has passed.
  while (true) {
    ASSIGN_OR_RETURN(auto batch, store_.ListCas(caller.account_id, after, limit + 1));
    bool more = static_cast<int>(batch.size()) > limit;
    for (auto& ca : batch) {
      if (static_cast<int>(page.cas.size()) == limit) break;
      after = ca.id;
      if (auto arn = ParseCaArn(ca.arn); !arn || arn->region != RegionOf(caller)) continue;
      if (ca.status == "DELETED" && ca.restorable_until_ms.has_value() &&
          *ca.restorable_until_ms <= now_ms) {
        continue;
      }
      ca.status = ResolvedStatus(ca);
      ca.key_storage_security_standard = keys_.SecurityStandardOf(ca.key_id);
      page.cas.push_back(std::move(ca));
    }
    if (!more) break;
    if (static_cast<int>(page.cas.size()) == limit) {
      page.next_token = EncodeToken(after);
      break;
    }
  }
  return page;
}

Status Authority::UpdateCertificateAuthority(const Caller& caller, const UpdateCaRequest& req) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, req.ca_arn));
  if (ca.status != "ACTIVE" && ca.status != "DISABLED") {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + req.ca_arn +
                                                " is in the " + ca.status +
                                                " state and cannot be updated.");
  }
  if (!req.status.has_value() && !req.revocation.has_value()) {
    return Status(ErrorCode::kInvalidArgs,
                  "Specify a Status or a RevocationConfiguration to update.");
  }
  if (req.status.has_value() && *req.status != "ACTIVE" && *req.status != "DISABLED") {
    return Status(ErrorCode::kInvalidArgs,
                  "The status can only be updated to ACTIVE or DISABLED.");
  }
  if (req.revocation.has_value()) {
    RETURN_IF_ERROR(ValidateRevocationConfiguration(*req.revocation));
    RETURN_IF_ERROR(ProbeCrlBucket(*req.revocation, ca.account_id, ca.arn));
    ca.revocation_json = req.revocation->dump();
  }
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  if (req.status.has_value() && *req.status != ca.status) {
    ca.status = *req.status;
    ca.last_state_change_at_ms = now_ms;
  }
  Status st = store_.UpdateCa(ca);
  ForgetIssuer(ca.id);
  if (st.ok()) NotifyChange(CaChange{ca.id, std::nullopt});
  return st;
}

Status Authority::DeleteCertificateAuthority(const Caller& caller, const std::string& ca_arn,
                                             std::optional<int> permanent_deletion_days) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  if (ca.status == "ACTIVE" || ca.status == "DELETED") {
    return Status(ErrorCode::kInvalidState,
                  "The certificate authority " + ca_arn + " is in the " + ca.status +
                      " state. " +
                      (ca.status == "ACTIVE" ? "Disable it before deleting it." : ""));
  }
  if (ca.status == "CREATING" || ca.status == "FAILED") {
    RETURN_IF_ERROR(store_.PurgeCa(ca.id));
    if (!ca.key_id.empty()) (void)keys_.Destroy(ca.key_id);
    ForgetIssuer(ca.id);
    crl_partitions_.Forget(ca.id);
    return Status::Ok();
  }
  const int64_t now_ms = ToUnixMillis(clock_.Now());
  ca.status_before_deletion = ca.status == "EXPIRED" ? "DISABLED" : ca.status;
  ca.status = "DELETED";
  ca.last_state_change_at_ms = now_ms;
  ca.restorable_until_ms =
      now_ms + int64_t{permanent_deletion_days.value_or(kDefaultDeletionDays)} * 86400 * 1000;
  Status st = store_.UpdateCa(ca);
  ForgetIssuer(ca.id);
  if (st.ok()) NotifyChange(CaChange{ca.id, std::nullopt});
  return st;
}

Status Authority::RestoreCertificateAuthority(const Caller& caller, const std::string& ca_arn) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  if (ca.status != "DELETED") {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + ca_arn +
                                                " is not in the DELETED state.");
  }
  ca.status = ca.status_before_deletion.empty() ? "DISABLED" : ca.status_before_deletion;
  ca.status_before_deletion.clear();
  ca.restorable_until_ms.reset();
  ca.last_state_change_at_ms = ToUnixMillis(clock_.Now());
  Status st = store_.UpdateCa(ca);
  ForgetIssuer(ca.id);
  return st;
}

Result<std::string> Authority::GetCertificateAuthorityCsr(const Caller& caller,
                                                          const std::string& ca_arn) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  if (ca.status == "CREATING") {
    return Status(ErrorCode::kRequestInProgress, "The CSR is not ready yet.");
  }
  if (ca.status == "FAILED" || ca.status == "DELETED" || ca.csr_pem.empty()) {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + ca_arn +
                                                " is in the " + ca.status + " state.");
  }
  return ca.csr_pem;
}

}  // namespace openpca::authority

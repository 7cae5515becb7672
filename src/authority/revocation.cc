// RevokeCertificate: marks an issued certificate revoked, durably, before answering.
#include <array>
#include <cctype>
#include <utility>

#include "authority/authority.h"
#include "x509/inspect.h"

namespace openpca::authority {
namespace {

// RevocationReason → RFC 5280 CRLReason.
std::optional<int> CrlReasonCode(const std::string& reason) {
  static constexpr std::array<std::pair<std::string_view, int>, 8> kCodes{{
      {"UNSPECIFIED", 0},
      {"KEY_COMPROMISE", 1},
      {"CERTIFICATE_AUTHORITY_COMPROMISE", 2},
      {"AFFILIATION_CHANGED", 3},
      {"SUPERSEDED", 4},
      {"CESSATION_OF_OPERATION", 5},
      {"PRIVILEGE_WITHDRAWN", 9},
      {"A_A_COMPROMISE", 10},
  }};
  for (const auto& [name, code] : kCodes)
    if (name == reason) return code;
  return std::nullopt;
}

// "67:07:44:A0" or "670744a0" → "670744a0" (lower case, no separators, no leading zero bytes
// beyond what the stored form has: stored serials never start with a zero digit).
std::optional<std::string> NormalizeSerial(const std::string& serial) {
  std::string out;
  for (char c : serial) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  size_t first = out.find_first_not_of('0');
  if (first == std::string::npos) return std::nullopt;
  out.erase(0, first);
  if (out.size() % 2 != 0) out.insert(out.begin(), '0');
  return out;
}

// A root's own certificate: the installed one, or any other it issued from its own CSR
// (RootCACertificate/V1 may be used again, e.g. to renew it before importing the new one).
bool IsSelfSignedCertificate(const store::CertificateRecord& cert) {
  Result<x509::X509Ptr> parsed = x509::ParseCertificateDer(cert.der);
  return parsed.ok() && x509::IsSelfSigned(**parsed);
}

}  // namespace

Status Authority::RevokeCertificate(const Caller& caller, const std::string& ca_arn,
                                    const std::string& serial, const std::string& reason) {
  ASSIGN_OR_RETURN(store::CaRecord ca, LoadCa(caller, ca_arn));
  if (ca.status != "ACTIVE" && ca.status != "DISABLED") {
    return Status(ErrorCode::kInvalidState, "The certificate authority " + ca_arn +
                                                " is in the " + ca.status +
                                                " state and cannot revoke certificates.");
  }
  auto code = CrlReasonCode(reason);
  if (!code) return Status(ErrorCode::kInvalidArgs, "Unknown revocation reason " + reason + ".");
  auto normalized = NormalizeSerial(serial);
  Status not_found(ErrorCode::kResourceNotFound,
                   "Could not find a certificate with serial " + serial + " issued by " + ca_arn +
                       ".");
  if (!normalized) return not_found;
  auto cert = store_.GetCertificate(ca.id, *normalized);
  if (!cert.ok()) {
    return cert.status().code() == ErrorCode::kResourceNotFound ? not_found : cert.status();
  }
  if (ca.type == "ROOT" && IsSelfSignedCertificate(*cert)) {
    return Status(ErrorCode::kInvalidRequest,
                  "A self-signed root CA certificate cannot be revoked.");
  }
  if (cert->revoked_at_ms.has_value()) {
    return Status(ErrorCode::kRequestAlreadyProcessed,
                  "The certificate " + serial + " has already been revoked.");
  }
  const TimePoint now = clock_.Now();
  if (cert->not_after_s < ToUnixSeconds(now)) {
    return Status(ErrorCode::kInvalidRequest, "The certificate " + serial + " has expired.");
  }
  RETURN_IF_ERROR(store_.RevokeCertificate(ca.id, *normalized, ToUnixMillis(now), *code));
  NotifyChange(CaChange{ca.id, cert->crl_partition, *normalized});
  NotifyEvent(AuthorityEvent::Kind::kCertificateRevoked, ca,
              ca.arn + "/certificate/" + *normalized);
  return Status::Ok();
}

}  // namespace openpca::authority

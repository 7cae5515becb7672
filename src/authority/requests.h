// Typed requests and views of the authority's operations. Nested AWS structures that the
// authority stores or interprets as a whole (CertificateAuthorityConfiguration,
// RevocationConfiguration, ApiPassthrough) stay JSON, already validated against the model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "authority/validity.h"
#include "common/bytes.h"
#include "store/records.h"

namespace openpca::authority {

// Who calls and where. The request pipeline has authorized the call before the authority sees
// it: a caller of another account reaches a CA only when a policy allowed it.
struct Caller {
  std::string account_id;
  std::string region;  // from the SigV4 scope; "" means the server's default region
};

struct CreateCaRequest {
  nlohmann::json configuration;              // CertificateAuthorityConfiguration
  std::optional<nlohmann::json> revocation;  // RevocationConfiguration
  std::string type;                          // ROOT | SUBORDINATE
  std::optional<std::string> idempotency_token;
  std::optional<std::string> key_storage_security_standard;
  std::optional<std::string> usage_mode;
  std::vector<store::Tag> tags;
};

struct IssueRequest {
  std::string ca_arn;
  Bytes csr;  // PEM (or DER) bytes, base64-decoded from the wire
  std::string signing_algorithm;
  std::optional<std::string> template_arn;
  ValiditySpec validity;
  std::optional<ValiditySpec> validity_not_before;
  std::optional<nlohmann::json> api_passthrough;  // ApiPassthrough
  std::optional<std::string> idempotency_token;
  // The AWS service principal that asked on the caller's behalf (acm.amazonaws.com when ACM
  // requests the certificate); empty for a direct call. Shown in audit reports.
  std::string requested_by_service_principal;
};

struct UpdateCaRequest {
  std::string ca_arn;
  std::optional<std::string> status;
  std::optional<nlohmann::json> revocation;
};

struct ImportRequest {
  std::string ca_arn;
  Bytes certificate;                 // PEM bytes
  std::optional<Bytes> chain;        // PEM bundle bytes
};

struct CertificateAndChain {
  std::string certificate_pem;
  std::string chain_pem;  // empty when there is none
};

struct CaPage {
  std::vector<store::CaRecord> cas;  // status already resolved (EXPIRED when past NotAfter)
  std::string next_token;            // empty on the last page
};

struct TagPage {
  std::vector<store::Tag> tags;
  std::string next_token;
};

}  // namespace openpca::authority

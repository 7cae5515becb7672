// CallFacts: what the request pipeline knows about one API call, in the audit module's own terms
// (the audit module does not include api/: server/audit_wiring.cc translates). The request
// members arrive already in record form (lowerCamelCase, model-sensitive members hidden).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace openpca::audit {

enum class IdentityType { kUnknown, kRoot, kIamUser, kAssumedRole };

struct CallIdentity {
  IdentityType type = IdentityType::kUnknown;
  std::string account_id;     // "" when the access key is unknown
  std::string arn;            // principal ARN (assumed-role ARN for sessions)
  std::string principal_id;   // AIDA… / AROA…:<session> / the account id for the root
  std::string access_key_id;  // as the caller sent it
  std::string user_name;      // IAM user name; "" otherwise
  // Temporary credentials (sessions and GetSessionToken): sessionContext.
  bool temporary = false;
  int64_t session_created_at_s = 0;
  bool mfa_authenticated = false;
  // Role sessions: the role (sessionIssuer) and the session name.
  std::string role_arn;
  std::string role_name;
  std::string role_id;  // AROA…
  std::string session_name;
};

struct CallFacts {
  std::string service;    // SigV4 signing name: "acm-pca", "iam", ...
  std::string operation;  // "IssueCertificate"; "" when the request named none
  std::string request_id;
  std::string region;
  int64_t event_time_ms = 0;
  CallIdentity identity;
  std::string source_ip;
  std::string user_agent;
  // tlsDetails: version and cipher only on TLS listeners; the Host header always.
  std::string tls_version;
  std::string tls_cipher;
  std::string host_header;
  // requestParameters in record form; null when the call failed before decoding.
  nlohmann::json request_parameters;
  // The ARN of the resource the call acts on ("" for none / "*"): resources[] and the owner's copy.
  std::string resource_arn;
  // The call's success is exactly the commit of the write that announces its response: the
  // final record commits with that write (a declared property of the operation, e.g.
  // api::ActionSpec::outcome_is_announced_write of acm-pca IssueCertificate).
  bool outcome_is_announced_write = false;
};

// How a call ended, as the caller saw it.
struct CallOutcome {
  bool ok = true;
  nlohmann::json response_elements;  // record form; null for none
  std::string error_code;            // the AWS error name the caller got
  std::string error_message;
};

}  // namespace openpca::audit

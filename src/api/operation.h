// The contract between the HTTP transport (api/http_server, api/pipeline) and the
// operation handlers: one function per AWS action, JSON in, JSON out.
//
// By the time a handler runs, the transport has: parsed the body as a JSON object
// (SerializationException otherwise), verified SigV4 (auth errors otherwise), validated the input
// against the botocore model (ValidationException otherwise: required members, types, lengths,
// patterns, ranges, enums), and called the authorization hook. Blob members are still base64
// strings in `input` (the validator checked that they decode).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace openpca::api {

// Who is calling. Filled by authentication (SigV4 and the credential lookup) before anything else.
enum class PrincipalType { kAnonymous, kAccountRoot, kUser, kAssumedRole, kService };

struct CallContext {
  std::string service;         // SigV4 signing name of the service called: "acm-pca", "iam", ...
  std::string operation;       // "IssueCertificate"
  std::string request_id;      // UUID, echoed as x-amzn-RequestId
  std::string region;          // from the SigV4 credential scope
  std::string account_id;      // of the calling credential
  std::string access_key_id;
  std::string session_token;   // X-Amz-Security-Token of temporary credentials, else empty
  PrincipalType principal_type = PrincipalType::kAnonymous;
  // arn:aws:iam::<account>:root, arn:aws:iam::<account>:user/<path><name>, or for a role session
  // arn:aws:sts::<account>:assumed-role/<role>/<session>.
  std::string principal_arn;
  std::string role_arn;        // the role of an assumed-role session, else empty
  std::string user_id;         // aws:userid: account id, AIDA..., or AROA...:<session>
  std::string source_ip;
  std::string user_agent;
  bool secure_transport = false;
  // The caller's identity as the identity domain names it.
  std::string principal_name;  // user name or role name; "" for the account root
  std::string principal_id;    // AIDA… / AROA… / the account id for the root
  // Temporary credentials (role sessions, GetSessionToken): when they were issued, the session
  // name (role sessions) and whether MFA was used.
  bool temporary = false;
  int64_t session_issued_at_s = 0;
  std::string session_name;
  bool mfa_authenticated = false;
  // The resource ARN the call was authorized against ("" until authorization, "*" for none).
  std::string resource_arn;
  // The operation's ActionSpec::outcome_is_announced_write (set with resource_arn).
  bool outcome_is_announced_write = false;
  // Transport: TLS version and cipher (empty on plain listeners) and the Host header sent.
  std::string tls_version;
  std::string tls_cipher;
  std::string host_header;
  int64_t received_at_ms = 0;  // when the pipeline took the call (Unix ms)
};

// Returns the output members (an object; `{}` for operations without output) or an error Status.
// Handlers run on the worker pool, never on an I/O thread, and may block.
using OperationHandler =
    std::function<Result<nlohmann::json>(const CallContext& ctx, const nlohmann::json& input)>;

// A credential the SigV4 verifier can check against, with the principal it belongs to.
struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string principal_arn;
  PrincipalType principal_type = PrincipalType::kAccountRoot;
  std::string role_arn;
  std::string user_id;
  std::string principal_name;
  std::string principal_id;
  bool temporary = false;
  int64_t session_issued_at_s = 0;
  std::string session_name;
  bool mfa_authenticated = false;
  // Set by the verifier from the request's credential scope.
  std::string scope_region;
  std::string scope_service;
};
// `session_token` is the request's X-Amz-Security-Token (empty when absent). Returns
// kUnrecognizedClient when the access key id is unknown, kExpiredToken for an expired session,
// kInvalidClientTokenId for a session token that does not belong to the key.
using CredentialLookup = std::function<Result<Credential>(const std::string& access_key_id,
                                                          std::string_view session_token)>;

// What the authorizer needs to know about one operation, declared next to its handler: the IAM
// action it is, the resource it acts on and the condition keys the request contributes.
using ConditionKeys = std::vector<std::pair<std::string, std::vector<std::string>>>;
struct ActionSpec {
  std::string action;  // "acm-pca:IssueCertificate"
  // The ARN of the resource acted on, derived from the input; empty: "*" (no resource).
  std::function<std::string(const CallContext& ctx, const nlohmann::json& input)> resource;
  // Request-specific condition keys (acm-pca:TemplateArn, aws:RequestTag/<k>, aws:TagKeys, ...).
  std::function<void(const CallContext& ctx, const nlohmann::json& input, ConditionKeys& keys)>
      conditions;
  // Needs no permission (sts:GetCallerIdentity works even under an explicit deny).
  bool no_authorization = false;
  // A quick read: reads a few rows and never waits for a write or a signature, so the transport
  // runs it on the I/O thread that received it instead of handing it to a worker thread (two
  // thread switches saved per call). Only for operations whose work is bounded and small.
  bool quick_read = false;
  // The handler's success is exactly the commit of the write that announces its response
  // (store::CallRecord::SetProvisionalResponse): nothing after that write can fail, so the audit
  // record of the call's final outcome commits with that write (store/call_record.h) instead of
  // after the handler returns. Only for operations whose handler announces its response in its
  // last write (acm-pca IssueCertificate).
  bool outcome_is_announced_write = false;
};

// Decides whether the caller may perform the action on the resource. Returns OK or
// kAccessDenied with AWS's message; kInternal when a policy cannot be read (fail closed).
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Status Authorize(const CallContext& ctx, const ActionSpec& spec,
                           const std::string& resource, const ConditionKeys& keys) const = 0;
};

}  // namespace openpca::api

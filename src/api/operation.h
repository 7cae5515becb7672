// The contract between the HTTP transport (api/http_server, api/aws_json_protocol) and the
// operation handlers: one function per AWS action, JSON in, JSON out.
//
// By the time a handler runs, the transport has: parsed the body as a JSON object
// (SerializationException otherwise), verified SigV4 (auth errors otherwise), validated the input
// against the botocore model (ValidationException otherwise: required members, types, lengths,
// patterns, ranges, enums), and called the authorization hook. Blob members are still base64
// strings in `input` (the validator checked that they decode).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace openpca::api {

struct CallContext {
  std::string operation;       // "IssueCertificate"
  std::string request_id;      // UUID, echoed as x-amzn-RequestId
  std::string account_id;      // of the calling credential
  std::string access_key_id;
  std::string principal_arn;   // arn:aws:iam::<account>:user/admin for the bootstrap key
  std::string source_ip;
  std::string user_agent;
  // The caller's identity (identity::Principal, resolved from the access key and session token).
  std::string principal_type;  // "Root" | "User" | "AssumedRole"
  std::string principal_name;  // user name or role name; "" for the account root
  std::string principal_id;    // AIDA… / AROA… / the account id for the root
  std::string session_token;   // X-Amz-Security-Token as received ("" for long-term keys)
};

// Returns the output members (an object; `{}` for operations without output) or an error Status.
// Handlers run on the worker pool, never on an I/O thread, and may block.
using OperationHandler =
    std::function<Result<nlohmann::json>(const CallContext& ctx, const nlohmann::json& input)>;

// Called before every handler; a non-OK status (kAccessDenied) stops the call.
using AuthorizationHook =
    std::function<Status(const CallContext& ctx, const nlohmann::json& input)>;

// A credential the SigV4 verifier can check against.
struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string principal_arn;
};
// Returns kUnrecognizedClient when the access key id is unknown.
using CredentialLookup = std::function<Result<Credential>(const std::string& access_key_id)>;

}  // namespace openpca::api

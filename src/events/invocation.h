// The HTTP request an API destination receives for one event, from the destination (endpoint,
// method), its connection (authorization and invocation parameters, with the connection's
// unsealed secret) and the rule's target (HttpParameters, Input, InputPath).
//
// Supported: API_KEY (header <ApiKeyName>: <ApiKeyValue>) and BASIC (Authorization: Basic ...)
// connections; the connection's InvocationHttpParameters header and query-string parameters; the
// target's HeaderParameters, QueryStringParameters and PathParameterValues (each "*" of the
// endpoint in turn); Input (constant JSON text) and InputPath ("$" or "$.a.b" members). The body
// is the event envelope otherwise. Pure; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "events/http_client.h"

namespace openpca::events {

// The associated data that seals a connection's secret (keys::SecretBox).
std::string ConnectionSecretAad(const std::string& connection_arn);

struct InvocationParts {
  nlohmann::json destination;  // ApiDestinationRecord::document
  nlohmann::json connection;   // EventConnectionRecord::document
  std::string authorization_type;
  nlohmann::json secret;  // {"ApiKeyValue"} | {"Password"}, plus "InvocationHttpParameters"
  nlohmann::json target;  // the Target
  nlohmann::json envelope;
};

// Errors: kInvalidArgs when the InputPath names nothing in the event (the event is not sent).
Result<HttpCall> BuildInvocation(const InvocationParts& parts);

}  // namespace openpca::events

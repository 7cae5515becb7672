#include "events/invocation.h"

#include <openssl/evp.h>

#include "events/envelope.h"

namespace openpca::events {
namespace {

using nlohmann::json;

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string ValueText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void AddQuery(std::string& url, std::string_view key, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += PercentEncode(key);
  url += '=';
  url += PercentEncode(value);
}

// {"HeaderParameters": [{"Key","Value"}], "QueryStringParameters": [...]} of a connection.
void ApplyConnectionParameters(const json& params, HttpCall& call) {
  if (!params.is_object()) return;
  if (auto h = params.find("HeaderParameters"); h != params.end() && h->is_array()) {
    for (const json& p : *h) {
      if (p.contains("Key") && p.contains("Value")) {
        call.headers.emplace_back(ValueText(p["Key"]), ValueText(p["Value"]));
      }
    }
  }
  if (auto q = params.find("QueryStringParameters"); q != params.end() && q->is_array()) {
    for (const json& p : *q) {
      if (p.contains("Key") && p.contains("Value")) {
        AddQuery(call.url, ValueText(p["Key"]), ValueText(p["Value"]));
      }
    }
  }
}

Result<std::string> Body(const json& target, const json& envelope) {
  if (auto in = target.find("Input"); in != target.end() && in->is_string()) {
    return in->get<std::string>();
  }
  if (auto path = target.find("InputPath"); path != target.end() && path->is_string()) {
    std::string p = path->get<std::string>();
    if (p == "$") return EnvelopeText(envelope);
    if (!p.starts_with("$.")) return Status(ErrorCode::kInvalidArgs, "bad InputPath " + p);
    const json* at = &envelope;
    size_t pos = 2;
    while (pos <= p.size()) {
      size_t dot = p.find('.', pos);
      std::string key = p.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
      if (!at->is_object() || !at->contains(key)) {
        return Status(ErrorCode::kInvalidArgs, "InputPath " + p + " names nothing in the event");
      }
      at = &(*at)[key];
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    return at->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return EnvelopeText(envelope);
}

}  // namespace

std::string ConnectionSecretAad(const std::string& connection_arn) {
  return "events-connection:" + connection_arn;
}

Result<HttpCall> BuildInvocation(const InvocationParts& parts) {
  HttpCall call;
  call.method = parts.destination.value("HttpMethod", "POST");
  call.url = parts.destination.value("InvocationEndpoint", "");
  const json http = parts.target.value("HttpParameters", json::object());
  if (auto values = http.find("PathParameterValues"); values != http.end() && values->is_array()) {
    for (const json& v : *values) {
      size_t star = call.url.find('*');
      if (star == std::string::npos) break;
      call.url.replace(star, 1, PercentEncode(ValueText(v)));
    }
  }
  call.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  call.headers.emplace_back("User-Agent", "Amazon/EventBridge/ApiDestinations");
  if (parts.authorization_type == "API_KEY") {
    std::string name = parts.connection.value("AuthParameters", json::object())
                           .value("ApiKeyAuthParameters", json::object())
                           .value("ApiKeyName", "");
    if (!name.empty()) call.headers.emplace_back(name, parts.secret.value("ApiKeyValue", ""));
  } else if (parts.authorization_type == "BASIC") {
    std::string user = parts.connection.value("AuthParameters", json::object())
                           .value("BasicAuthParameters", json::object())
                           .value("Username", "");
    call.headers.emplace_back("Authorization",
                              "Basic " + Base64(user + ":" + parts.secret.value("Password", "")));
  }
  ApplyConnectionParameters(parts.secret.value("InvocationHttpParameters", json::object()), call);
  if (auto h = http.find("HeaderParameters"); h != http.end() && h->is_object()) {
    for (const auto& [k, v] : h->items()) call.headers.emplace_back(k, ValueText(v));
  }
  if (auto q = http.find("QueryStringParameters"); q != http.end() && q->is_object()) {
    for (const auto& [k, v] : q->items()) AddQuery(call.url, k, ValueText(v));
  }
  ASSIGN_OR_RETURN(call.body, Body(parts.target, parts.envelope));
  return call;
}

}  // namespace openpca::events

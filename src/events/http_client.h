// HttpSender: one HTTP(S) request to a webhook, for API destinations. BeastHttpSender sends it
// with Boost.Beast (HTTPS through OpenSSL with the system's trust store, SNI and host-name
// verification), with one deadline for resolve, connect, handshake, write and read.
// Thread-safe (each Send uses its own I/O context).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace openpca::events {

struct HttpCall {
  std::string method = "POST";
  std::string url;  // http(s)://host[:port]/path[?query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};
};

struct ParsedUrl {
  bool https = true;
  std::string host;
  uint16_t port = 443;
  std::string target = "/";  // path and query
};

// nullopt unless the URL is http:// or https:// with a host.
std::optional<ParsedUrl> ParseUrl(std::string_view url);
// localhost, 127.0.0.0/8 and ::1.
bool IsLoopbackHost(std::string_view host);

class HttpSender {
 public:
  virtual ~HttpSender() = default;
  // The response's status code. Errors: kServiceUnavailable when no response was received
  // (resolve, connect, TLS, timeout); kInvalidArgs for a URL it cannot send to.
  virtual Result<int> Send(const HttpCall& call) = 0;
};

class BeastHttpSender final : public HttpSender {
 public:
  BeastHttpSender();
  ~BeastHttpSender() override;
  Result<int> Send(const HttpCall& call) override;

 private:
  struct Tls;
  Result<int> SendOrThrow(const HttpCall& call);
  std::unique_ptr<Tls> tls_;
};

}  // namespace openpca::events

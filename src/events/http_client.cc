// Compiled without OPENSSL_NO_DEPRECATED (Boost 1.74's Asio SSL headers need it; see
// api/tls_context.h). Our own code here uses no deprecated OpenSSL API.
#include "events/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <functional>

namespace openpca::events {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr size_t kMaxResponseBody = 1 << 20;

Status NoResponse(const std::string& what, const beast::error_code& ec) {
  return Status(ErrorCode::kServiceUnavailable, what + ": " + ec.message());
}

// Resolve, connect, [handshake], write, read, all under `deadline` of the context's run_for.
template <typename Stream>
struct Exchange {
  Exchange(Stream& s, tcp::resolver& r, http::request<http::string_body>& req,
           http::response_parser<http::string_body>& p)
      : stream(s), resolver(r), request(req), parser(p) {}

  Stream& stream;
  tcp::resolver& resolver;
  http::request<http::string_body>& request;
  http::response_parser<http::string_body>& parser;
  beast::flat_buffer buffer;
  std::function<void(std::function<void(beast::error_code)>)> handshake;
  std::optional<Status> outcome;

  void Start(const std::string& host, const std::string& port) {
    resolver.async_resolve(host, port,
                           [this](beast::error_code ec, tcp::resolver::results_type results) {
                             if (ec) return Fail("resolve", ec);
                             beast::get_lowest_layer(stream).async_connect(
                                 results, [this](beast::error_code ec, const tcp::endpoint&) {
                                   if (ec) return Fail("connect", ec);
                                   if (handshake) {
                                     handshake([this](beast::error_code ec) {
                                       if (ec) return Fail("TLS handshake", ec);
                                       Write();
                                     });
                                   } else {
                                     Write();
                                   }
                                 });
                           });
  }
  void Write() {
    http::async_write(stream, request, [this](beast::error_code ec, size_t) {
      if (ec) return Fail("write", ec);
      http::async_read(stream, buffer, parser, [this](beast::error_code ec, size_t) {
        if (ec) return Fail("read", ec);
        outcome = Status::Ok();
      });
    });
  }
  void Fail(const char* what, beast::error_code ec) { outcome = NoResponse(what, ec); }
};

}  // namespace

std::optional<ParsedUrl> ParseUrl(std::string_view url) {
  ParsedUrl out;
  if (url.starts_with("https://")) {
    out.https = true;
    out.port = 443;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    out.https = false;
    out.port = 80;
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? "" : url.substr(end);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<uint16_t>(value);
  }
  out.host = std::string(host);
  out.target = rest.empty() ? "/" : (rest[0] == '?' ? "/" + std::string(rest) : std::string(rest));
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

struct BeastHttpSender::Tls {
  ssl::context context{ssl::context::tls_client};
};

BeastHttpSender::BeastHttpSender() : tls_(std::make_unique<Tls>()) {
  boost::system::error_code ec;
  // Without the system trust store every HTTPS delivery fails verification (and is retried).
  tls_->context.set_default_verify_paths(ec);
  tls_->context.set_verify_mode(ssl::verify_peer);
  SSL_CTX_set_min_proto_version(tls_->context.native_handle(), TLS1_2_VERSION);
}

BeastHttpSender::~BeastHttpSender() = default;

Result<int> BeastHttpSender::Send(const HttpCall& call) {
  // Beast and Asio report I/O errors through error codes; anything they throw (allocation,
  // header values) becomes a failed delivery, never an exception out of this module.
  try {
    return SendOrThrow(call);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kServiceUnavailable, std::string("HTTP client: ") + e.what());
  }
}

Result<int> BeastHttpSender::SendOrThrow(const HttpCall& call) {
  std::optional<ParsedUrl> url = ParseUrl(call.url);
  if (!url) return Status(ErrorCode::kInvalidArgs, "not an http(s) URL: " + call.url);
  http::verb verb = http::string_to_verb(call.method);
  if (verb == http::verb::unknown) return Status(ErrorCode::kInvalidArgs, "bad method");

  http::request<http::string_body> request{verb, url->target, 11};
  request.set(http::field::host, url->host);
  for (const auto& [name, value] : call.headers) request.set(name, value);
  request.body() = call.body;
  request.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  const std::string port = std::to_string(url->port);
  std::optional<Status> outcome;
  if (url->https) {
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls_->context);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) {
      return Status(ErrorCode::kServiceUnavailable, "TLS: cannot set SNI");
    }
    stream.set_verify_callback(ssl::host_name_verification(url->host));
    Exchange<beast::ssl_stream<beast::tcp_stream>> x(stream, resolver, request, parser);
    x.handshake = [&stream](std::function<void(beast::error_code)> done) {
      stream.async_handshake(ssl::stream_base::client,
                             [done = std::move(done)](beast::error_code ec) { done(ec); });
    };
    x.Start(url->host, port);
    ioc.run_for(call.timeout);
    outcome = x.outcome;
  } else {
    beast::tcp_stream stream(ioc);
    Exchange<beast::tcp_stream> x(stream, resolver, request, parser);
    x.Start(url->host, port);
    ioc.run_for(call.timeout);
    outcome = x.outcome;
  }
  if (!outcome.has_value()) {
    return Status(ErrorCode::kServiceUnavailable,
                  "no response within " + std::to_string(call.timeout.count()) + " ms");
  }
  if (!outcome->ok()) return *outcome;
  return static_cast<int>(parser.get().result_int());
}

}  // namespace openpca::events

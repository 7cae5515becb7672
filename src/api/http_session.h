// Internal to api/: one HTTP/1.1 connection (plain TCP or TLS). Reads one request at a time with
// header/idle timeouts and a body limit, hands each complete request to its SessionHost, and
// writes the response the host sends back (a Beast response, or a PreparedResponse written with
// one gathering write and no copy of its body); then keep-alive or close.
//
// Lifetime: shared_ptr; alive while an I/O operation or a worker job holds it. All state is
// touched only on the connection's event loop, which exactly one I/O thread runs (so no strand is
// needed); SendResponse() and Shutdown() may be called from any thread (they post to that loop).
// The host must outlive every session.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/http_types.h"
#include "api/tls_context.h"

namespace openpca::api {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
// A connection's event loop, as a concrete type: no type-erased executor on every I/O operation.
// Each io_context is run by one thread only, so handlers are serialised without a strand.
using SessionExecutor = boost::asio::io_context::executor_type;
using SessionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, SessionExecutor>;

class HttpSession;

struct SessionConfig {
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds idle_timeout{60};
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // On the session's I/O thread, with a complete request. The host must answer it exactly once:
  // session->SendResponse() from any thread, or session->SendPreparedResponse() before
  // OnRequest() returns.
  virtual void OnRequest(std::shared_ptr<HttpSession> session, BeastRequest&& request) = 0;
  // An error response for a request the session rejects itself (413, 400).
  virtual BeastResponse MakeTransportError(int http_status) = 0;
  // From the session's destructor, on any thread.
  virtual void OnSessionClosed(HttpSession* session) = 0;
  virtual bool stopping() const = 0;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  virtual ~HttpSession() = default;

  // `tls` null: plain HTTP.
  static std::shared_ptr<HttpSession> Create(SessionSocket socket,
                                             boost::asio::ssl::context* tls, SessionHost& host,
                                             const SessionConfig& config);

  virtual void Start() = 0;
  // Queues `response` for writing; keep-alive follows the request unless the server is stopping.
  virtual void SendResponse(BeastResponse response) = 0;
  // Writes `response` at once. Only from SessionHost::OnRequest(), i.e. on the session's I/O thread.
  virtual void SendPreparedResponse(PreparedResponse response) = 0;
  // Closes now if no request is in flight, else right after its response is written.
  virtual void Shutdown() = 0;

  virtual const std::string& source_ip() const = 0;
  // After the TLS handshake: the protocol version and cipher negotiated; empty without TLS.
  virtual const std::string& tls_version() const = 0;
  virtual const std::string& tls_cipher() const = 0;
};

}  // namespace openpca::api

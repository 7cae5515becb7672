// Transport-neutral HTTP request/response types passed between the server and request handlers
// (the AWS JSON protocol and raw routes such as /health, S3-style reads, OCSP).
//
// HttpRequest is a view: every string_view points into the server's copy of the request, valid
// only for the duration of the handler call. HttpResponse is a plain value. PreparedResponse is
// what a handler running on an I/O thread answers with: pre-formatted header lines and a body
// that is referenced, not copied.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/canonical_request.h"
#include "api/sigv4.h"

namespace openpca::api {

struct HttpRequest {
  std::string_view method;  // "GET"
  std::string_view target;  // request-target as received: "/path?query"
  std::string_view path;    // target before '?'
  std::string_view query;   // target after '?', without it
  std::span<const sigv4::Header> headers;
  std::string_view body;
  std::string_view source_ip;
  // TLS listeners: the negotiated protocol ("TLSv1.3") and cipher; empty on plain listeners.
  std::string_view tls_version;
  std::string_view tls_cipher;

  // First value of the header `name` (case-insensitive); empty if absent.
  std::string_view Header(std::string_view name) const {
    for (const sigv4::Header& h : headers) {
      if (sigv4::HeaderNameEquals(h.name, name)) return h.value;
    }
    return {};
  }
  SignableRequest Signable() const { return {method, target, headers, body}; }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added for you
  std::string body;
};

// A response made ahead of time, for inline handlers (below). Nothing in it is copied when it is
// written: the server sends the status line, `fields`, Content-Length, a Connection header when
// needed, and `body`.
struct PreparedResponse {
  int status = 200;
  // Complete header lines, each "Name: value\r\n", without Content-Length or Connection. Shared so
  // that one formatted block can serve many responses. Null: no extra fields.
  std::shared_ptr<const std::string> fields;
  // The body; `body_owner` keeps the bytes alive until the response has been written.
  std::string_view body;
  std::shared_ptr<const void> body_owner;
};

// Names used by raw routes (ApiServer::RegisterRawRoute).
using RawRequest = HttpRequest;
using RawResponse = HttpResponse;

// Runs on the worker pool; may block. Must not throw (an exception becomes a 500).
using RawHandler = std::function<HttpResponse(const HttpRequest& request)>;

// Runs on an HTTP I/O thread, before the request is queued for a worker: answers at once, or
// returns nullopt to decline (the route's RawHandler then runs on the worker pool as usual). It
// must never block: no store, no signing, no file or network I/O, no lock other than a short
// reader lock. Every I/O-thread microsecond delays every connection of that thread. An exception
// is logged and counts as declining. Inline answers are not logged one line per request: the
// server logs a count per route periodically (ApiServer::Options::inline_summary_interval).
using InlineHandler = std::function<std::optional<PreparedResponse>(const HttpRequest& request)>;

// A route's extra condition on the request (headers, shape of the path), evaluated on the I/O
// thread for requests whose method and path prefix fit. Cheap, non-blocking; an exception counts
// as false.
using RouteMatcher = std::function<bool(const HttpRequest& request)>;

}  // namespace openpca::api

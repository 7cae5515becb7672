// Transport-neutral HTTP request/response types passed between the server and request handlers
// (the AWS JSON protocol and raw routes such as /health, S3-style reads, OCSP).
//
// HttpRequest is a view: every string_view points into the server's copy of the request, valid
// only for the duration of the handler call. HttpResponse is a plain value.
#pragma once

#include <functional>
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

// Names used by raw routes (ApiServer::RegisterRawRoute).
using RawRequest = HttpRequest;
using RawResponse = HttpResponse;

// Runs on the worker pool; may block. Must not throw (an exception becomes a 500).
using RawHandler = std::function<HttpResponse(const HttpRequest& request)>;

}  // namespace openpca::api

// HTTP mapping of OCSP (RFC 6960 appendix A, RFC 5019 5 and 6) for the server's routes:
//   GET  <prefix>/<url-encoded base64 of the DER OCSPRequest>
//   POST <prefix> (and POST /) with Content-Type application/ocsp-request, body = DER
// Every answer is HTTP 200 with Content-Type application/ocsp-response and the OCSPResponse as
// body, including malformedRequest / unauthorized / internalError OCSP statuses.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "revocation/ocsp/ocsp_cache.h"

namespace openpca::revocation {

inline constexpr std::string_view kOcspRequestContentType = "application/ocsp-request";
inline constexpr std::string_view kOcspResponseContentType = "application/ocsp-response";

// Decodes the GET form: `path_suffix` is what follows the route prefix (e.g. after "/ocsp"),
// raw as received. Leading '/' are dropped; %XX escapes (%2B, %2F, %3D, any case, and any other)
// are decoded; '+' is kept as '+' (RFC 5019 clients often leave it raw; a ' ' is read as '+' too,
// for paths that went through form decoding); '-' and '_' (base64url) are read as '+' and '/';
// missing '=' padding is tolerated. Returns nullopt when what is left is not base64.
// WARNING: untrusted input.
std::optional<Bytes> DecodeOcspGetPath(std::string_view path_suffix);
// The same into `out` (cleared first; its capacity is reused, so a caller that keeps `out`
// allocates nothing per request). False where DecodeOcspGetPath returns nullopt.
bool DecodeOcspGetPathInto(std::string_view path_suffix, Bytes& out);

// The response headers for `response` served at `now` (no Content-Length):
//   Content-Type: application/ocsp-response, always;
//   when response.cacheable (a successful response without a nonce), RFC 5019 6.2:
//     Cache-Control: max-age=<seconds until nextUpdate, at least 0>, public, no-transform,
//                    must-revalidate
//     Last-Modified: <thisUpdate>, Expires: <nextUpdate>, ETag: "<hex SHA-1 of the response>"
//   otherwise (nonce echoed, error statuses): Cache-Control: no-store.
// `max_age_cap`, when set, lowers max-age (e.g. to bound how long shared caches keep a response
// after a revocation; the response itself stays valid until nextUpdate).
std::vector<std::pair<std::string, std::string>> OcspResponseHeaders(
    const OcspResponseBody& response, TimePoint now,
    std::optional<std::chrono::seconds> max_age_cap = std::nullopt);

// OcspResponseHeaders(response, now, max_age_cap) plus `Date: <now>`, as header lines
// ("Name: value\r\n" each, no Content-Length) ready to be written. Memoised in `response` for the
// second of `now`: within one second every caller shares one string, so a cached response costs
// one formatting per second however often it is served. Thread-safe.
std::shared_ptr<const std::string> OcspResponseHeaderLines(
    const OcspResponseBody& response, TimePoint now,
    std::optional<std::chrono::seconds> max_age_cap = std::nullopt);

// IMF-fixdate (RFC 9110 5.6.7): "Tue, 14 Nov 2023 22:13:20 GMT".
std::string HttpDate(TimePoint t);

}  // namespace openpca::revocation

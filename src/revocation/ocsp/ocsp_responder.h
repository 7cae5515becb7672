// OcspResponder: a transport-neutral OCSP responder (RFC 6960, with the RFC 5019 profile's
// pre-signed, cacheable responses). It takes the DER of an OCSPRequest and returns the DER of an
// OCSPResponse; the server maps HTTP onto it (ocsp_http.h).
//
// Answers:
//   - Not one DER OCSPRequest (garbage, truncated, trailing bytes, empty, over
//     max_request_bytes), no CertID, or more than max_cert_ids CertIDs -> malformedRequest.
//   - No CertID names an issuer that answers -> unauthorized. This covers an unknown issuer, a
//     CertID whose hash algorithm is not SHA-1/256/384/512 (RFC 6960 allows malformedRequest or
//     unauthorized; openpca says unauthorized: the request is well formed, the responder just
//     cannot vouch for it), a CA with OCSP disabled, and a CA in a state other than ACTIVE or
//     DISABLED.
//   - Otherwise successful, signed for the issuer of the first CertID that names an answering
//     issuer, with one SingleResponse per CertID in request order: good (issued by this CA, not
//     revoked), revoked (revocationTime and, see OcspIssuerConfig::unspecified_reason,
//     revocationReason), or unknown (serial never issued by this CA, a negative or zero serial, a
//     CertID naming any other issuer or none).
//   - A directory, store or signing failure -> internalError (fail closed: never good). When a
//     cached response for the same request is past its refresh time but not yet at nextUpdate, it
//     is served instead (what an HTTP cache would do).
// Requests may be signed; the signature and requestorName are ignored (RFC 6960 4.1.2: optional),
// as are request extensions other than the nonce. A nonce (id-pkix-ocsp-nonce) of 1..32 octets
// (RFC 8954) is echoed unchanged in responseExtensions and makes the response uncacheable; a
// longer one is ignored, as RFC 8954 2.1 allows, and the response is as for no nonce.
// thisUpdate = now - backdate, nextUpdate = thisUpdate + validity (never past the responder
// certificate's notAfter), producedAt = now. ResponderID byKey.
//
// Cache: responses without a nonce are kept (OcspResponseCache) under the request DER and, for a
// single CertID, under the CertID DER; they are re-signed once less than refresh_fraction of
// their validity is left. Call Invalidate() / InvalidateIssuer() after a status change is durable
// in the store; Retire()d issuers (StaticOcspIssuerDirectory does it) are never served from the
// cache.
//
// Ownership: borrows the store, clock and directory, which must outlive the responder; owns its
// cache. Thread-safety: Respond() and the Invalidate*() calls are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "revocation/ocsp/ocsp_cache.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "revocation/ocsp/ocsp_response_builder.h"
#include "store/store.h"

namespace openpca::revocation {

struct OcspResponderOptions {
  // Larger requests are malformedRequest without parsing, in octets.
  size_t max_request_bytes = 64 * 1024;
  // CertIDs answered in one request; more -> malformedRequest.
  size_t max_cert_ids = 16;
  // Cache bounds (both maps together); 0 entries disables the cache.
  size_t cache_max_entries = 1'000'000;
  size_t cache_max_bytes = size_t{512} << 20;
  // A cached response is re-signed once less than this fraction of its validity is left, in
  // (0, 1].
  double refresh_fraction = 0.25;
  // When not zero, a cached response is also re-read from the store and re-signed once it is this
  // old: servers sharing a database answer a revocation made on another server within this bound
  // (their own revocations invalidate at once). Zero: only refresh_fraction applies.
  std::chrono::seconds max_cache_age{0};
};

// What Respond() returns.
struct OcspHttpResult {
  std::shared_ptr<const OcspResponseBody> response;  // never null
  bool cache_hit = false;

  OcspResponseStatus status() const { return response->status; }
  const std::string& der() const { return response->der; }
  bool cacheable() const { return response->cacheable; }
};

// Counters since construction (monotonic; read with relaxed ordering).
struct OcspResponderStats {
  uint64_t requests = 0;
  uint64_t cache_hits = 0;
  uint64_t signed_responses = 0;
  uint64_t malformed = 0;
  uint64_t unauthorized = 0;
  uint64_t internal_errors = 0;
  uint64_t stale_served = 0;  // internal failures answered with a cached, still valid response
};

class OcspResponder {
 public:
  OcspResponder(store::Store& store, const Clock& clock, const OcspIssuerDirectory& directory,
                OcspResponderOptions options = {});

  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  // Answers one OCSPRequest (DER, e.g. a POST body). Every outcome, including bad input and
  // internal failures, is an OCSPResponse (see the header comment). Errors: none today; a
  // non-OK Result is reserved for refusing to answer at all.
  // WARNING: `request_der` is untrusted input from the network.
  Result<OcspHttpResult> Respond(std::span<const uint8_t> request_der);

  // The fresh cached response for exactly these request bytes, or nullopt. Never parses, reads
  // the store or signs, and takes only a shard's reader lock: cheap enough to call on an HTTP
  // I/O thread, handing only the nullopt case to Respond() on a worker thread. (Over HTTP the
  // hand-off between threads costs far more than a hit.)
  std::optional<OcspHttpResult> RespondFromCache(std::span<const uint8_t> request_der);

  // Respond() for the GET form: `path_suffix` is the request path after "/ocsp" (see
  // DecodeOcspGetPath in ocsp_http.h); an undecodable one gets malformedRequest.
  Result<OcspHttpResult> RespondToGet(std::string_view path_suffix);

  // Drop cached responses reporting on `serial_hex` of `ca_id` (hex as the store spells it, or
  // any case / with colons / leading zeros: it is normalised) / on any certificate of `ca_id`.
  // Call after the change is committed to the store.
  void Invalidate(std::string_view ca_id, std::string_view serial_hex);
  void InvalidateIssuer(std::string_view ca_id);
  void InvalidateAll();

  OcspResponderStats stats() const;
  const OcspResponseCache& cache() const { return cache_; }

  // The shared malformedRequest / unauthorized / internalError / tryLater responses.
  static OcspHttpResult ErrorResult(OcspResponseStatus status);

 private:
  OcspHttpResult Fail(OcspResponseStatus status);
  OcspHttpResult Hit(std::shared_ptr<const OcspCacheEntry> entry);
  // internalError, or `fallback` while it is still valid at `now`.
  OcspHttpResult InternalFailure(const std::shared_ptr<const OcspCacheEntry>& fallback,
                                 TimePoint now);

  store::Store& store_;
  const Clock& clock_;
  const OcspIssuerDirectory& directory_;
  const OcspResponderOptions options_;
  OcspResponseCache cache_;

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> signed_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> unauthorized_{0};
  std::atomic<uint64_t> internal_errors_{0};
  std::atomic<uint64_t> stale_served_{0};
};

}  // namespace openpca::revocation

// AWS Signature Version 4: server-side verification (Authorization header and presigned query
// forms) and a client-side signer for tests and the benchmark load generator.
//
// SigV4Verifier checks, in order: an auth mechanism is present, it is well-formed, X-Amz-Date is
// within the allowed skew (presigned: not past X-Amz-Expires), the credential scope names this
// server's region and service and the request's date, 'host' is signed, the access key is known,
// any x-amz-content-sha256 matches the body, and the signature matches (constant-time).
// Derived signing keys are cached per thread, keyed by (secret, date, region, service).
//
// The verifier holds the CredentialLookup and a reference to the Clock (which must outlive it).
// Verify() is const and thread-safe if the lookup is.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/canonical_request.h"
#include "api/operation.h"
#include "common/clock.h"
#include "common/status.h"

namespace openpca::api {

// A request as received, viewed for signing or verification; nothing is copied.
struct SignableRequest {
  std::string_view method;                 // "POST"
  std::string_view target;                 // request-target as on the wire: "/path?query"
  std::span<const sigv4::Header> headers;  // all headers, any case
  std::string_view body;
};

class SigV4Verifier {
 public:
  struct Options {
    std::string region = "us-east-1";
    // Credential-scope service: "acm-pca". "s3" also selects S3's canonical URI (not encoded
    // twice) and allows x-amz-content-sha256: UNSIGNED-PAYLOAD with the Authorization header.
    std::string service = "acm-pca";
    std::chrono::seconds max_clock_skew{15 * 60};
    // When not empty, the credential scope may name any of these regions instead of `region`.
    std::vector<std::string> regions;
  };

  SigV4Verifier(Options options, CredentialLookup lookup, const Clock& clock);

  // Returns the caller's credential, or:
  //   kMissingAuthenticationToken  no Authorization header and no X-Amz-Algorithm query param
  //   kIncompleteSignature         a part is missing or malformed
  //   kRequestExpired              X-Amz-Date too far from now, or a presigned URL expired
  //   kInvalidSignature            wrong scope (region/service/date/terminator), host unsigned,
  //                                payload hash mismatch, wrong signature
  //   kUnrecognizedClient          unknown access key id
  //   any other error the CredentialLookup returns (e.g. kInternal), unchanged.
  Result<Credential> Verify(const SignableRequest& request) const;

  const Options& options() const { return options_; }

 private:
  struct Parsed;
  Status CheckScopeAndTime(const Parsed& p) const;
  Result<Credential> CheckSignature(const Parsed& p, const SignableRequest& request) const;

  Options options_;
  CredentialLookup lookup_;
  const Clock& clock_;
  bool s3_;
};

// Client side.
struct SigningParams {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view region;
  std::string_view service;
  TimePoint time;
  // If set, used as the payload hash instead of SHA-256(body), e.g. "UNSIGNED-PAYLOAD" (send a
  // matching X-Amz-Content-Sha256 header yourself).
  std::string_view payload_hash = {};
};

// Signs like botocore's SigV4Auth: every header in request.headers (which must include Host) is
// signed, plus X-Amz-Date. The payload hash is params.payload_hash or the SHA-256 of
// request.body. Returns the headers to
// add to the request: {"X-Amz-Date", ...}, {"Authorization", ...}.
std::vector<std::pair<std::string, std::string>> SignRequest(const SignableRequest& request,
                                                             const SigningParams& params);

// Presigns like botocore's SigV4QueryAuth: returns request.target with X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature appended.
// Signs the headers in request.headers (must include Host); the payload hash is UNSIGNED-PAYLOAD
// if `unsigned_payload`, else the SHA-256 of request.body.
std::string PresignTarget(const SignableRequest& request, const SigningParams& params,
                          std::chrono::seconds expires, bool unsigned_payload = false);

// "20150830T123600Z"
std::string FormatAmzDate(TimePoint t);
// Parses the ISO 8601 basic format above; nullopt if malformed.
std::optional<TimePoint> ParseAmzDate(std::string_view text);

}  // namespace openpca::api

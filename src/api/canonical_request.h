// The pieces of an AWS Signature Version 4 computation, exactly as the AWS documentation and
// botocore define them: canonical URI / query / headers, canonical request, string to sign,
// signing key. Shared by the verifier and the client-side signer (sigv4.h). Pure functions;
// thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/digest.h"

namespace openpca::api::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// One HTTP header as received (any case; a name may repeat).
struct Header {
  std::string_view name;
  std::string_view value;
};

// A decoded query parameter.
struct QueryParam {
  std::string name;
  std::string value;
};

// AWS URI encoding: A-Z a-z 0-9 - . _ ~ stay, every other byte becomes %XX (upper-case hex);
// '/' stays unless `encode_slash`.
void AppendUriEncoded(std::string_view in, bool encode_slash, std::string* out);
// Decodes %XX sequences ('+' stays '+'; a malformed '%' stays literal).
std::string PercentDecode(std::string_view in);

// RFC 3986 5.2.4 plus removal of empty segments, as botocore's normalize_url_path.
std::string RemoveDotSegments(std::string_view path);

// The canonical URI of a path as received on the wire. Every service but S3 encodes the
// (already encoded) path again after normalizing it; S3 uses the path exactly as sent.
std::string CanonicalUri(std::string_view raw_path, bool s3);

// Decoded parameters of a raw query string (no leading '?'); empty segments are skipped.
std::vector<QueryParam> ParseQuery(std::string_view raw_query);

// Parameters re-encoded, sorted by name then value, joined with '&'; parameters named
// `exclude` (X-Amz-Signature for presigned requests) are left out.
std::string CanonicalQueryString(std::string_view raw_query, std::string_view exclude = {});

// Appends "name:value\n" for each name of the ';'-separated `signed_headers`, in that order,
// with the values of every header of that name (case-insensitive) trimmed, inner whitespace runs
// collapsed to one space, and joined with ','.
void AppendCanonicalHeaders(std::span<const Header> headers, std::string_view signed_headers,
                            std::string* out);

struct CanonicalRequestParts {
  std::string_view method;
  std::string_view raw_path;
  std::string_view raw_query;
  std::span<const Header> headers;
  std::string_view signed_headers;  // "content-type;host;x-amz-date"
  std::string_view payload_hash;    // hex SHA-256 or UNSIGNED-PAYLOAD
  bool s3 = false;
  std::string_view exclude_query_param;
};
std::string CanonicalRequest(const CanonicalRequestParts& parts);

// "<yyyymmdd>/<region>/<service>/aws4_request"
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
Sha256Digest DeriveSigningKey(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service);

// Lower-case hex HMAC(signing_key, string_to_sign).
std::string ComputeSignature(const Sha256Digest& signing_key, std::string_view string_to_sign);

// Case-insensitive ASCII comparison of header names.
bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace openpca::api::sigv4

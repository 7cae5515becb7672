#include "api/sigv4.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "common/bytes.h"

namespace openpca::api {
namespace {

using sigv4::Header;
using sigv4::HeaderNameEquals;

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr int64_t kMaxPresignExpires = 604800;  // 7 days, as AWS

std::string_view FindHeader(std::span<const Header> headers, std::string_view name) {
  for (const Header& h : headers) {
    if (HeaderNameEquals(h.name, name)) return h.value;
  }
  return {};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void SplitTarget(std::string_view target, std::string_view* path, std::string_view* query) {
  size_t q = target.find('?');
  *path = target.substr(0, q);
  *query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

bool ContainsToken(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t semi = list.find(';', start);
    if (semi == std::string_view::npos) semi = list.size();
    if (HeaderNameEquals(list.substr(start, semi - start), token)) return true;
    start = semi + 1;
  }
  return false;
}

// Derived signing keys, per thread so that lookups take no lock. A handful of entries covers
// the few credentials and the date rollover a thread sees.
Sha256Digest CachedSigningKey(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service) {
  struct Entry {
    bool used = false;
    std::string secret, date, region, service;
    Sha256Digest key;
  };
  thread_local std::array<Entry, 8> cache;
  thread_local size_t next = 0;
  for (const Entry& e : cache) {
    if (e.used && e.date == date && e.region == region && e.service == service &&
        e.secret == secret) {
      return e.key;
    }
  }
  Entry& e = cache[next++ % cache.size()];
  e.used = true;
  e.secret.assign(secret);
  e.date.assign(date);
  e.region.assign(region);
  e.service.assign(service);
  e.key = sigv4::DeriveSigningKey(secret, date, region, service);
  return e.key;
}

std::string LowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string SignedHeaderList(std::span<const Header> headers) {
  std::vector<std::string> names;
  names.reserve(headers.size());
  for (const Header& h : headers) names.push_back(LowerCase(Trim(h.name)));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out.push_back(';');
    out += n;
  }
  return out;
}

std::string Encoded(std::string_view s) {
  std::string out;
  sigv4::AppendUriEncoded(s, /*encode_slash=*/true, &out);
  return out;
}

}  // namespace

std::string FormatAmzDate(TimePoint t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto days = std::chrono::floor<std::chrono::days>(secs);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(secs - days);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::optional<TimePoint> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto num = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!num(0, 4, &y) || !num(4, 2, &mo) || !num(6, 2, &d) || !num(9, 2, &h) || !num(11, 2, &mi) ||
      !num(13, 2, &s)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                  std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(s);
}

// What Verify() extracted from the header or query; views into the request or `params`.
struct SigV4Verifier::Parsed {
  bool presigned = false;
  std::vector<sigv4::QueryParam> params;  // presigned only
  std::string_view raw_path;
  std::string_view raw_query;
  std::string_view credential;  // AKID/date/region/service/aws4_request
  std::string_view signed_headers;
  std::string_view signature;
  std::string_view amz_date;
  int64_t expires = 0;  // presigned only
  // From `credential`:
  std::string_view access_key_id;
  std::string_view scope_date;
  std::string_view region;
  std::string_view service;
  std::string_view terminator;
  std::string_view scope;  // date/region/service/terminator
  TimePoint time;
};

SigV4Verifier::SigV4Verifier(Options options, CredentialLookup lookup, const Clock& clock)
    : options_(std::move(options)),
      lookup_(std::move(lookup)),
      clock_(clock),
      s3_(options_.service == "s3") {}

Result<Credential> SigV4Verifier::Verify(const SignableRequest& request) const {
  Parsed p;
  SplitTarget(request.target, &p.raw_path, &p.raw_query);
  std::string_view auth = Trim(FindHeader(request.headers, "authorization"));

  bool query_auth = false;
  if (p.raw_query.find("X-Amz-") != std::string_view::npos) {
    p.params = sigv4::ParseQuery(p.raw_query);
    query_auth = std::any_of(p.params.begin(), p.params.end(), [](const sigv4::QueryParam& q) {
      return q.name == "X-Amz-Algorithm" || q.name == "X-Amz-Credential" ||
             q.name == "X-Amz-Signature";
    });
  }
  if (auth.empty() && !query_auth) {
    return Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  }
  if (!auth.empty() && query_auth) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or "
                  "the Authorization header should be specified");
  }

  if (!auth.empty()) {
    if (!auth.starts_with(sigv4::kAlgorithm) || auth.size() == sigv4::kAlgorithm.size() ||
        (auth[sigv4::kAlgorithm.size()] != ' ' && auth[sigv4::kAlgorithm.size()] != '\t')) {
      return Status(ErrorCode::kIncompleteSignature,
                    "Unsupported Authorization type: only AWS4-HMAC-SHA256 is accepted");
    }
    std::string_view rest = auth.substr(sigv4::kAlgorithm.size());
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view part = Trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = part.substr(0, eq);
      std::string_view value = Trim(part.substr(eq + 1));
      if (key == "Credential") {
        p.credential = value;
      } else if (key == "SignedHeaders") {
        p.signed_headers = value;
      } else if (key == "Signature") {
        p.signature = value;
      }
    }
    p.amz_date = Trim(FindHeader(request.headers, "x-amz-date"));
    std::string missing;
    if (p.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
    if (p.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
    if (p.signed_headers.empty()) {
      missing += "Authorization header requires 'SignedHeaders' parameter. ";
    }
    if (p.amz_date.empty()) {
      missing +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (!missing.empty()) {
      missing.pop_back();
      return Status(ErrorCode::kIncompleteSignature, std::move(missing));
    }
  } else {
    p.presigned = true;
    std::string_view algorithm;
    std::string_view expires;
    bool has_expires = false;
    for (const sigv4::QueryParam& q : p.params) {
      if (q.name == "X-Amz-Algorithm") algorithm = q.value;
      if (q.name == "X-Amz-Credential") p.credential = q.value;
      if (q.name == "X-Amz-Date") p.amz_date = q.value;
      if (q.name == "X-Amz-SignedHeaders") p.signed_headers = q.value;
      if (q.name == "X-Amz-Signature") p.signature = q.value;
      if (q.name == "X-Amz-Expires") expires = q.value, has_expires = true;
    }
    if (algorithm.empty() || p.credential.empty() || p.amz_date.empty() ||
        p.signed_headers.empty() || p.signature.empty() || !has_expires) {
      return Status(ErrorCode::kIncompleteSignature,
                    "AWS query-string parameters must include 'X-Amz-Algorithm', "
                    "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', "
                    "'X-Amz-Expires'. Re-examine the query-string parameters.");
    }
    if (algorithm != sigv4::kAlgorithm) {
      return Status(ErrorCode::kIncompleteSignature,
                    "X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'");
    }
    bool ok =
        !expires.empty() && expires.size() <= 7 &&
        std::all_of(expires.begin(), expires.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (ok) p.expires = std::stoll(std::string(expires));
    if (!ok || p.expires < 1 || p.expires > kMaxPresignExpires) {
      return Status(ErrorCode::kIncompleteSignature,
                    "X-Amz-Expires must be a number between 1 and 604800 seconds");
    }
  }

  // Credential = AKID/date/region/service/terminator.
  std::array<std::string_view, 5> parts;
  size_t n = 0;
  bool too_many = false;
  for (size_t start = 0;;) {
    size_t slash = p.credential.find('/', start);
    if (n == parts.size()) {
      too_many = true;
      break;
    }
    parts[n++] = p.credential.substr(start, slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (too_many || n != parts.size() || parts[0].empty()) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Credential must have exactly 5 slash-delimited elements, e.g. "
                  "keyid/date/region/service/term, got '" +
                      std::string(p.credential) + "'");
  }
  p.access_key_id = parts[0];
  p.scope_date = parts[1];
  p.region = parts[2];
  p.service = parts[3];
  p.terminator = parts[4];
  p.scope = p.credential.substr(p.access_key_id.size() + 1);

  std::optional<TimePoint> time = ParseAmzDate(p.amz_date);
  if (!time.has_value()) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Date must be in ISO-8601 'basic format'. Got '" + std::string(p.amz_date) +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  p.time = *time;

  RETURN_IF_ERROR(CheckScopeAndTime(p));
  return CheckSignature(p, request);
}

Status SigV4Verifier::CheckScopeAndTime(const Parsed& p) const {
  if (p.terminator != sigv4::kTerminator) {
    return Status(ErrorCode::kInvalidSignature,
                  "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                      std::string(p.terminator) + "'.");
  }
  if (p.scope_date != p.amz_date.substr(0, 8)) {
    return Status(ErrorCode::kInvalidSignature,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                  "date from HTTP: '" +
                      std::string(p.scope_date) + "' != '" + std::string(p.amz_date.substr(0, 8)) +
                      "', from '" + std::string(p.amz_date) + "'.");
  }
  bool region_ok = options_.regions.empty()
                       ? p.region == options_.region
                       : std::find(options_.regions.begin(), options_.regions.end(), p.region) !=
                             options_.regions.end();
  if (!region_ok) {
    return Status(
        ErrorCode::kInvalidSignature,
        "Credential should be scoped to a valid region, not '" + std::string(p.region) + "'.");
  }
  if (p.service != options_.service) {
    return Status(ErrorCode::kInvalidSignature,
                  "Credential should be scoped to correct service: '" + options_.service + "'.");
  }
  if (!ContainsToken(p.signed_headers, "host")) {
    return Status(ErrorCode::kInvalidSignature,
                  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  TimePoint now = clock_.Now();
  std::string skew = std::to_string(options_.max_clock_skew.count() / 60) + " min.)";
  if (p.time > now + options_.max_clock_skew) {
    return Status(ErrorCode::kRequestExpired,
                  "Signature not yet current: " + std::string(p.amz_date) +
                      " is still later than " + FormatAmzDate(now + options_.max_clock_skew) +
                      " (" + FormatAmzDate(now) + " + " + skew);
  }
  if (p.presigned) {
    TimePoint expiry = p.time + std::chrono::seconds(p.expires);
    if (now > expiry) {
      return Status(ErrorCode::kRequestExpired,
                    "Signature expired: " + FormatAmzDate(expiry) + " is now earlier than " +
                        FormatAmzDate(now) + " (X-Amz-Date " + std::string(p.amz_date) +
                        " + X-Amz-Expires " + std::to_string(p.expires) + " s)");
    }
  } else if (p.time < now - options_.max_clock_skew) {
    return Status(ErrorCode::kRequestExpired, "Signature expired: " + std::string(p.amz_date) +
                                                  " is now earlier than " +
                                                  FormatAmzDate(now - options_.max_clock_skew) +
                                                  " (" + FormatAmzDate(now) + " - " + skew);
  }
  return Status::Ok();
}

Result<Credential> SigV4Verifier::CheckSignature(const Parsed& p,
                                                 const SignableRequest& request) const {
  std::string_view session_token = Trim(FindHeader(request.headers, "x-amz-security-token"));
  if (p.presigned && session_token.empty()) {
    for (const sigv4::QueryParam& q : p.params) {
      if (q.name == "X-Amz-Security-Token") session_token = q.value;
    }
  }
  Result<Credential> cred = lookup_(std::string(p.access_key_id), session_token);
  if (!cred.ok()) {
    if (cred.status().code() == ErrorCode::kUnrecognizedClient) {
      return Status(ErrorCode::kUnrecognizedClient,
                    "The security token included in the request is invalid.");
    }
    return cred.status();  // fail closed: a lookup failure is never "authenticated"
  }

  // Candidate payload hashes, most likely first.
  std::array<std::string, 2> candidates;
  size_t count = 0;
  std::string_view content_sha = Trim(FindHeader(request.headers, "x-amz-content-sha256"));
  if (!content_sha.empty()) {
    if (content_sha == sigv4::kUnsignedPayload) {
      if (!p.presigned && !s3_) {
        return Status(ErrorCode::kInvalidSignature,
                      "UNSIGNED-PAYLOAD is only accepted for presigned or S3 requests.");
      }
    } else if (Sha256Hex(request.body) != LowerCase(content_sha)) {
      return Status(ErrorCode::kInvalidSignature,
                    "The provided 'x-amz-content-sha256' header does not match what was "
                    "computed.");
    }
    candidates[count++] = std::string(content_sha);
  } else if (p.presigned && s3_) {
    candidates[count++] = std::string(sigv4::kUnsignedPayload);
    candidates[count++] = Sha256Hex(request.body);
  } else {
    candidates[count++] = Sha256Hex(request.body);
    if (p.presigned) candidates[count++] = std::string(sigv4::kUnsignedPayload);
  }

  Sha256Digest key = CachedSigningKey(cred->secret_access_key, p.scope_date, p.region, p.service);
  for (size_t i = 0; i < count; ++i) {
    std::string canonical = sigv4::CanonicalRequest({
        .method = request.method,
        .raw_path = p.raw_path,
        .raw_query = p.raw_query,
        .headers = request.headers,
        .signed_headers = p.signed_headers,
        .payload_hash = candidates[i],
        .s3 = s3_,
        .exclude_query_param = p.presigned ? "X-Amz-Signature" : "",
    });
    std::string expected =
        sigv4::ComputeSignature(key, sigv4::StringToSign(p.amz_date, p.scope, canonical));
    if (ConstantTimeEquals(expected, p.signature)) {
      cred->scope_region = std::string(p.region);
      cred->scope_service = std::string(p.service);
      return cred;
    }
  }
  return Status(ErrorCode::kInvalidSignature, std::string(kSignatureMismatch));
}

std::vector<std::pair<std::string, std::string>> SignRequest(const SignableRequest& request,
                                                             const SigningParams& params) {
  std::string amz_date = FormatAmzDate(params.time);
  std::vector<Header> headers(request.headers.begin(), request.headers.end());
  headers.push_back({"x-amz-date", amz_date});
  std::string signed_headers = SignedHeaderList(headers);
  std::string_view path, query;
  SplitTarget(request.target, &path, &query);
  std::string payload =
      params.payload_hash.empty() ? Sha256Hex(request.body) : std::string(params.payload_hash);
  std::string canonical = sigv4::CanonicalRequest({
      .method = request.method,
      .raw_path = path,
      .raw_query = query,
      .headers = headers,
      .signed_headers = signed_headers,
      .payload_hash = payload,
      .s3 = params.service == "s3",
      .exclude_query_param = {},
  });
  std::string date = amz_date.substr(0, 8);
  std::string scope = sigv4::CredentialScope(date, params.region, params.service);
  std::string signature = sigv4::ComputeSignature(
      CachedSigningKey(params.secret_access_key, date, params.region, params.service),
      sigv4::StringToSign(amz_date, scope, canonical));
  std::string authorization = std::string(sigv4::kAlgorithm) +
                              " Credential=" + std::string(params.access_key_id) + "/" + scope +
                              ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
  return {{"X-Amz-Date", std::move(amz_date)}, {"Authorization", std::move(authorization)}};
}

std::string PresignTarget(const SignableRequest& request, const SigningParams& params,
                          std::chrono::seconds expires, bool unsigned_payload) {
  std::string amz_date = FormatAmzDate(params.time);
  std::string date = amz_date.substr(0, 8);
  std::string scope = sigv4::CredentialScope(date, params.region, params.service);
  std::string signed_headers = SignedHeaderList(request.headers);
  std::string_view path, query;
  SplitTarget(request.target, &path, &query);
  std::string new_query(query);
  if (!new_query.empty()) new_query.push_back('&');
  new_query += "X-Amz-Algorithm=" + std::string(sigv4::kAlgorithm);
  new_query += "&X-Amz-Credential=" + Encoded(std::string(params.access_key_id) + "/" + scope);
  new_query += "&X-Amz-Date=" + amz_date;
  new_query += "&X-Amz-Expires=" + std::to_string(expires.count());
  new_query += "&X-Amz-SignedHeaders=" + Encoded(signed_headers);
  std::string payload =
      unsigned_payload ? std::string(sigv4::kUnsignedPayload) : Sha256Hex(request.body);
  std::string canonical = sigv4::CanonicalRequest({
      .method = request.method,
      .raw_path = path,
      .raw_query = new_query,
      .headers = request.headers,
      .signed_headers = signed_headers,
      .payload_hash = payload,
      .s3 = params.service == "s3",
      .exclude_query_param = {},
  });
  std::string signature = sigv4::ComputeSignature(
      CachedSigningKey(params.secret_access_key, date, params.region, params.service),
      sigv4::StringToSign(amz_date, scope, canonical));
  return std::string(path) + "?" + new_query + "&X-Amz-Signature=" + signature;
}

}  // namespace openpca::api

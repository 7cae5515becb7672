#include "api/handlers/s3_handlers.h"

#include <cctype>
#include <ctime>
#include <map>

#include "common/bucket_name.h"

namespace openpca::api {
namespace {

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = HexDecode(s.substr(i + 1, 2));
      if (hex) {
        out.push_back(static_cast<char>((*hex)[0]));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    size_t eq = part.find('=');
    std::string key = UrlDecode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1), true);
    if (!key.empty()) out[key] = value;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// Query parameters that name another S3 operation on the bucket or object (?acl, ?tagging, ...).
// Only the listing's own parameters and GetBucketLocation are served; the rest must not fall
// through to a listing or the object body, which clients would misread.
constexpr std::string_view kSubresources[] = {
    "accelerate",        "acl",         "analytics",    "attributes",   "cors",
    "encryption",        "intelligent-tiering",         "inventory",    "legal-hold",
    "lifecycle",         "logging",     "metrics",      "notification", "object-lock",
    "ownershipControls", "policy",      "policyStatus", "publicAccessBlock",
    "replication",       "requestPayment",              "restore",      "retention",
    "select",            "tagging",     "torrent",      "uploadId",     "uploads",
    "versioning",        "versions",    "website"};

bool IsSubresourceRequest(const std::map<std::string, std::string>& q) {
  for (const auto& [name, value] : q) {
    for (std::string_view sub : kSubresources) {
      if (name == sub) return true;
    }
  }
  return false;
}

std::string Iso8601(int64_t s) {
  time_t t = static_cast<time_t>(s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::string HttpDate(int64_t s) {
  time_t t = static_cast<time_t>(s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

HttpResponse XmlResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/xml");
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body;
  return r;
}

HttpResponse S3Error(int status, std::string_view code, std::string_view message, bool head,
                     std::string_view resource = "") {
  if (head) {
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("x-amz-error-code", std::string(code));
    return r;
  }
  std::string body = "<Error><Code>" + XmlEscape(code) + "</Code><Message>" +
                     XmlEscape(message) + "</Message>";
  if (!resource.empty()) body += "<Resource>" + XmlEscape(resource) + "</Resource>";
  body += "</Error>";
  return XmlResponse(status, std::move(body));
}

// The Host header without its port, lower case, when it could name a bucket (bucket names are
// never IP addresses) and has a dot (a bare name like "localhost" is never taken for one); ""
// otherwise.
std::string VirtualHostBucket(std::string_view host) {
  host = host.substr(0, host.find(':'));  // an IPv6 literal "[::1]:80" becomes "[", not a name
  std::string out;
  for (char c : host) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (out.find('.') == std::string::npos || !IsValidBucketName(out)) return "";
  return out;
}

// S3's answer to an operation it does not implement.
HttpResponse NotImplemented(bool head) {
  return S3Error(501, "NotImplemented",
                 "A header you provided implies functionality that is not implemented", head);
}

HttpResponse AuthError(const Status& st, bool head) {
  switch (st.code()) {
    case ErrorCode::kMissingAuthenticationToken:
      return S3Error(403, "AccessDenied", "Access Denied", head);
    case ErrorCode::kUnrecognizedClient:
      return S3Error(403, "InvalidAccessKeyId",
                     "The AWS Access Key Id you provided does not exist in our records.", head);
    case ErrorCode::kRequestExpired:
      return S3Error(403, "RequestTimeTooSkewed",
                     "The difference between the request time and the current time is too large.",
                     head);
    case ErrorCode::kIncompleteSignature:
      return S3Error(400, "AuthorizationHeaderMalformed", st.message(), head);
    case ErrorCode::kInternal:
      return S3Error(500, "InternalError", "We encountered an internal error. Please try again.",
                     head);
    default:
      return S3Error(403, "SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your key and signing method.",
                     head);
  }
}

}  // namespace

S3Handlers::S3Handlers(objects::BucketStore& buckets, std::string region,
                       CredentialLookup lookup, const Clock& clock)
    : buckets_(buckets),
      region_(region),
      verifier_(SigV4Verifier::Options{std::move(region), "s3"}, std::move(lookup), clock) {}

HttpResponse S3Handlers::Get(const HttpRequest& request) { return Handle(request, false); }
HttpResponse S3Handlers::Head(const HttpRequest& request) { return Handle(request, true); }

HttpResponse S3Handlers::Handle(const HttpRequest& request, bool head) {
  std::string_view path = request.path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string bucket;
  std::string key;
  if (std::string host = VirtualHostBucket(request.Header("host"));
      !host.empty() && buckets_.BucketExists(host)) {
    // Virtual-hosted style: a bucket named like the host, as S3 serves a CNAME pointed at it (a
    // CRL's CustomCname).
    bucket = std::move(host);
    key = UrlDecode(path, false);
  } else {
    size_t slash = path.find('/');
    bucket = UrlDecode(path.substr(0, slash), false);
    key = slash == std::string_view::npos ? "" : UrlDecode(path.substr(slash + 1), false);
  }
  auto signed_request = [&]() -> Status {
    auto cred = verifier_.Verify(request.Signable());
    return cred.ok() ? Status::Ok() : cred.status();
  };

  if (bucket.empty()) {  // ListBuckets
    if (Status st = signed_request(); !st.ok()) return AuthError(st, head);
    std::string body =
        "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>"
        "openpca</ID></Owner><Buckets>";
    for (const auto& b : buckets_.Buckets()) {
      body += "<Bucket><Name>" + XmlEscape(b.name) + "</Name><CreationDate>" +
              Iso8601(b.created_s) + "</CreationDate></Bucket>";
    }
    body += "</Buckets></ListAllMyBucketsResult>";
    return XmlResponse(200, std::move(body));
  }
  if (!buckets_.BucketExists(bucket)) {
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", head, bucket);
  }

  if (key.empty()) {  // HeadBucket / ListObjects
    if (Status st = signed_request(); !st.ok()) return AuthError(st, head);
    if (head) return HttpResponse{200, {}, ""};
    auto q = ParseQuery(request.query);
    if (q.count("location")) {  // GetBucketLocation: us-east-1 is the empty constraint
      return XmlResponse(200,
                         "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
                             (region_ == "us-east-1" ? std::string() : XmlEscape(region_)) +
                             "</LocationConstraint>");
    }
    if (IsSubresourceRequest(q)) return NotImplemented(head);
    int max_keys = 1000;
    if (q.count("max-keys")) {
      try {
        max_keys = std::clamp(std::stoi(q["max-keys"]), 0, 1000);
      } catch (...) {
        return S3Error(400, "InvalidArgument", "max-keys must be an integer", head);
      }
    }
    std::string start_after = q["start-after"];
    if (q.count("continuation-token")) {
      auto raw = Base64Decode(q["continuation-token"]);
      if (!raw) return S3Error(400, "InvalidArgument", "The continuation token is invalid.", head);
      start_after = std::string(AsStringView(*raw));
    }
    if (q.count("marker")) start_after = q["marker"];
    auto page = buckets_.List(bucket, q["prefix"], q["delimiter"], start_after, max_keys);
    if (!page.ok()) {
      return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", head, bucket);
    }
    const bool url = q["encoding-type"] == "url";
    auto enc = [&](std::string_view s) { return XmlEscape(url ? UrlEncode(s) : std::string(s)); };
    std::string body = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" +
                       XmlEscape(bucket) + "</Name><Prefix>" + enc(q["prefix"]) + "</Prefix>";
    if (q.count("delimiter")) body += "<Delimiter>" + enc(q["delimiter"]) + "</Delimiter>";
    if (url) body += "<EncodingType>url</EncodingType>";
    body += "<MaxKeys>" + std::to_string(max_keys) + "</MaxKeys><KeyCount>" +
            std::to_string(page->objects.size() + page->common_prefixes.size()) +
            "</KeyCount><IsTruncated>" + (page->truncated ? "true" : "false") + "</IsTruncated>";
    if (page->truncated) {
      std::string token = Base64Encode(AsSpan(page->next_start_after));
      body += "<NextContinuationToken>" + XmlEscape(token) + "</NextContinuationToken>";
      body += "<NextMarker>" + enc(page->next_start_after) + "</NextMarker>";
    }
    if (q.count("continuation-token")) {
      body += "<ContinuationToken>" + XmlEscape(q["continuation-token"]) + "</ContinuationToken>";
    }
    for (const auto& o : page->objects) {
      body += "<Contents><Key>" + enc(o.key) + "</Key><LastModified>" +
              Iso8601(o.last_modified_s) + "</LastModified><ETag>" + XmlEscape(o.etag) +
              "</ETag><Size>" + std::to_string(o.size) +
              "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    }
    for (const auto& p : page->common_prefixes) {
      body += "<CommonPrefixes><Prefix>" + enc(p) + "</Prefix></CommonPrefixes>";
    }
    body += "</ListBucketResult>";
    return XmlResponse(200, std::move(body));
  }

  auto info = buckets_.Head(bucket, key);
  // Anonymous reads are allowed for public-read objects (CRLs, as relying parties need).
  bool anonymous = request.Header("authorization").empty() &&
                   request.query.find("X-Amz-Signature") == std::string_view::npos;
  const bool subresource = IsSubresourceRequest(ParseQuery(request.query));
  if (!(anonymous && info.ok() && info->public_read && !subresource)) {
    if (Status st = signed_request(); !st.ok()) return AuthError(st, head);
  }
  if (subresource) return NotImplemented(head);
  if (!info.ok()) {
    if (info.status().code() == ErrorCode::kResourceNotFound) {
      return S3Error(404, "NoSuchKey", "The specified key does not exist.", head, key);
    }
    return S3Error(500, "InternalError", "We encountered an internal error.", head);
  }
  HttpResponse r;
  r.headers.emplace_back("Content-Type", info->content_type);
  r.headers.emplace_back("ETag", info->etag);
  r.headers.emplace_back("Last-Modified", HttpDate(info->last_modified_s));
  r.headers.emplace_back("Accept-Ranges", "bytes");
  int64_t begin = 0;
  int64_t end = info->size - 1;
  std::string_view range = request.Header("range");
  if (!range.empty() && range.rfind("bytes=", 0) == 0) {
    std::string_view spec = range.substr(6);
    size_t dash = spec.find('-');
    try {
      if (dash == 0) {  // suffix: the last N bytes
        int64_t n = std::stoll(std::string(spec.substr(1)));
        begin = std::max<int64_t>(0, info->size - n);
      } else if (dash != std::string_view::npos) {
        begin = std::stoll(std::string(spec.substr(0, dash)));
        if (dash + 1 < spec.size()) end = std::min<int64_t>(end, std::stoll(std::string(spec.substr(dash + 1))));
      }
    } catch (...) {
      begin = 0;
    }
    if (begin >= info->size || begin > end) {
      return S3Error(416, "InvalidRange", "The requested range is not satisfiable", head);
    }
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(begin) + "-" +
                                                std::to_string(end) + "/" +
                                                std::to_string(info->size));
  }
  if (head) {
    r.headers.emplace_back("x-openpca-content-length", std::to_string(end - begin + 1));
    return r;
  }
  auto data = buckets_.Read(bucket, key);
  if (!data.ok()) return S3Error(404, "NoSuchKey", "The specified key does not exist.", head, key);
  if (end >= static_cast<int64_t>(data->size())) end = static_cast<int64_t>(data->size()) - 1;
  r.body = data->substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin + 1));
  return r;
}

}  // namespace openpca::api

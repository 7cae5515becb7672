#include "api/handlers/s3_handlers.h"

#include <cctype>
#include <ctime>
#include <map>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "common/arn.h"
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

std::string NewRequestId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id(16, '0');
  uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return id;
}

HttpResponse S3Error(int status, std::string_view code, std::string_view message, bool head,
                     std::string_view resource = "") {
  const std::string request_id = NewRequestId();
  if (head) {
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("x-amz-error-code", std::string(code));
    r.headers.emplace_back("x-amz-request-id", request_id);
    return r;
  }
  std::string body = "<Error><Code>" + XmlEscape(code) + "</Code><Message>" +
                     XmlEscape(message) + "</Message>";
  if (!resource.empty()) body += "<Resource>" + XmlEscape(resource) + "</Resource>";
  body += "<RequestId>" + request_id + "</RequestId></Error>";
  HttpResponse r = XmlResponse(status, std::move(body));
  r.headers.emplace_back("x-amz-request-id", request_id);
  return r;
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
    case ErrorCode::kAccessDenied:
      return S3Error(403, "AccessDenied", "Access Denied", head);
    case ErrorCode::kExpiredToken:
      return S3Error(400, "ExpiredToken", "The provided token has expired.", head);
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

constexpr char kS3Xmlns[] = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr char kAllUsers[] = "http://acs.amazonaws.com/groups/global/AllUsers";

std::string Grant(std::string_view type, std::string_view grantee, std::string_view permission) {
  return "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:type=\"" +
         std::string(type) + "\">" + std::string(grantee) + "</Grantee><Permission>" +
         std::string(permission) + "</Permission></Grant>";
}

// A BucketStore failure as S3 reports it.
HttpResponse StoreError(const Status& st, std::string_view resource, bool head,
                        bool object = false) {
  switch (st.code()) {
    case ErrorCode::kResourceNotFound:
      return object ? S3Error(404, "NoSuchKey", "The specified key does not exist.", head, resource)
                    : S3Error(404, "NoSuchBucket", "The specified bucket does not exist", head,
                              resource);
    case ErrorCode::kAccessDenied:
      return S3Error(403, "AccessDenied", "Access Denied", head, resource);
    case ErrorCode::kInvalidState:
      return S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", head,
                     resource);
    case ErrorCode::kInvalidArgs:
      return S3Error(400, "InvalidArgument", st.message(), head, resource);
    default:
      return S3Error(500, "InternalError", "We encountered an internal error. Please try again.",
                     head, resource);
  }
}

// The text of the first <tag>...</tag> in `xml`; nullopt when absent.
std::optional<std::string> XmlElement(std::string_view xml, std::string_view tag) {
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  size_t a = xml.find(open);
  if (a == std::string_view::npos) return std::nullopt;
  a += open.size();
  size_t b = xml.find(close, a);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view v = xml.substr(a, b - a);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return std::string(v);
}

// Canned ACLs that grant everyone read access.
bool CannedAclIsPublicRead(std::string_view acl) {
  return acl == "public-read" || acl == "public-read-write";
}

HttpResponse Empty(int status) { return HttpResponse{status, {}, ""}; }

// The request's x-amz-meta-<name> headers, names in lower case as S3 stores them.
std::vector<std::pair<std::string, std::string>> UserMetadata(const HttpRequest& request) {
  constexpr std::string_view kPrefix = "x-amz-meta-";
  std::vector<std::pair<std::string, std::string>> out;
  for (const sigv4::Header& h : request.headers) {
    std::string name;
    for (char c : h.name) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (name.size() > kPrefix.size() && name.starts_with(kPrefix)) {
      out.emplace_back(name.substr(kPrefix.size()), std::string(h.value));
    }
  }
  return out;
}

}  // namespace

S3Handlers::S3Handlers(objects::BucketStore& buckets, std::string region,
                       CredentialLookup lookup, const Clock& clock)
    : buckets_(buckets),
      region_(region),
      verifier_(SigV4Verifier::Options{std::move(region), "s3"}, std::move(lookup), clock) {}

Status S3Handlers::Check(const HttpRequest& request, std::string_view action,
                         std::string_view bucket, std::string_view key) const {
  ASSIGN_OR_RETURN(Credential cred, verifier_.Verify(request.Signable()));
  if (authorizer_ == nullptr) return Status::Ok();
  CallContext ctx;
  ctx.service = "s3";
  ctx.operation = std::string(action);
  ctx.region = cred.scope_region;
  ctx.account_id = cred.account_id;
  ctx.access_key_id = cred.access_key_id;
  ctx.session_token = std::string(request.Header("x-amz-security-token"));
  ctx.principal_type = cred.principal_type;
  ctx.principal_arn = cred.principal_arn;
  ctx.role_arn = cred.role_arn;
  ctx.user_id = cred.user_id;
  ctx.source_ip = std::string(request.source_ip);
  ActionSpec spec;
  spec.action = "s3:" + std::string(action);
  std::string resource = "*";
  if (!bucket.empty()) {
    resource = "arn:" + std::string(PartitionOfRegion(ctx.region)) + ":s3:::" +
               std::string(bucket) + (key.empty() ? "" : "/" + std::string(key));
  }
  return authorizer_->Authorize(ctx, spec, resource, {});
}

HttpResponse S3Handlers::Get(const HttpRequest& request) { return Handle(request, false); }
HttpResponse S3Handlers::Head(const HttpRequest& request) { return Handle(request, true); }

S3Handlers::Target S3Handlers::Resolve(const HttpRequest& request, bool creating) const {
  std::string_view path = request.path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  Target t;
  if (std::string host = VirtualHostBucket(request.Header("host"));
      !host.empty() && (buckets_.BucketExists(host) || (creating && path.empty()))) {
    // Virtual-hosted style: a bucket named like the host, as S3 serves a CNAME pointed at it (a
    // CRL's CustomCname); CreateBucket sent to <bucket>.<endpoint> names a bucket yet to be.
    t.bucket = std::move(host);
    t.key = UrlDecode(path, false);
  } else {
    size_t slash = path.find('/');
    t.bucket = UrlDecode(path.substr(0, slash), false);
    t.key = slash == std::string_view::npos ? "" : UrlDecode(path.substr(slash + 1), false);
  }
  return t;
}

HttpResponse S3Handlers::Handle(const HttpRequest& request, bool head) {
  Target target = Resolve(request, false);
  std::string& bucket = target.bucket;
  std::string& key = target.key;
  auto signed_request = [&](std::string_view action) -> Status {
    return Check(request, action, bucket, key);
  };

  if (bucket.empty()) {  // ListBuckets
    if (Status st = signed_request("ListAllMyBuckets"); !st.ok()) return AuthError(st, head);
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
    const auto bq = ParseQuery(request.query);
    std::string_view action = bq.count("location")            ? "GetBucketLocation"
                              : bq.count("policy")            ? "GetBucketPolicy"
                              : bq.count("publicAccessBlock") ? "GetBucketPublicAccessBlock"
                                                              : "ListBucket";
    if (Status st = signed_request(action); !st.ok()) return AuthError(st, head);
    if (head) return HttpResponse{200, {}, ""};
    auto q = ParseQuery(request.query);
    if (q.count("location")) {  // GetBucketLocation: us-east-1 is the empty constraint
      return XmlResponse(200,
                         std::string("<LocationConstraint xmlns=\"") + kS3Xmlns + "\">" +
                             (region_ == "us-east-1" ? std::string() : XmlEscape(region_)) +
                             "</LocationConstraint>");
    }
    if (q.count("policy")) {  // GetBucketPolicy: the document as it was put
      auto policy = buckets_.GetPolicy(bucket);
      if (!policy.ok()) return StoreError(policy.status(), bucket, head);
      if (!policy->has_value()) {
        return S3Error(404, "NoSuchBucketPolicy", "The bucket policy does not exist", head,
                       bucket);
      }
      HttpResponse r;
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = std::move(**policy);
      return r;
    }
    if (q.count("publicAccessBlock")) {  // GetPublicAccessBlock
      auto block = buckets_.GetPublicAccessBlock(bucket);
      if (!block.ok()) return StoreError(block.status(), bucket, head);
      if (!block->has_value()) {
        return S3Error(404, "NoSuchPublicAccessBlockConfiguration",
                       "The public access block configuration was not found", head, bucket);
      }
      auto flag = [](bool b) { return b ? "true" : "false"; };
      const objects::PublicAccessBlock& b = **block;
      return XmlResponse(200, std::string("<PublicAccessBlockConfiguration xmlns=\"") + kS3Xmlns +
                                  "\"><BlockPublicAcls>" + flag(b.block_public_acls) +
                                  "</BlockPublicAcls><IgnorePublicAcls>" +
                                  flag(b.ignore_public_acls) +
                                  "</IgnorePublicAcls><BlockPublicPolicy>" +
                                  flag(b.block_public_policy) +
                                  "</BlockPublicPolicy><RestrictPublicBuckets>" +
                                  flag(b.restrict_public_buckets) +
                                  "</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
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
    if (Status st = signed_request(subresource ? "GetObjectAcl" : "GetObject"); !st.ok()) {
      return AuthError(st, head);
    }
  }
  if (subresource) {
    auto q = ParseQuery(request.query);
    if (q.size() != 1 || !q.count("acl")) return NotImplemented(head);
    // GetObjectAcl
    if (!info.ok()) return StoreError(info.status(), key, head, /*object=*/true);
    std::string body = std::string("<AccessControlPolicy xmlns=\"") + kS3Xmlns +
                       "\"><Owner><ID>openpca</ID></Owner><AccessControlList>" +
                       Grant("CanonicalUser", "<ID>openpca</ID>", "FULL_CONTROL");
    if (info->public_read) {
      body += Grant("Group", "<URI>" + std::string(kAllUsers) + "</URI>", "READ");
    }
    body += "</AccessControlList></AccessControlPolicy>";
    return XmlResponse(200, std::move(body));
  }
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
  // User metadata under the name it was stored with (lower case): clients look it up by that
  // exact name once the x-amz-meta- prefix is stripped (aws cloudtrail validate-logs does).
  for (const auto& [name, value] : info->metadata) {
    r.headers.emplace_back("x-amz-meta-" + name, value);
  }
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

namespace openpca::api {

HttpResponse S3Handlers::Put(const HttpRequest& request) {
  const auto q = ParseQuery(request.query);
  Target target = Resolve(request, q.empty());
  const std::string& bucket = target.bucket;
  const std::string& key = target.key;
  if (bucket.empty()) return NotImplemented(false);
  std::string_view action = !key.empty()                    ? (q.count("acl") ? "PutObjectAcl"
                                                                              : "PutObject")
                            : q.empty()                     ? "CreateBucket"
                            : q.count("policy")             ? "PutBucketPolicy"
                            : q.count("publicAccessBlock") ? "PutBucketPublicAccessBlock"
                                                            : "PutBucketConfiguration";
  if (Status st = Check(request, action, bucket, key); !st.ok()) return AuthError(st, false);

  if (key.empty()) {
    if (q.empty()) return CreateBucket(request, bucket);
    if (!buckets_.BucketExists(bucket)) {
      return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", false, bucket);
    }
    if (q.size() == 1 && q.count("policy")) {  // PutBucketPolicy: stored as given
      nlohmann::json doc = nlohmann::json::parse(request.body, nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) {
        return S3Error(400, "MalformedPolicy", "Policies must be valid JSON and the first byte "
                       "must be '{'", false, bucket);
      }
      Status st = buckets_.PutPolicy(bucket, request.body);
      return st.ok() ? Empty(204) : StoreError(st, bucket, false);
    }
    if (q.size() == 1 && q.count("publicAccessBlock")) {  // PutPublicAccessBlock
      std::string_view xml = request.body;
      if (xml.find("<PublicAccessBlockConfiguration") == std::string_view::npos) {
        return S3Error(400, "MalformedXML",
                       "The XML you provided was not well-formed or did not validate against "
                       "our published schema",
                       false, bucket);
      }
      objects::PublicAccessBlock block;
      bool bad = false;
      auto flag = [&](std::string_view tag, bool* out) {
        auto v = XmlElement(xml, tag);
        if (!v.has_value()) return;
        if (*v == "true") {
          *out = true;
        } else if (*v != "false") {
          bad = true;
        }
      };
      flag("BlockPublicAcls", &block.block_public_acls);
      flag("IgnorePublicAcls", &block.ignore_public_acls);
      flag("BlockPublicPolicy", &block.block_public_policy);
      flag("RestrictPublicBuckets", &block.restrict_public_buckets);
      if (bad) {
        return S3Error(400, "MalformedXML",
                       "The XML you provided was not well-formed or did not validate against "
                       "our published schema",
                       false, bucket);
      }
      Status st = buckets_.PutPublicAccessBlock(bucket, block);
      return st.ok() ? Empty(200) : StoreError(st, bucket, false);
    }
    return NotImplemented(false);
  }

  if (!buckets_.BucketExists(bucket)) {
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", false, bucket);
  }
  if (q.size() == 1 && q.count("acl")) {  // PutObjectAcl: a canned ACL or an ACL document
    bool public_read = CannedAclIsPublicRead(request.Header("x-amz-acl"));
    if (request.Header("x-amz-acl").empty()) {
      std::string_view body = request.body;
      size_t at = body.find(kAllUsers);
      public_read = at != std::string_view::npos &&
                    body.find("<Permission>READ</Permission>", at) != std::string_view::npos;
    }
    auto info = buckets_.Head(bucket, key);
    if (!info.ok()) return StoreError(info.status(), key, false, /*object=*/true);
    Status st = buckets_.SetPublicRead(bucket, key, public_read);
    return st.ok() ? Empty(200) : StoreError(st, key, false, /*object=*/true);
  }
  if (!q.empty()) return NotImplemented(false);

  const bool public_read = CannedAclIsPublicRead(request.Header("x-amz-acl"));
  if (std::string_view source = request.Header("x-amz-copy-source"); !source.empty()) {
    // CopyObject: "/bucket/key" or "bucket/key", URL-encoded, maybe "?versionId=".
    std::string decoded = UrlDecode(source.substr(0, source.find('?')), false);
    std::string_view src = decoded;
    if (!src.empty() && src.front() == '/') src.remove_prefix(1);
    size_t slash = src.find('/');
    if (slash == std::string_view::npos) {
      return S3Error(400, "InvalidArgument", "Copy Source must mention the source bucket and key",
                     false);
    }
    std::string src_bucket(src.substr(0, slash));
    std::string src_key(src.substr(slash + 1));
    if (!buckets_.BucketExists(src_bucket)) {
      return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", false,
                     src_bucket);
    }
    auto info = buckets_.Head(src_bucket, src_key);
    auto data = buckets_.Read(src_bucket, src_key);
    if (!info.ok() || !data.ok()) return StoreError(info.status(), src_key, false, true);
    std::string content_type = request.Header("x-amz-metadata-directive") == "REPLACE" &&
                                       !request.Header("content-type").empty()
                                   ? std::string(request.Header("content-type"))
                                   : info->content_type;
    const bool replace = request.Header("x-amz-metadata-directive") == "REPLACE";
    Status st = buckets_.Put(bucket, key, AsSpan(*data), content_type, public_read,
                             replace ? UserMetadata(request) : info->metadata);
    if (!st.ok()) return StoreError(st, key, false, true);
    auto copied = buckets_.Head(bucket, key);
    if (!copied.ok()) return StoreError(copied.status(), key, false, true);
    return XmlResponse(200, std::string("<CopyObjectResult xmlns=\"") + kS3Xmlns +
                                "\"><LastModified>" + Iso8601(copied->last_modified_s) +
                                "</LastModified><ETag>" + XmlEscape(copied->etag) +
                                "</ETag></CopyObjectResult>");
  }
  // PutObject
  std::string content_type(request.Header("content-type"));
  if (content_type.empty()) content_type = "binary/octet-stream";
  Status st = buckets_.Put(bucket, key, AsSpan(request.body), content_type, public_read,
                           UserMetadata(request));
  if (!st.ok()) return StoreError(st, key, false, true);
  auto info = buckets_.Head(bucket, key);
  HttpResponse r;
  if (info.ok()) r.headers.emplace_back("ETag", info->etag);
  return r;
}

HttpResponse S3Handlers::CreateBucket(const HttpRequest& request, const std::string& bucket) {
  // The service's own paths are not bucket names anyone can have.
  if (bucket == "ocsp" || bucket == "health") {
    return S3Error(409, "BucketAlreadyExists",
                   "The requested bucket name is not available. The bucket namespace is shared by "
                   "all users of the system. Please select a different name and try again.",
                   false, bucket);
  }
  if (!IsValidBucketName(bucket)) {
    return S3Error(400, "InvalidBucketName", "The specified bucket is not valid.", false, bucket);
  }
  // The location constraint must name this endpoint's region (none for us-east-1).
  std::string constraint;
  if (!request.body.empty()) {
    constraint = XmlElement(request.body, "LocationConstraint").value_or("");
  }
  const std::string expected = region_ == "us-east-1" ? "" : region_;
  if (constraint != expected && !(region_ == "us-east-1" && constraint == "us-east-1")) {
    return S3Error(400, "IllegalLocationConstraintException",
                   constraint.empty()
                       ? "The unspecified location constraint is incompatible for the region "
                         "specific endpoint this request was sent to."
                       : "The " + constraint +
                             " location constraint is incompatible for the region specific "
                             "endpoint this request was sent to.",
                   false, bucket);
  }
  auto created = buckets_.CreateBucket(bucket);
  if (!created.ok()) return StoreError(created.status(), bucket, false);
  // Re-creating one's own bucket: 200 in us-east-1 (S3's legacy answer), 409 elsewhere.
  if (!*created && region_ != "us-east-1") {
    return S3Error(409, "BucketAlreadyOwnedByYou",
                   "Your previous request to create the named bucket succeeded and you already "
                   "own it.",
                   false, bucket);
  }
  HttpResponse r;
  r.headers.emplace_back("Location", "/" + bucket);
  return r;
}

HttpResponse S3Handlers::Delete(const HttpRequest& request) {
  const auto q = ParseQuery(request.query);
  Target target = Resolve(request, false);
  const std::string& bucket = target.bucket;
  const std::string& key = target.key;
  if (bucket.empty()) return NotImplemented(false);
  std::string_view action = !key.empty()                    ? "DeleteObject"
                            : q.empty()                     ? "DeleteBucket"
                            : q.count("policy")             ? "DeleteBucketPolicy"
                            : q.count("publicAccessBlock") ? "PutBucketPublicAccessBlock"
                                                            : "PutBucketConfiguration";
  if (Status st = Check(request, action, bucket, key); !st.ok()) return AuthError(st, false);
  if (!buckets_.BucketExists(bucket)) {
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", false, bucket);
  }
  if (key.empty()) {
    Status st;
    if (q.empty()) {
      st = buckets_.DeleteBucket(bucket);
    } else if (q.size() == 1 && q.count("policy")) {
      st = buckets_.DeletePolicy(bucket);
    } else if (q.size() == 1 && q.count("publicAccessBlock")) {
      st = buckets_.DeletePublicAccessBlock(bucket);
    } else {
      return NotImplemented(false);
    }
    return st.ok() ? Empty(204) : StoreError(st, bucket, false);
  }
  if (!q.empty()) return NotImplemented(false);
  Status st = buckets_.Delete(bucket, key);  // an absent key is not an error in S3
  return st.ok() ? Empty(204) : StoreError(st, key, false, true);
}

HttpResponse S3Handlers::Post(const HttpRequest& request) {
  // DeleteObjects, multipart uploads, RestoreObject, SelectObjectContent, browser POST uploads:
  // none is offered; the client gets S3's own answer, in S3's XML.
  if (auto cred = verifier_.Verify(request.Signable()); !cred.ok()) {
    return AuthError(cred.status(), false);
  }
  return NotImplemented(false);
}


}  // namespace openpca::api

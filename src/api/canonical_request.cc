#include "api/canonical_request.h"

#include <algorithm>

#include "common/bytes.h"

namespace openpca::api::sigv4 {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Appends `value` trimmed, with runs of whitespace collapsed to one space.
void AppendTrimmed(std::string_view value, std::string* out) {
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out->push_back(' ');
    pending_space = false;
    any = true;
    out->push_back(c);
  }
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

void AppendUriEncoded(std::string_view in, bool encode_slash, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out->push_back(ch);
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

std::string PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi << 4 | lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

std::string RemoveDotSegments(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  out.reserve(path.size());
  if (path.front() == '/') out.push_back('/');
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (path.back() == '/' && !segments.empty()) out.push_back('/');
  return out;
}

std::string CanonicalUri(std::string_view raw_path, bool s3) {
  if (raw_path.empty()) return "/";
  if (s3) return std::string(raw_path);
  std::string out;
  out.reserve(raw_path.size() + 8);
  AppendUriEncoded(RemoveDotSegments(raw_path), /*encode_slash=*/false, &out);
  return out;
}

std::vector<QueryParam> ParseQuery(std::string_view raw_query) {
  std::vector<QueryParam> params;
  size_t start = 0;
  while (start < raw_query.size()) {
    size_t amp = raw_query.find('&', start);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view pair = raw_query.substr(start, amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      params.push_back({PercentDecode(name), PercentDecode(value)});
    }
    start = amp + 1;
  }
  return params;
}

std::string CanonicalQueryString(std::string_view raw_query, std::string_view exclude) {
  if (raw_query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const QueryParam& p : ParseQuery(raw_query)) {
    if (!exclude.empty() && p.name == exclude) continue;
    std::pair<std::string, std::string> e;
    AppendUriEncoded(p.name, true, &e.first);
    AppendUriEncoded(p.value, true, &e.second);
    encoded.push_back(std::move(e));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

void AppendCanonicalHeaders(std::span<const Header> headers, std::string_view signed_headers,
                            std::string* out) {
  size_t start = 0;
  while (start <= signed_headers.size()) {
    size_t semi = signed_headers.find(';', start);
    if (semi == std::string_view::npos) semi = signed_headers.size();
    std::string_view name = signed_headers.substr(start, semi - start);
    start = semi + 1;
    if (name.empty()) continue;
    out->append(name);
    out->push_back(':');
    bool first = true;
    for (const Header& h : headers) {
      if (!HeaderNameEquals(h.name, name)) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendTrimmed(h.value, out);
    }
    out->push_back('\n');
  }
}

std::string CanonicalRequest(const CanonicalRequestParts& parts) {
  std::string out;
  out.reserve(512);
  out.append(parts.method);
  out.push_back('\n');
  out += CanonicalUri(parts.raw_path, parts.s3);
  out.push_back('\n');
  out += CanonicalQueryString(parts.raw_query, parts.exclude_query_param);
  out.push_back('\n');
  AppendCanonicalHeaders(parts.headers, parts.signed_headers, &out);
  out.push_back('\n');
  out.append(parts.signed_headers);
  out.push_back('\n');
  out.append(parts.payload_hash);
  return out;
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + kTerminator.size() + 3);
  out.append(date).append("/").append(region).append("/").append(service).append("/");
  out.append(kTerminator);
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 64 + 3);
  out.append(kAlgorithm).append("\n").append(amz_date).append("\n").append(scope);
  out.append("\n").append(Sha256Hex(canonical_request));
  return out;
}

Sha256Digest DeriveSigningKey(std::string_view secret, std::string_view date,
                              std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret.append(secret);
  Sha256Digest k = HmacSha256(AsSpan(k_secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  k = HmacSha256(k, kTerminator);
  std::fill(k_secret.begin(), k_secret.end(), '\0');
  return k;
}

std::string ComputeSignature(const Sha256Digest& signing_key, std::string_view string_to_sign) {
  Sha256Digest sig = HmacSha256(signing_key, string_to_sign);
  return HexEncode(sig);
}

}  // namespace openpca::api::sigv4

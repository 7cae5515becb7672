#include "revocation/ocsp/ocsp_responder.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "revocation/ocsp/ocsp_http.h"
#include "x509/ossl.h"

namespace openpca::revocation {

namespace {

struct CertIdInfo {
  Bytes der;                             // the CertID as re-encoded by OpenSSL (DER in, DER out)
  std::optional<OcspHashAlgorithm> alg;  // nullopt: a hash openpca does not match
  Bytes name_hash;
  Bytes key_hash;
  std::optional<std::string> serial_hex;     // nullopt: negative, zero or absurdly long
  std::shared_ptr<const OcspIssuer> issuer;  // resolved; null when none
};

struct ParsedRequest {
  std::vector<CertIdInfo> cert_ids;
  bool has_nonce = false;     // any nonce extension, echoed or not
  Bytes nonce_extension_der;  // the Extension to echo; empty when none is echoed
};

// RFC 8954 2.1: nonces of 1..32 octets are answered; the responder may leave out others.
constexpr size_t kMaxNonceOctets = 32;
// Longest serial looked up, in octets (RFC 5280 caps conforming serials at 20).
constexpr size_t kMaxSerialOctets = 64;

Bytes AsnStringBytes(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(s);
  return Bytes(data, data + ASN1_STRING_length(s));
}

// Lower-case hex of the serial's magnitude without leading zero octets: the store's spelling.
std::optional<std::string> SerialHexOf(const ASN1_INTEGER* serial) {
  if (serial == nullptr || ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) return std::nullopt;
  Bytes magnitude = AsnStringBytes(serial);
  auto first = std::find_if(magnitude.begin(), magnitude.end(), [](uint8_t b) { return b != 0; });
  std::span<const uint8_t> digits(first, magnitude.end());
  if (digits.empty() || digits.size() > kMaxSerialOctets) return std::nullopt;
  return HexEncode(digits);
}

// The nonce's length: the contents of the OCTET STRING in extnValue (RFC 6960 4.4.1), or the
// whole extnValue for clients that put the octets there directly.
size_t NonceLength(const ASN1_OCTET_STRING* value) {
  Bytes v = AsnStringBytes(value);
  if (v.size() >= 2 && v[0] == 0x04 && v[1] < 0x80 && v[1] + size_t{2} == v.size()) return v[1];
  return v.size();
}

// Parses one DER OCSPRequest. False for anything that is not exactly one, or whose CertID count
// is 0 or above `max_cert_ids`.
bool ParseRequest(std::span<const uint8_t> der, size_t max_cert_ids, ParsedRequest& out) {
  const unsigned char* in = der.data();
  x509::OcspRequestPtr req(d2i_OCSP_REQUEST(nullptr, &in, static_cast<long>(der.size())));
  if (req == nullptr || in != der.data() + der.size()) {
    x509::ClearOsslErrors();
    return false;
  }
  const int count = OCSP_request_onereq_count(req.get());
  if (count <= 0 || static_cast<size_t>(count) > max_cert_ids) return false;
  out.cert_ids.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i));
    ASN1_OCTET_STRING* name_hash = nullptr;
    ASN1_OCTET_STRING* key_hash = nullptr;
    ASN1_OBJECT* md = nullptr;
    ASN1_INTEGER* serial = nullptr;
    if (id == nullptr || OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial, id) != 1) {
      x509::ClearOsslErrors();
      return false;
    }
    unsigned char* id_der = nullptr;
    int id_len = i2d_OCSP_CERTID(id, &id_der);
    if (id_len <= 0) {
      x509::ClearOsslErrors();
      return false;
    }
    Bytes id_bytes(id_der, id_der + id_len);
    OPENSSL_free(id_der);
    out.cert_ids.push_back(CertIdInfo{
        std::move(id_bytes), OcspHashAlgorithmFromNid(OBJ_obj2nid(md)), AsnStringBytes(name_hash),
        AsnStringBytes(key_hash), SerialHexOf(serial), nullptr});
  }

  int idx = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
  if (idx >= 0) {
    out.has_nonce = true;
    X509_EXTENSION* ext = OCSP_REQUEST_get_ext(req.get(), idx);
    size_t len = NonceLength(X509_EXTENSION_get_data(ext));
    if (len >= 1 && len <= kMaxNonceOctets) {
      unsigned char* ext_der = nullptr;
      int ext_len = i2d_X509_EXTENSION(ext, &ext_der);
      if (ext_len <= 0) {
        x509::ClearOsslErrors();
        return false;
      }
      out.nonce_extension_der.assign(ext_der, ext_der + ext_len);
      OPENSSL_free(ext_der);
    }
  }
  return true;
}

std::string QuotedSha1Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  OPENPCA_CHECK(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) == 1);
  return "\"" + HexEncode(std::span<const uint8_t>(md, len)) + "\"";
}

TimePoint FloorToSeconds(TimePoint t) {
  return TimePoint(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()));
}

// The store's spelling of a serial given in any usual form (colons, case, leading zeros).
std::string NormalizeSerialHex(std::string_view serial) {
  std::string out;
  for (char c : serial) {
    if (c == ':') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  size_t first = out.find_first_not_of('0');
  out.erase(0, first == std::string::npos ? out.size() : first);
  if (out.size() % 2 != 0) out.insert(out.begin(), '0');
  return out;
}

}  // namespace

OcspResponder::OcspResponder(store::Store& store, const Clock& clock,
                             const OcspIssuerDirectory& directory, OcspResponderOptions options)
    : store_(store),
      clock_(clock),
      directory_(directory),
      options_(options),
      cache_(options.cache_max_entries, options.cache_max_bytes) {
  OPENPCA_CHECK(options_.refresh_fraction > 0 && options_.refresh_fraction <= 1);
  OPENPCA_CHECK(options_.max_cert_ids > 0);
}

OcspHttpResult OcspResponder::ErrorResult(OcspResponseStatus status) {
  static const auto kBodies = [] {
    std::array<std::shared_ptr<const OcspResponseBody>, 7> bodies;
    for (int s = 1; s <= 6; ++s) {
      if (s == 4) continue;
      auto body = std::make_shared<OcspResponseBody>();
      body->status = static_cast<OcspResponseStatus>(s);
      Bytes der = EncodeOcspErrorResponse(body->status);
      body->der.assign(der.begin(), der.end());
      bodies[static_cast<size_t>(s)] = std::move(body);
    }
    return bodies;
  }();
  std::shared_ptr<const OcspResponseBody> body = kBodies[static_cast<size_t>(status)];
  OPENPCA_CHECK(body != nullptr);
  return OcspHttpResult{std::move(body), false};
}

OcspHttpResult OcspResponder::Fail(OcspResponseStatus status) {
  switch (status) {
    case OcspResponseStatus::kMalformedRequest:
      malformed_.fetch_add(1, std::memory_order_relaxed);
      break;
    case OcspResponseStatus::kUnauthorized:
      unauthorized_.fetch_add(1, std::memory_order_relaxed);
      break;
    default:
      internal_errors_.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  return ErrorResult(status);
}

OcspHttpResult OcspResponder::Hit(std::shared_ptr<const OcspCacheEntry> entry) {
  cache_hits_.fetch_add(1, std::memory_order_relaxed);
  return OcspHttpResult{entry->body, true};
}

OcspHttpResult OcspResponder::InternalFailure(const std::shared_ptr<const OcspCacheEntry>& fallback,
                                              TimePoint now) {
  if (fallback != nullptr && now < fallback->body->next_update) {
    stale_served_.fetch_add(1, std::memory_order_relaxed);
    return OcspHttpResult{fallback->body, true};
  }
  return Fail(OcspResponseStatus::kInternalError);
}

std::optional<OcspHttpResult> OcspResponder::RespondFromCache(
    std::span<const uint8_t> request_der) {
  if (request_der.empty() || request_der.size() > options_.max_request_bytes) return std::nullopt;
  std::shared_ptr<const OcspCacheEntry> entry =
      cache_.Find(OcspResponseCache::Map::kRequest, AsStringView(request_der));
  if (entry == nullptr || clock_.Now() >= entry->refresh_at) return std::nullopt;
  requests_.fetch_add(1, std::memory_order_relaxed);
  return Hit(std::move(entry));
}

Result<OcspHttpResult> OcspResponder::RespondToGet(std::string_view path_suffix) {
  std::optional<Bytes> der = DecodeOcspGetPath(path_suffix);
  if (!der.has_value()) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    return Fail(OcspResponseStatus::kMalformedRequest);
  }
  return Respond(*der);
}

Result<OcspHttpResult> OcspResponder::Respond(std::span<const uint8_t> request_der) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  const TimePoint now = clock_.Now();
  if (request_der.empty() || request_der.size() > options_.max_request_bytes) {
    return Fail(OcspResponseStatus::kMalformedRequest);
  }

  // 1. The exact request seen before: no parsing.
  const std::string_view request_key = AsStringView(request_der);
  std::shared_ptr<const OcspCacheEntry> fallback =
      cache_.Find(OcspResponseCache::Map::kRequest, request_key);
  if (fallback != nullptr && now < fallback->refresh_at) return Hit(std::move(fallback));

  // 2. Parse.
  ParsedRequest req;
  if (!ParseRequest(request_der, options_.max_cert_ids, req)) {
    return Fail(OcspResponseStatus::kMalformedRequest);
  }

  // 3. Resolve issuers; the first answering one signs.
  std::shared_ptr<const OcspIssuer> issuer;
  for (CertIdInfo& id : req.cert_ids) {
    if (!id.alg.has_value()) continue;
    Result<std::shared_ptr<const OcspIssuer>> found =
        directory_.Find(*id.alg, id.name_hash, id.key_hash);
    if (!found.ok()) {
      if (found.status().code() == ErrorCode::kResourceNotFound) continue;
      return InternalFailure(fallback, now);
    }
    id.issuer = std::move(found).value();
    if (issuer == nullptr && id.issuer->answers()) issuer = id.issuer;
  }
  if (issuer == nullptr) return Fail(OcspResponseStatus::kUnauthorized);

  // 4. A single CertID answered before, under another request encoding.
  const bool echo_nonce = !req.nonce_extension_der.empty();
  const bool single = req.cert_ids.size() == 1;
  const std::string_view cert_id_key = AsStringView(req.cert_ids[0].der);
  if (single && !echo_nonce) {
    std::shared_ptr<const OcspCacheEntry> entry =
        cache_.Find(OcspResponseCache::Map::kCertId, cert_id_key);
    if (entry != nullptr) {
      if (now < entry->refresh_at) {
        if (!req.has_nonce) cache_.Insert(OcspResponseCache::Map::kRequest, request_key, entry);
        return Hit(std::move(entry));
      }
      if (fallback == nullptr) fallback = std::move(entry);
    }
  }

  // 5. Statuses from the store. The epoch is read first (see OcspResponseCache).
  const uint64_t epoch = cache_.epoch();
  OcspResponseInput in;
  std::vector<std::string> serials;
  in.responses.reserve(req.cert_ids.size());
  for (const CertIdInfo& id : req.cert_ids) {
    OcspSingleResponseInput& r = in.responses.emplace_back();
    r.cert_id_der = id.der;
    r.status = OcspCertStatus::kUnknown;
    if (id.issuer != issuer || !id.serial_hex.has_value()) continue;
    Result<store::CertificateRecord> cert = store_.GetCertificate(issuer->ca_id(), *id.serial_hex);
    if (!cert.ok()) {
      if (cert.status().code() != ErrorCode::kResourceNotFound) {
        return InternalFailure(fallback, now);  // fail closed: never good
      }
    } else if (cert->revoked_at_ms.has_value()) {
      r.status = OcspCertStatus::kRevoked;
      r.revoked_at_ms = *cert->revoked_at_ms;
      int reason = cert->revocation_reason.value_or(0);
      if (reason != 0 || issuer->config().unspecified_reason == UnspecifiedReason::kInclude) {
        r.reason = reason;
      }
    } else {
      r.status = OcspCertStatus::kGood;
    }
    serials.push_back(*id.serial_hex);
  }

  // 6. Times and signature.
  if (now >= issuer->responder_not_after()) return InternalFailure(fallback, now);
  in.produced_at = FloorToSeconds(now);
  in.this_update = in.produced_at - issuer->config().this_update_backdate;
  in.next_update = std::min(in.this_update + issuer->config().response_validity,
                            FloorToSeconds(issuer->responder_not_after()));
  in.nonce_extension_der = req.nonce_extension_der;
  Result<Bytes> der = BuildSignedOcspResponse(*issuer, in);
  if (!der.ok()) return InternalFailure(fallback, now);
  signed_.fetch_add(1, std::memory_order_relaxed);

  auto body = std::make_shared<OcspResponseBody>();
  body->status = OcspResponseStatus::kSuccessful;
  body->cert_status = in.responses.front().status;
  body->der.assign(der->begin(), der->end());
  body->produced_at = in.produced_at;
  body->this_update = in.this_update;
  body->next_update = in.next_update;
  body->cacheable = !echo_nonce;
  if (body->cacheable) {
    body->etag = QuotedSha1Hex(body->der);
    body->last_modified = HttpDate(body->this_update);
    body->expires = HttpDate(body->next_update);
  }
  OcspHttpResult result{body, false};

  // 7. Cache.
  if (body->cacheable) {
    auto entry = std::make_shared<OcspCacheEntry>();
    entry->body = std::move(body);
    entry->issuer = issuer;
    entry->serials = std::move(serials);
    const auto validity = in.next_update - in.this_update;
    entry->refresh_at =
        in.next_update - std::chrono::duration_cast<TimePoint::duration>(
                             std::chrono::duration<double, TimePoint::period>(validity.count()) *
                             options_.refresh_fraction);
    if (options_.max_cache_age.count() > 0) {
      entry->refresh_at = std::min(entry->refresh_at, clock_.Now() + options_.max_cache_age);
    }
    entry->created_epoch = epoch;
    entry->checked_epoch.store(epoch, std::memory_order_relaxed);
    std::shared_ptr<const OcspCacheEntry> shared = std::move(entry);
    if (single) cache_.Insert(OcspResponseCache::Map::kCertId, cert_id_key, shared);
    if (!req.has_nonce) cache_.Insert(OcspResponseCache::Map::kRequest, request_key, shared);
  }
  return result;
}

void OcspResponder::Invalidate(std::string_view ca_id, std::string_view serial_hex) {
  cache_.Invalidate(ca_id, NormalizeSerialHex(serial_hex));
}

void OcspResponder::InvalidateIssuer(std::string_view ca_id) { cache_.InvalidateIssuer(ca_id); }

void OcspResponder::InvalidateAll() { cache_.Clear(); }

OcspResponderStats OcspResponder::stats() const {
  OcspResponderStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.cache_hits = cache_hits_.load(std::memory_order_relaxed);
  s.signed_responses = signed_.load(std::memory_order_relaxed);
  s.malformed = malformed_.load(std::memory_order_relaxed);
  s.unauthorized = unauthorized_.load(std::memory_order_relaxed);
  s.internal_errors = internal_errors_.load(std::memory_order_relaxed);
  s.stale_served = stale_served_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace openpca::revocation

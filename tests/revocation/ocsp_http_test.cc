// HTTP helpers of the OCSP responder: the GET form's decoding, RFC 5019 caching headers, dates;
// and the response cache on its own (invalidation races, bounds).
#include "revocation/ocsp/ocsp_http.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ocsp_test_util.h"
#include "revocation/ocsp/ocsp_cache.h"
#include "revocation/ocsp/ocsp_responder.h"

namespace openpca::revocation {
namespace {

using testing::MakeRequest;
using testing::OcspWorld;

std::string UrlEncode(std::string_view s, bool lower = false) {
  std::string out;
  for (char c : s) {
    if (c == '+' || c == '/' || c == '=') {
      char buf[4];
      std::snprintf(buf, sizeof(buf), lower ? "%%%02x" : "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// Bytes whose base64 has '+', '/' and padding.
const Bytes kSample = {0x30, 0x1f, 0xfb, 0xef, 0xbf, 0xfe, 0x3e, 0x00};  // MB/777/+PgA=

TEST(OcspGetPathTest, DecodesEveryFormClientsSend) {
  const std::string b64 = Base64Encode(kSample);
  ASSERT_NE(b64.find('+'), std::string::npos) << b64;
  ASSERT_NE(b64.find('/'), std::string::npos) << b64;
  ASSERT_NE(b64.find('='), std::string::npos) << b64;
  std::string unpadded = b64.substr(0, b64.find('='));
  std::string url = b64;
  for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;

  for (const std::string& form : {b64, "/" + b64, "//" + b64, UrlEncode(b64), "/" + UrlEncode(b64),
                                  UrlEncode(b64, true), unpadded, "/" + unpadded, url}) {
    std::optional<Bytes> der = DecodeOcspGetPath(form);
    ASSERT_TRUE(der.has_value()) << form;
    EXPECT_EQ(*der, kSample) << form;
  }
  // '+' may arrive as a space after form decoding somewhere on the way.
  std::string spaced = b64;
  for (char& c : spaced) c = c == '+' ? ' ' : c;
  EXPECT_EQ(DecodeOcspGetPath(spaced), kSample);
}

TEST(OcspGetPathTest, RejectsWhatIsNotBase64) {
  for (const char* bad :
       {"", "/", "///", "%", "%4", "%zz", "ab!d", "a", "abcde", "ab=c", "MA==%", "====", "?x=1",
        "MA=", "MA=A", "M===", "MAA==", "MA===", "MA%3D%3D%3D", "MAAA=", "MA==MA=="}) {
    EXPECT_FALSE(DecodeOcspGetPath(bad).has_value()) << bad;
  }
}

TEST(OcspGetPathTest, IntoReusesTheBufferAndAgrees) {
  Bytes out;
  const std::string b64 = Base64Encode(kSample);
  ASSERT_TRUE(DecodeOcspGetPathInto("/" + UrlEncode(b64), out));
  EXPECT_EQ(out, kSample);
  const uint8_t* data = out.data();
  ASSERT_TRUE(DecodeOcspGetPathInto(b64, out));
  EXPECT_EQ(out, kSample);
  EXPECT_EQ(out.data(), data);  // no new allocation
  EXPECT_FALSE(DecodeOcspGetPathInto("ab!d", out));
  // Every length of input, padded and not: the same bytes as the reference decoder.
  for (size_t n = 1; n <= 8; ++n) {
    Bytes sample(kSample.begin(), kSample.begin() + static_cast<std::ptrdiff_t>(n));
    std::string text = Base64Encode(sample);
    ASSERT_TRUE(DecodeOcspGetPathInto(text, out)) << text;
    EXPECT_EQ(out, sample) << text;
    std::string unpadded = text.substr(0, text.find('='));
    ASSERT_TRUE(DecodeOcspGetPathInto(unpadded, out)) << unpadded;
    EXPECT_EQ(out, sample) << unpadded;
    EXPECT_EQ(Base64Decode(text), sample);
  }
}

TEST(OcspHttpTest, HttpDateIsImfFixdate) {
  EXPECT_EQ(HttpDate(FromUnixSeconds(1'700'000'000)), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(HttpDate(FromUnixSeconds(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(FromUnixSeconds(951'782'400)), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(HttpDate(FromUnixMillis(1'700'000'000'999)), "Tue, 14 Nov 2023 22:13:20 GMT");
}

TEST(OcspHttpTest, CacheableResponsesGetRfc5019Headers) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue("4a1b");
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  Result<OcspHttpResult> r = w.responder->Respond(req);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->cacheable());
  const TimePoint now = w.clock.Now();
  auto headers = OcspResponseHeaders(*r->response, now + std::chrono::hours(1));
  std::map<std::string, std::string> h(headers.begin(), headers.end());
  EXPECT_EQ(h.size(), 5u);
  EXPECT_EQ(h["Content-Type"], "application/ocsp-response");
  EXPECT_EQ(h["Cache-Control"], "max-age=82800, public, no-transform, must-revalidate");
  EXPECT_EQ(h["Last-Modified"], HttpDate(now));
  EXPECT_EQ(h["Expires"], HttpDate(now + std::chrono::hours(24)));
  unsigned char md[20];
  unsigned int md_len = 0;
  ASSERT_EQ(EVP_Digest(r->der().data(), r->der().size(), md, &md_len, EVP_sha1(), nullptr), 1);
  EXPECT_EQ(h["ETag"], "\"" + HexEncode(std::span<const uint8_t>(md, 20)) + "\"");

  // A cap lowers max-age; past nextUpdate it is 0.
  headers = OcspResponseHeaders(*r->response, now, std::chrono::seconds(3600));
  h = std::map<std::string, std::string>(headers.begin(), headers.end());
  EXPECT_EQ(h["Cache-Control"], "max-age=3600, public, no-transform, must-revalidate");
  headers = OcspResponseHeaders(*r->response, now + std::chrono::hours(25));
  h = std::map<std::string, std::string>(headers.begin(), headers.end());
  EXPECT_EQ(h["Cache-Control"], "max-age=0, public, no-transform, must-revalidate");
}

TEST(OcspHttpTest, HeaderLinesAreTheHeadersPlusDateFormattedOncePerSecond) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue("4a1b");
  Result<OcspHttpResult> r = w.responder->Respond(MakeRequest({leaf.get()}, w.ca.cert()));
  ASSERT_TRUE(r.ok());
  const TimePoint now = w.clock.Now() + std::chrono::hours(1);
  const std::chrono::seconds cap(3600);
  std::shared_ptr<const std::string> lines = OcspResponseHeaderLines(*r->response, now, cap);
  ASSERT_NE(lines, nullptr);
  std::string expected;
  for (const auto& [name, value] : OcspResponseHeaders(*r->response, now, cap)) {
    expected += name + ": " + value + "\r\n";
  }
  expected += "Date: " + HttpDate(now) + "\r\n";
  EXPECT_EQ(*lines, expected);

  // Later in the same second: the same string object, not a new formatting.
  EXPECT_EQ(OcspResponseHeaderLines(*r->response, now + std::chrono::milliseconds(900), cap),
            lines);
  // The next second: a new Date and max-age.
  std::shared_ptr<const std::string> next =
      OcspResponseHeaderLines(*r->response, now + std::chrono::seconds(1), cap);
  EXPECT_NE(next, lines);
  EXPECT_NE(next->find("Date: " + HttpDate(now + std::chrono::seconds(1)) + "\r\n"),
            std::string::npos);
  // Another cap in the same second is formatted for that cap.
  std::shared_ptr<const std::string> uncapped =
      OcspResponseHeaderLines(*r->response, now + std::chrono::seconds(1));
  EXPECT_NE(uncapped->find("max-age=82799,"), std::string::npos) << *uncapped;
  // Error responses: no-store.
  OcspHttpResult error = OcspResponder::ErrorResult(OcspResponseStatus::kMalformedRequest);
  EXPECT_EQ(*OcspResponseHeaderLines(*error.response, now, cap),
            "Content-Type: application/ocsp-response\r\nCache-Control: no-store\r\nDate: " +
                HttpDate(now) + "\r\n");
}

TEST(OcspHttpTest, NonceAndErrorResponsesAreNotCacheable) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue("4a1b");
  testing::RequestOptions nonce;
  nonce.nonce = true;
  Result<OcspHttpResult> r = w.responder->Respond(MakeRequest({leaf.get()}, w.ca.cert(), nonce));
  ASSERT_TRUE(r.ok());
  auto headers = OcspResponseHeaders(*r->response, w.clock.Now());
  std::map<std::string, std::string> h(headers.begin(), headers.end());
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h["Content-Type"], "application/ocsp-response");
  EXPECT_EQ(h["Cache-Control"], "no-store");

  OcspHttpResult error = OcspResponder::ErrorResult(OcspResponseStatus::kMalformedRequest);
  headers = OcspResponseHeaders(*error.response, w.clock.Now());
  h = std::map<std::string, std::string>(headers.begin(), headers.end());
  EXPECT_EQ(h["Cache-Control"], "no-store");
}

TEST(OcspHttpTest, GetAndPostGiveTheSameResponse) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue("4a1b");
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  Result<OcspHttpResult> post = w.responder->Respond(req);
  ASSERT_TRUE(post.ok());
  Result<OcspHttpResult> get = w.responder->RespondToGet("/" + UrlEncode(Base64Encode(req)));
  ASSERT_TRUE(get.ok());
  EXPECT_TRUE(get->cache_hit);
  EXPECT_EQ(get->der(), post->der());
  Result<OcspHttpResult> bad = w.responder->RespondToGet("/not*base64");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status(), OcspResponseStatus::kMalformedRequest);
}

// --- OcspResponseCache on its own ---

class OcspCacheTest : public ::testing::Test {
 protected:
  OcspCacheTest() {
    OcspIssuerConfig config = w_.Config();
    issuer_ = *OcspIssuer::Create(config);
  }

  std::shared_ptr<const OcspCacheEntry> Entry(uint64_t epoch, std::vector<std::string> serials,
                                              size_t der_size = 100) {
    auto body = std::make_shared<OcspResponseBody>();
    body->status = OcspResponseStatus::kSuccessful;
    body->der.assign(der_size, 'x');
    auto entry = std::make_shared<OcspCacheEntry>();
    entry->body = body;
    entry->issuer = issuer_;
    entry->serials = std::move(serials);
    entry->created_epoch = epoch;
    entry->checked_epoch = epoch;
    return entry;
  }

  OcspWorld w_;
  std::shared_ptr<const OcspIssuer> issuer_;
};

TEST_F(OcspCacheTest, AnInvalidationDuringSigningIsNotLost) {
  OcspResponseCache cache(1000, 1 << 20);
  // A response is being made: the epoch is read, then statuses read from the store...
  const uint64_t epoch = cache.epoch();
  // ...meanwhile the certificate is revoked and invalidated...
  cache.Invalidate(issuer_->ca_id(), "aa");
  // ...and the (stale) response is inserted afterwards. It must never be served.
  cache.Insert(OcspResponseCache::Map::kCertId, "k", Entry(epoch, {"aa"}));
  EXPECT_EQ(cache.Find(OcspResponseCache::Map::kCertId, "k"), nullptr);
  // A response about another certificate made at the same time is fine.
  cache.Insert(OcspResponseCache::Map::kCertId, "k2", Entry(epoch, {"bb"}));
  EXPECT_NE(cache.Find(OcspResponseCache::Map::kCertId, "k2"), nullptr);
  // A response made after the invalidation is fine.
  cache.Insert(OcspResponseCache::Map::kCertId, "k", Entry(cache.epoch(), {"aa"}));
  EXPECT_NE(cache.Find(OcspResponseCache::Map::kCertId, "k"), nullptr);
  // Same for a whole issuer.
  const uint64_t before = cache.epoch();
  cache.InvalidateIssuer(issuer_->ca_id());
  cache.Insert(OcspResponseCache::Map::kRequest, "r", Entry(before, {"cc"}));
  EXPECT_EQ(cache.Find(OcspResponseCache::Map::kRequest, "r"), nullptr);
  EXPECT_EQ(cache.Find(OcspResponseCache::Map::kCertId, "k2"), nullptr);
  // And for Clear().
  const uint64_t before_clear = cache.epoch();
  cache.Clear();
  cache.Insert(OcspResponseCache::Map::kRequest, "r", Entry(before_clear, {"cc"}));
  EXPECT_EQ(cache.Find(OcspResponseCache::Map::kRequest, "r"), nullptr);
}

TEST_F(OcspCacheTest, RetiredIssuersAreNotServed) {
  OcspResponseCache cache(1000, 1 << 20);
  cache.Insert(OcspResponseCache::Map::kRequest, "r", Entry(cache.epoch(), {"aa"}));
  ASSERT_NE(cache.Find(OcspResponseCache::Map::kRequest, "r"), nullptr);
  issuer_->Retire();
  EXPECT_EQ(cache.Find(OcspResponseCache::Map::kRequest, "r"), nullptr);
}

TEST_F(OcspCacheTest, SizeStaysWithinItsBounds) {
  OcspResponseCache by_count(64, size_t{1} << 30);
  for (int i = 0; i < 5000; ++i) {
    by_count.Insert(i % 2 ? OcspResponseCache::Map::kRequest : OcspResponseCache::Map::kCertId,
                    "key" + std::to_string(i), Entry(by_count.epoch(), {"aa"}));
  }
  EXPECT_LE(by_count.size(), 64u);
  EXPECT_GE(by_count.size(), 32u);  // random eviction, but shards stay near full

  const size_t cap = 64 * 1024;
  OcspResponseCache by_bytes(1'000'000, cap);
  for (int i = 0; i < 5000; ++i) {
    by_bytes.Insert(OcspResponseCache::Map::kRequest, "key" + std::to_string(i),
                    Entry(by_bytes.epoch(), {"aa"}, 700));
  }
  EXPECT_LE(by_bytes.bytes(), cap);
  EXPECT_GT(by_bytes.size(), 30u);
  // The most recent insert is always present.
  EXPECT_NE(by_bytes.Find(OcspResponseCache::Map::kRequest, "key4999"), nullptr);
}

TEST_F(OcspCacheTest, ManyInvalidationsEventuallyFlushEverything) {
  OcspResponseCache cache(1000, 1 << 20);
  cache.Insert(OcspResponseCache::Map::kRequest, "r", Entry(cache.epoch(), {"zz"}));
  for (size_t i = 0; i <= OcspResponseCache::kMaxInvalidationRecords; ++i) {
    cache.Invalidate(issuer_->ca_id(), std::to_string(i));
  }
  EXPECT_EQ(cache.size(), 0u);
  cache.Insert(OcspResponseCache::Map::kRequest, "r", Entry(cache.epoch(), {"zz"}));
  EXPECT_NE(cache.Find(OcspResponseCache::Map::kRequest, "r"), nullptr);
}

}  // namespace
}  // namespace openpca::revocation

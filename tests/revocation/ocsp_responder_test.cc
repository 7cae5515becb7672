// The OCSP responder, checked from the outside with OpenSSL's OCSP API: every response is parsed
// (d2i_OCSP_RESPONSE), its signature and signer verified with the CA as the only trust anchor
// (OCSP_basic_verify), and statuses read with OCSP_resp_find_status. Also: nonces, CertID hash
// algorithms, malformed input, unauthorized issuers, fail-closed store errors, the pre-signed
// cache and its invalidation, delegated responders.
#include "revocation/ocsp/ocsp_responder.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ocsp_test_util.h"
#include "revocation/ocsp/ocsp_response_builder.h"
#include "x509/inspect.h"

namespace openpca::revocation {
namespace {

using testing::FindStatus;
using testing::MakeRequest;
using testing::MakeRequestObject;
using testing::OcspWorld;
using testing::RequestOptions;
using testing::VerifiedBasic;

constexpr char kSerialA[] = "4a1b2c3d4e5f60718293a4b5c6d7e8f9";
constexpr char kSerialB[] = "5b2c3d4e5f60718293a4b5c6d7e8f90a";
constexpr char kSerialC[] = "6c3d4e5f60718293a4b5c6d7e8f90a1b";

OcspHttpResult Ask(OcspWorld& w, const Bytes& request) {
  Result<OcspHttpResult> r = w.responder->Respond(request);
  OPENPCA_CHECK(r.ok());
  return std::move(r).value();
}

std::string ErrorDer(OcspResponseStatus status) {
  Bytes der = EncodeOcspErrorResponse(status);
  return std::string(der.begin(), der.end());
}

struct AlgCase {
  KeyAlgorithm key;
  SigningAlgorithm alg;
};

class OcspStatusTest : public ::testing::TestWithParam<AlgCase> {};

INSTANTIATE_TEST_SUITE_P(
    Algorithms, OcspStatusTest,
    ::testing::Values(AlgCase{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa},
                      AlgCase{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa},
                      AlgCase{KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa},
                      AlgCase{KeyAlgorithm::kRsa3072, SigningAlgorithm::kSha512WithRsa}),
    [](const ::testing::TestParamInfo<AlgCase>& info) {
      return std::string(SigningAlgorithmName(info.param.alg));
    });

TEST_P(OcspStatusTest, GoodRevokedAndUnknownVerifyWithTheCaAsTrustAnchor) {
  OcspWorld w(GetParam().key, GetParam().alg);
  x509::X509Ptr good = w.Issue(kSerialA);
  x509::X509Ptr revoked = w.Issue(kSerialB);
  x509::X509Ptr never = w.ca.IssueLeaf(kSerialC);  // signed, but not in the store
  const int64_t now_s = ToUnixSeconds(w.clock.Now());
  const int64_t revoked_ms = (now_s - 100) * 1000 + 678;
  ASSERT_TRUE(w.Revoke(kSerialB, 1, revoked_ms).ok());

  OcspHttpResult r = Ask(w, MakeRequest({good.get(), revoked.get(), never.get()}, w.ca.cert()));
  EXPECT_EQ(r.status(), OcspResponseStatus::kSuccessful);
  EXPECT_TRUE(r.cacheable());
  EXPECT_FALSE(r.cache_hit);
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(OCSP_resp_count(basic.get()), 3);

  auto g = FindStatus(basic.get(), *good, w.ca.cert());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(g->this_update_s, now_s);
  EXPECT_EQ(g->next_update_s, now_s + 24 * 3600);
  ASN1_GENERALIZEDTIME* produced =
      const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic.get()));
  EXPECT_EQ(testing::TimeSeconds(produced), now_s);

  auto rv = FindStatus(basic.get(), *revoked, w.ca.cert());
  ASSERT_TRUE(rv.has_value());
  EXPECT_EQ(rv->status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(rv->reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
  EXPECT_EQ(rv->revoked_at_s, now_s - 100);  // whole seconds, rounded down

  auto u = FindStatus(basic.get(), *never, w.ca.cert());
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->status, V_OCSP_CERTSTATUS_UNKNOWN);

  // ResponderID byKey: SHA-1 of the CA's public key bits.
  const ASN1_OCTET_STRING* key_hash = nullptr;
  const X509_NAME* name = nullptr;
  ASSERT_EQ(OCSP_resp_get0_id(basic.get(), &key_hash, &name), 1);
  EXPECT_EQ(name, nullptr);
  ASSERT_NE(key_hash, nullptr);
  unsigned char md[20];
  unsigned int md_len = 0;
  ASSERT_EQ(X509_pubkey_digest(&w.ca.cert(), EVP_sha1(), md, &md_len), 1);
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(key_hash), ASN1_STRING_get0_data(key_hash) + 20),
            Bytes(md, md + md_len));
  // No certs: the CA signs its own responses.
  EXPECT_EQ(OCSP_resp_get0_certs(basic.get()), nullptr);
  // Validity as a relying party checks it (real clock, the responder's clock started there).
  ASN1_GENERALIZEDTIME* this_upd = nullptr;
  ASN1_GENERALIZEDTIME* next_upd = nullptr;
  int status = -1;
  int reason = -1;
  x509::OcspCertIdPtr id = testing::CertIdFor(*good, w.ca.cert());
  ASSERT_EQ(
      OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, nullptr, &this_upd, &next_upd),
      1);
  EXPECT_EQ(OCSP_check_validity(this_upd, next_upd, 300, -1), 1);
}

TEST_P(OcspStatusTest, EveryReasonCodeIsReported) {
  OcspWorld w(GetParam().key, GetParam().alg);
  const int reasons[] = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10};
  std::vector<x509::X509Ptr> leaves;
  std::vector<const X509*> raw;
  for (int i = 0; i < 10; ++i) {
    std::string serial = "7000000000000000000000000000000" + std::to_string(i);
    leaves.push_back(w.Issue(serial));
    raw.push_back(leaves.back().get());
    ASSERT_TRUE(w.Revoke(serial, reasons[i], ToUnixMillis(w.clock.Now()) - i * 1000).ok());
  }
  OcspHttpResult r = Ask(w, MakeRequest(raw, w.ca.cert()));
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  for (int i = 0; i < 10; ++i) {
    auto s = FindStatus(basic.get(), *leaves[i], w.ca.cert());
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(s->reason, reasons[i]) << i;
  }
}

TEST(OcspResponderTest, UnspecifiedReasonCanBeOmitted) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  ASSERT_TRUE(w.Revoke(kSerialA, 0, ToUnixMillis(w.clock.Now())).ok());
  OcspIssuerConfig config = w.Config();
  config.unspecified_reason = UnspecifiedReason::kOmit;
  ASSERT_TRUE(w.SetIssuer(config).ok());
  OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  auto s = FindStatus(basic.get(), *leaf, w.ca.cert());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(s->reason, OCSP_REVOKED_STATUS_NOSTATUS);  // no revocationReason
}

TEST(OcspResponderTest, NonceIsEchoedAndTheResponseIsNeitherCachedNorCacheable) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  for (int round = 0; round < 2; ++round) {
    RequestOptions options;
    options.nonce = true;
    x509::OcspRequestPtr req = MakeRequestObject({leaf.get()}, w.ca.cert(), options);
    OcspHttpResult r = Ask(w, testing::RequestDer(req.get()));
    EXPECT_EQ(r.status(), OcspResponseStatus::kSuccessful);
    EXPECT_FALSE(r.cacheable());
    EXPECT_FALSE(r.cache_hit);
    x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
    ASSERT_NE(basic, nullptr);
    EXPECT_EQ(OCSP_check_nonce(req.get(), basic.get()), 1);
    auto s = FindStatus(basic.get(), *leaf, w.ca.cert());
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->status, V_OCSP_CERTSTATUS_GOOD);
  }
  EXPECT_EQ(w.responder->stats().signed_responses, 2u);
  EXPECT_EQ(w.responder->cache().size(), 0u);

  // A 32-octet nonce is echoed; without one, OCSP_check_nonce says so (2: neither has one).
  RequestOptions big;
  big.nonce = true;
  big.nonce_length = 32;
  x509::OcspRequestPtr req = MakeRequestObject({leaf.get()}, w.ca.cert(), big);
  x509::OcspBasicRespPtr basic =
      VerifiedBasic(Ask(w, testing::RequestDer(req.get())).der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(OCSP_check_nonce(req.get(), basic.get()), 1);
  x509::OcspRequestPtr plain = MakeRequestObject({leaf.get()}, w.ca.cert());
  basic = VerifiedBasic(Ask(w, testing::RequestDer(plain.get())).der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(OCSP_check_nonce(plain.get(), basic.get()), 2);
}

TEST(OcspResponderTest, OversizedNonceIsIgnoredAndTheResponseCached) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  RequestOptions options;
  options.nonce = true;
  options.nonce_length = 33;  // RFC 8954: beyond 32 octets the responder may leave it out
  x509::OcspRequestPtr req = MakeRequestObject({leaf.get()}, w.ca.cert(), options);
  OcspHttpResult r = Ask(w, testing::RequestDer(req.get()));
  EXPECT_TRUE(r.cacheable());
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(OCSP_check_nonce(req.get(), basic.get()), -1);  // request has one, response not
  // The same CertID without a nonce is a hit on the response just made.
  OcspHttpResult again = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  EXPECT_TRUE(again.cache_hit);
  EXPECT_EQ(again.der(), r.der());
}

TEST(OcspResponderTest, EveryAcceptedCertIdHashWorks) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  ASSERT_TRUE(w.Revoke(kSerialA, 4, ToUnixMillis(w.clock.Now())).ok());
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
    RequestOptions options;
    options.md = md;
    OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert(), options));
    ASSERT_EQ(r.status(), OcspResponseStatus::kSuccessful) << EVP_MD_get0_name(md);
    x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
    ASSERT_NE(basic, nullptr);
    auto s = FindStatus(basic.get(), *leaf, w.ca.cert(), md);
    ASSERT_TRUE(s.has_value()) << EVP_MD_get0_name(md);
    EXPECT_EQ(s->status, V_OCSP_CERTSTATUS_REVOKED);
    EXPECT_EQ(s->reason, OCSP_REVOKED_STATUS_SUPERSEDED);
  }
}

TEST(OcspResponderTest, UnsupportedCertIdHashIsUnauthorized) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  for (const EVP_MD* md : {EVP_md5(), EVP_sha224(), EVP_sha3_256()}) {
    RequestOptions options;
    options.md = md;
    OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert(), options));
    EXPECT_EQ(r.status(), OcspResponseStatus::kUnauthorized) << EVP_MD_get0_name(md);
    EXPECT_EQ(r.der(), ErrorDer(OcspResponseStatus::kUnauthorized));
  }
  // Next to a CertID it can answer, such a CertID is unknown.
  RequestOptions md5;
  md5.md = EVP_md5();
  x509::OcspRequestPtr req = MakeRequestObject({leaf.get()}, w.ca.cert());
  x509::OcspCertIdPtr id = testing::CertIdFor(*leaf, w.ca.cert(), EVP_md5());
  ASSERT_NE(OCSP_request_add0_id(req.get(), id.get()), nullptr);
  id.release();
  OcspHttpResult r = Ask(w, testing::RequestDer(req.get()));
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(FindStatus(basic.get(), *leaf, w.ca.cert())->status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(FindStatus(basic.get(), *leaf, w.ca.cert(), EVP_md5())->status,
            V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST(OcspResponderTest, MalformedInputGetsMalformedRequest) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes good = MakeRequest({leaf.get()}, w.ca.cert());
  const std::string malformed = ErrorDer(OcspResponseStatus::kMalformedRequest);
  EXPECT_EQ(malformed, std::string("\x30\x03\x0a\x01\x01", 5));

  std::vector<std::pair<std::string, Bytes>> cases;
  cases.push_back({"empty", {}});
  cases.push_back({"garbage", ToBytes("this is not DER at all")});
  cases.push_back({"one byte", Bytes{0x30}});
  cases.push_back({"truncated", Bytes(good.begin(), good.end() - 1)});
  cases.push_back({"half", Bytes(good.begin(), good.begin() + good.size() / 2)});
  Bytes trailing = good;
  trailing.push_back(0x00);
  cases.push_back({"trailing byte", trailing});
  cases.push_back({"certificate", w.ca.der()});
  cases.push_back({"empty sequence", Bytes{0x30, 0x00}});
  // OCSPRequest { TBSRequest { requestList SEQUENCE {} } }: no CertID at all.
  cases.push_back({"no certid", Bytes{0x30, 0x04, 0x30, 0x02, 0x30, 0x00}});
  Bytes huge(70 * 1024, 0x30);
  cases.push_back({"too large", huge});
  // 17 CertIDs: above the default limit of 16.
  std::vector<const X509*> many(17, leaf.get());
  cases.push_back({"17 certids", MakeRequest(many, w.ca.cert())});
  // Bit flips in the outer header.
  Bytes wrong_tag = good;
  wrong_tag[0] = 0x31;
  cases.push_back({"wrong tag", wrong_tag});

  for (const auto& [name, der] : cases) {
    OcspHttpResult r = Ask(w, der);
    EXPECT_EQ(r.status(), OcspResponseStatus::kMalformedRequest) << name;
    EXPECT_EQ(r.der(), malformed) << name;
    EXPECT_FALSE(r.cacheable()) << name;
    x509::OcspResponsePtr parsed = testing::ParseResponse(r.der());
    ASSERT_NE(parsed, nullptr);
    EXPECT_EQ(OCSP_response_status(parsed.get()), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  // 16 CertIDs are fine.
  std::vector<const X509*> sixteen(16, leaf.get());
  EXPECT_EQ(Ask(w, MakeRequest(sixteen, w.ca.cert())).status(), OcspResponseStatus::kSuccessful);
}

TEST(OcspResponderTest, RandomMutationsNeverCrashAndNeverSayGoodForAnotherSerial) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes good = MakeRequest({leaf.get()}, w.ca.cert());
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (int i = 0; i < 3000; ++i) {
    Bytes mutated = good;
    int flips = 1 + static_cast<int>(next() % 3);
    for (int f = 0; f < flips; ++f) {
      mutated[next() % mutated.size()] ^= static_cast<uint8_t>(1u << (next() % 8));
    }
    OcspHttpResult r = Ask(w, mutated);
    if (r.status() != OcspResponseStatus::kSuccessful) continue;
    x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
    ASSERT_NE(basic, nullptr);
    // A good status is only ever given for the issued serial.
    for (int k = 0; k < OCSP_resp_count(basic.get()); ++k) {
      OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), k);
      int reason = 0;
      int status = OCSP_single_get0_status(single, &reason, nullptr, nullptr, nullptr);
      if (status != V_OCSP_CERTSTATUS_GOOD) continue;
      const OCSP_CERTID* id = OCSP_SINGLERESP_get0_id(single);
      ASN1_INTEGER* serial = nullptr;
      OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, const_cast<OCSP_CERTID*>(id));
      EXPECT_EQ(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(leaf.get())), 0);
    }
  }
}

TEST(OcspResponderTest, UnknownIssuerIsUnauthorized) {
  OcspWorld w;
  testing::OcspTestCa other(w.keys, KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa,
                            "Someone Else");
  x509::X509Ptr stranger = other.IssueLeaf(kSerialA);
  OcspHttpResult r = Ask(w, MakeRequest({stranger.get()}, other.cert()));
  EXPECT_EQ(r.status(), OcspResponseStatus::kUnauthorized);
  EXPECT_EQ(r.der(), ErrorDer(OcspResponseStatus::kUnauthorized));
  EXPECT_EQ(w.flaky->get_certificate_calls.load(), 0);

  // Same name, other key: still unknown (the key hash must match too).
  testing::OcspTestCa twin(w.keys, KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  x509::X509Ptr twin_leaf = twin.IssueLeaf(kSerialA);
  EXPECT_EQ(Ask(w, MakeRequest({twin_leaf.get()}, twin.cert())).status(),
            OcspResponseStatus::kUnauthorized);

  // A foreign CertID next to ours is unknown (RFC 6960 2.2; `openssl ocsp -index` does the
  // same); ours is answered. OpenSSL's OCSP_basic_verify rejects such a mixed response unless told
  // not to check that the signer is the issuer of every CertID (OCSP_NOCHECKS): RFC 5019 clients
  // send one CertID per request anyway.
  x509::X509Ptr ours = w.Issue(kSerialB);
  x509::OcspRequestPtr req = MakeRequestObject({ours.get()}, w.ca.cert());
  x509::OcspCertIdPtr id = testing::CertIdFor(*stranger, other.cert());
  ASSERT_NE(OCSP_request_add0_id(req.get(), id.get()), nullptr);
  id.release();
  x509::OcspBasicRespPtr basic =
      VerifiedBasic(Ask(w, testing::RequestDer(req.get())).der(), w.ca.cert(), OCSP_NOCHECKS);
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(FindStatus(basic.get(), *ours, w.ca.cert())->status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(FindStatus(basic.get(), *stranger, other.cert())->status, V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST(OcspResponderTest, OnlyActiveAndDisabledCasWithOcspEnabledAnswer) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  struct Case {
    std::string status;
    bool enabled;
    OcspResponseStatus want;
  };
  for (const Case& c : {Case{"ACTIVE", true, OcspResponseStatus::kSuccessful},
                        Case{"DISABLED", true, OcspResponseStatus::kSuccessful},
                        Case{"ACTIVE", false, OcspResponseStatus::kUnauthorized},
                        Case{"DISABLED", false, OcspResponseStatus::kUnauthorized},
                        Case{"CREATING", true, OcspResponseStatus::kUnauthorized},
                        Case{"PENDING_CERTIFICATE", true, OcspResponseStatus::kUnauthorized},
                        Case{"DELETED", true, OcspResponseStatus::kUnauthorized},
                        Case{"EXPIRED", true, OcspResponseStatus::kUnauthorized},
                        Case{"FAILED", true, OcspResponseStatus::kUnauthorized},
                        Case{"ACTIVE", true, OcspResponseStatus::kSuccessful}}) {
    OcspIssuerConfig config = w.Config();
    config.ca_status = c.status;
    config.ocsp_enabled = c.enabled;
    // Replacing the issuer retires the old one: its cached responses are not served.
    ASSERT_TRUE(w.SetIssuer(config).ok());
    OcspHttpResult r = Ask(w, req);
    EXPECT_EQ(r.status(), c.want) << c.status << " enabled=" << c.enabled;
    EXPECT_FALSE(r.cache_hit) << c.status;
  }
  w.directory.Remove(OcspWorld::kCaId);
  EXPECT_EQ(Ask(w, req).status(), OcspResponseStatus::kUnauthorized);
}

TEST(OcspResponderTest, IssuerConfigFromTheCaRecord) {
  OcspWorld w;
  store::CaRecord record = w.ca_record;
  Result<OcspIssuerConfig> config = OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->ca_id, OcspWorld::kCaId);
  EXPECT_TRUE(config->ocsp_enabled);
  EXPECT_EQ(config->signing_algorithm, SigningAlgorithm::kSha256WithEcdsa);
  EXPECT_EQ(config->ca_status, "ACTIVE");

  record.revocation_json = "";
  EXPECT_FALSE(OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer())->ocsp_enabled);
  record.revocation_json = R"({"CrlConfiguration":{"Enabled":true}})";
  EXPECT_FALSE(OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer())->ocsp_enabled);
  record.revocation_json = R"({"OcspConfiguration":{"Enabled":false}})";
  EXPECT_FALSE(OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer())->ocsp_enabled);
  record.revocation_json = "{not json";
  EXPECT_EQ(OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer()).status().code(),
            ErrorCode::kInvalidArgs);
  record.revocation_json = "";
  record.configuration_json = R"({"KeyAlgorithm":"EC_prime256v1"})";
  EXPECT_EQ(OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer()).status().code(),
            ErrorCode::kInvalidArgs);
  record.certificate_der.clear();
  EXPECT_EQ(OcspIssuerConfigFromCaRecord(record, w.ca.shared_signer()).status().code(),
            ErrorCode::kInvalidState);
}

TEST(OcspResponderTest, IssuerCreateRejectsInconsistentConfigs) {
  OcspWorld w;
  OcspIssuerConfig base = w.Config();
  auto code = [](OcspIssuerConfig c) { return OcspIssuer::Create(std::move(c)).status().code(); };

  OcspIssuerConfig c = base;
  c.signer = w.keys.New(KeyAlgorithm::kEcP256);  // not the certificate's key
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  c = base;
  c.signer = nullptr;
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  c = base;
  c.signing_algorithm = SigningAlgorithm::kSha256WithRsa;  // EC key
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  c = base;
  c.certificate_der = ToBytes("nope");
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  c = base;
  c.response_validity = std::chrono::seconds(0);
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  c = base;
  c.ca_id.clear();
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);

  // Delegates: without id-kp-OCSPSigning, or issued by another CA.
  std::shared_ptr<const keys::Signer> delegate_key = w.keys.New(KeyAlgorithm::kEcP256);
  c = base;
  c.delegate = OcspDelegate{
      testing::DerOf(*w.ca.IssueDelegate(*delegate_key, "0d01", /*ocsp_signing=*/false)),
      delegate_key, SigningAlgorithm::kSha256WithEcdsa};
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  testing::OcspTestCa other(w.keys, KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa,
                            "Other");
  c = base;
  c.delegate = OcspDelegate{testing::DerOf(*other.IssueDelegate(*delegate_key)), delegate_key,
                            SigningAlgorithm::kSha256WithEcdsa};
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);
  c = base;
  c.delegate = OcspDelegate{testing::DerOf(*w.ca.IssueDelegate(*delegate_key)),
                            w.keys.New(KeyAlgorithm::kEcP256), SigningAlgorithm::kSha256WithEcdsa};
  EXPECT_EQ(code(c), ErrorCode::kInvalidArgs);  // signer is not the delegate's key
}

TEST(OcspResponderTest, StoreFailureIsInternalErrorNeverGood) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  w.flaky->fail_reads = true;
  OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  EXPECT_EQ(r.status(), OcspResponseStatus::kInternalError);
  EXPECT_EQ(r.der(), ErrorDer(OcspResponseStatus::kInternalError));
  EXPECT_FALSE(r.cacheable());
  EXPECT_EQ(w.responder->stats().internal_errors, 1u);
  // Nothing was cached: once the store is back, the answer is read and signed.
  w.flaky->fail_reads = false;
  r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  EXPECT_EQ(r.status(), OcspResponseStatus::kSuccessful);
  EXPECT_FALSE(r.cache_hit);
}

TEST(OcspResponderTest, SigningFailureIsInternalError) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  // A signer that always fails, presenting the CA's key.
  class BrokenSigner final : public keys::Signer {
   public:
    explicit BrokenSigner(const keys::Signer& real) : real_(real) {}
    KeyAlgorithm algorithm() const override { return real_.algorithm(); }
    const Bytes& public_key_der() const override { return real_.public_key_der(); }
    Result<Bytes> Sign(SigningAlgorithm, std::span<const uint8_t>) const override {
      return InternalError("HSM unplugged");
    }

   private:
    const keys::Signer& real_;
  };
  OcspIssuerConfig config = w.Config();
  config.signer = std::make_shared<BrokenSigner>(w.ca.signer());
  ASSERT_TRUE(w.SetIssuer(config).ok());
  EXPECT_EQ(Ask(w, MakeRequest({leaf.get()}, w.ca.cert())).status(),
            OcspResponseStatus::kInternalError);
}

TEST(OcspResponderTest, CacheHitReturnsTheSameBytesWithoutStoreOrSignature) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  OcspHttpResult first = Ask(w, req);
  ASSERT_EQ(first.status(), OcspResponseStatus::kSuccessful);
  EXPECT_FALSE(first.cache_hit);
  const int reads = w.flaky->get_certificate_calls.load();
  for (int i = 0; i < 5; ++i) {
    w.clock.Advance(std::chrono::minutes(7));
    OcspHttpResult again = Ask(w, req);
    EXPECT_TRUE(again.cache_hit);
    EXPECT_EQ(again.response.get(), first.response.get());  // the same object, not a copy
  }
  EXPECT_EQ(w.flaky->get_certificate_calls.load(), reads);
  EXPECT_EQ(w.responder->stats().signed_responses, 1u);
  EXPECT_EQ(w.responder->stats().cache_hits, 5u);

  // Another encoding of the same CertID (a requestorName) hits the CertID map.
  RequestOptions named;
  named.requestor = "client";
  OcspHttpResult other = Ask(w, MakeRequest({leaf.get()}, w.ca.cert(), named));
  EXPECT_TRUE(other.cache_hit);
  EXPECT_EQ(other.der(), first.der());
  // A SHA-256 CertID is another key: signed once, then cached.
  RequestOptions sha256;
  sha256.md = EVP_sha256();
  EXPECT_FALSE(Ask(w, MakeRequest({leaf.get()}, w.ca.cert(), sha256)).cache_hit);
  EXPECT_TRUE(Ask(w, MakeRequest({leaf.get()}, w.ca.cert(), sha256)).cache_hit);
}

TEST(OcspResponderTest, RespondFromCacheAnswersOnlyFreshExactHits) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  EXPECT_FALSE(w.responder->RespondFromCache(req).has_value());  // nothing cached yet
  EXPECT_FALSE(w.responder->RespondFromCache({}).has_value());
  EXPECT_FALSE(w.responder->RespondFromCache(ToBytes("garbage")).has_value());
  OcspHttpResult first = Ask(w, req);
  const int reads = w.flaky->get_certificate_calls.load();
  std::optional<OcspHttpResult> hit = w.responder->RespondFromCache(req);
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->cache_hit);
  EXPECT_EQ(hit->response.get(), first.response.get());
  EXPECT_EQ(w.flaky->get_certificate_calls.load(), reads);
  // Another encoding of the CertID is not an exact hit: that takes parsing, so Respond().
  RequestOptions named;
  named.requestor = "client";
  EXPECT_FALSE(w.responder->RespondFromCache(MakeRequest({leaf.get()}, w.ca.cert(), named)));
  // Invalidated or due for refresh: not served from here.
  w.responder->Invalidate(OcspWorld::kCaId, kSerialA);
  EXPECT_FALSE(w.responder->RespondFromCache(req).has_value());
  Ask(w, req);
  EXPECT_TRUE(w.responder->RespondFromCache(req).has_value());
  w.clock.Advance(std::chrono::hours(18));
  EXPECT_FALSE(w.responder->RespondFromCache(req).has_value());
}

TEST(OcspResponderTest, InvalidateMakesTheNextAnswerReflectARevocation) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  x509::X509Ptr sibling = w.Issue(kSerialB);
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  RequestOptions sha256;
  sha256.md = EVP_sha256();
  const Bytes req256 = MakeRequest({leaf.get()}, w.ca.cert(), sha256);
  const Bytes both = MakeRequest({leaf.get(), sibling.get()}, w.ca.cert());
  const Bytes sibling_req = MakeRequest({sibling.get()}, w.ca.cert());
  for (const Bytes* r : {&req, &req256, &both, &sibling_req}) Ask(w, *r);

  ASSERT_TRUE(w.Revoke(kSerialA, 1, ToUnixMillis(w.clock.Now())).ok());
  // Until told, the cache still answers good (the HTTP caches downstream would too).
  EXPECT_TRUE(Ask(w, req).cache_hit);

  w.responder->Invalidate(OcspWorld::kCaId, "4A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9");
  for (const Bytes* r : {&req, &req256, &both}) {
    OcspHttpResult fresh = Ask(w, *r);
    EXPECT_FALSE(fresh.cache_hit);
    x509::OcspBasicRespPtr basic = VerifiedBasic(fresh.der(), w.ca.cert());
    ASSERT_NE(basic, nullptr);
    const EVP_MD* md = r == &req256 ? EVP_sha256() : EVP_sha1();
    EXPECT_EQ(FindStatus(basic.get(), *leaf, w.ca.cert(), md)->status, V_OCSP_CERTSTATUS_REVOKED);
  }
  // The sibling's own entry was not touched.
  EXPECT_TRUE(Ask(w, sibling_req).cache_hit);
  EXPECT_TRUE(Ask(w, req).cache_hit);  // the new response is cached in turn

  // InvalidateIssuer drops every entry of the CA.
  ASSERT_TRUE(w.Revoke(kSerialB, 5, ToUnixMillis(w.clock.Now())).ok());
  w.responder->InvalidateIssuer(OcspWorld::kCaId);
  OcspHttpResult s = Ask(w, sibling_req);
  EXPECT_FALSE(s.cache_hit);
  x509::OcspBasicRespPtr basic = VerifiedBasic(s.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(FindStatus(basic.get(), *sibling, w.ca.cert())->reason,
            OCSP_REVOKED_STATUS_CESSATIONOFOPERATION);
  EXPECT_FALSE(Ask(w, req).cache_hit);
}

TEST(OcspResponderTest, ResponsesAreResignedNearNextUpdate) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  OcspHttpResult first = Ask(w, req);
  // 24 h validity, refreshed with less than a quarter (6 h) left: cached through 18 h.
  w.clock.Advance(std::chrono::hours(18) - std::chrono::seconds(1));
  EXPECT_TRUE(Ask(w, req).cache_hit);
  w.clock.Advance(std::chrono::seconds(1));
  OcspHttpResult second = Ask(w, req);
  EXPECT_FALSE(second.cache_hit);
  EXPECT_NE(second.der(), first.der());
  EXPECT_EQ(second.response->this_update, first.response->this_update + std::chrono::hours(18));
  EXPECT_TRUE(Ask(w, req).cache_hit);

  // Past the refresh time with the store down, the previous response is served while valid.
  w.clock.Advance(std::chrono::hours(19));
  w.flaky->fail_reads = true;
  OcspHttpResult stale = Ask(w, req);
  EXPECT_EQ(stale.response.get(), second.response.get());
  EXPECT_EQ(w.responder->stats().stale_served, 1u);
  // Once it has expired, internalError.
  w.clock.Advance(std::chrono::hours(5));
  EXPECT_EQ(Ask(w, req).status(), OcspResponseStatus::kInternalError);
}

TEST(OcspResponderTest, ValidityAndBackdateAreConfigurable) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  OcspIssuerConfig config = w.Config();
  config.response_validity = std::chrono::hours(1);
  config.this_update_backdate = std::chrono::minutes(5);
  ASSERT_TRUE(w.SetIssuer(config).ok());
  OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  const TimePoint now = w.clock.Now();
  EXPECT_EQ(r.response->produced_at, now);
  EXPECT_EQ(r.response->this_update, now - std::chrono::minutes(5));
  EXPECT_EQ(r.response->next_update, now + std::chrono::minutes(55));
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  auto s = FindStatus(basic.get(), *leaf, w.ca.cert());
  EXPECT_EQ(s->this_update_s, ToUnixSeconds(now) - 300);
  EXPECT_EQ(s->next_update_s, ToUnixSeconds(now) + 55 * 60);
}

TEST(OcspResponderTest, DelegatedResponderSignsAndIsIncluded) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  std::shared_ptr<const keys::Signer> delegate_key = w.keys.New(KeyAlgorithm::kRsa2048);
  x509::X509Ptr delegate = w.ca.IssueDelegate(*delegate_key);
  OcspIssuerConfig config = w.Config();
  config.delegate =
      OcspDelegate{testing::DerOf(*delegate), delegate_key, SigningAlgorithm::kSha256WithRsa};
  ASSERT_TRUE(w.SetIssuer(config).ok());
  ASSERT_TRUE(w.Revoke(kSerialA, 9, ToUnixMillis(w.clock.Now())).ok());

  OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  ASSERT_EQ(r.status(), OcspResponseStatus::kSuccessful);
  x509::OcspResponsePtr resp = testing::ParseResponse(r.der());
  x509::OcspBasicRespPtr basic(OCSP_response_get1_basic(resp.get()));
  ASSERT_NE(basic, nullptr);
  ASSERT_EQ(sk_X509_num(OCSP_resp_get0_certs(basic.get())), 1);
  EXPECT_EQ(X509_cmp(sk_X509_value(OCSP_resp_get0_certs(basic.get()), 0), delegate.get()), 0);
  // Only the CA is trusted; the delegate comes from the response itself.
  x509::X509StorePtr trust(X509_STORE_new());
  X509_STORE_add_cert(trust.get(), const_cast<X509*>(&w.ca.cert()));
  EXPECT_EQ(OCSP_basic_verify(basic.get(), nullptr, trust.get(), 0), 1)
      << x509::OsslError("OCSP_basic_verify").ToString();
  const ASN1_OCTET_STRING* key_hash = nullptr;
  const X509_NAME* name = nullptr;
  ASSERT_EQ(OCSP_resp_get0_id(basic.get(), &key_hash, &name), 1);
  unsigned char md[20];
  unsigned int md_len = 0;
  ASSERT_EQ(X509_pubkey_digest(delegate.get(), EVP_sha1(), md, &md_len), 1);
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(key_hash), ASN1_STRING_get0_data(key_hash) + 20),
            Bytes(md, md + md_len));
  auto s = FindStatus(basic.get(), *leaf, w.ca.cert());
  EXPECT_EQ(s->status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(s->reason, OCSP_REVOKED_STATUS_PRIVILEGEWITHDRAWN);
  // The ResponderID names the delegate, not the CA: offered only the CA certificate (and told to
  // ignore the response's certs), OpenSSL finds no signer.
  x509::X509StackPtr ca_only(sk_X509_new_null());
  X509_up_ref(const_cast<X509*>(&w.ca.cert()));
  sk_X509_push(ca_only.get(), const_cast<X509*>(&w.ca.cert()));
  EXPECT_NE(
      OCSP_basic_verify(basic.get(), ca_only.get(), trust.get(), OCSP_NOINTERN | OCSP_TRUSTOTHER),
      1);
  x509::ClearOsslErrors();
}

TEST(OcspResponderTest, NextUpdateNeverPassesTheResponderCertificate) {
  OcspWorld w;
  x509::X509Ptr leaf = w.Issue(kSerialA);
  std::shared_ptr<const keys::Signer> delegate_key = w.keys.New(KeyAlgorithm::kEcP256);
  x509::X509Ptr delegate = w.ca.IssueDelegate(*delegate_key);  // valid for 30 days
  OcspIssuerConfig config = w.Config();
  config.response_validity = std::chrono::hours(24 * 365);
  config.delegate =
      OcspDelegate{testing::DerOf(*delegate), delegate_key, SigningAlgorithm::kSha256WithEcdsa};
  ASSERT_TRUE(w.SetIssuer(config).ok());
  OcspHttpResult r = Ask(w, MakeRequest({leaf.get()}, w.ca.cert()));
  ASSERT_EQ(r.status(), OcspResponseStatus::kSuccessful);
  EXPECT_LE(r.response->next_update, x509::NotAfter(*delegate));
  w.clock.Set(x509::NotAfter(*delegate) + std::chrono::seconds(1));
  EXPECT_EQ(Ask(w, MakeRequest({leaf.get()}, w.ca.cert())).status(),
            OcspResponseStatus::kInternalError);
}

TEST(OcspResponderTest, SerialsAreMatchedAsTheStoreSpellsThem) {
  OcspWorld w;
  // A serial with a leading zero nibble and one with the top bit set (DER adds a 00 octet).
  x509::X509Ptr small = w.Issue("0a");
  x509::X509Ptr high = w.Issue("e8cbd2bedb122329f97706bcfec990f8");
  OcspHttpResult r = Ask(w, MakeRequest({small.get(), high.get()}, w.ca.cert()));
  x509::OcspBasicRespPtr basic = VerifiedBasic(r.der(), w.ca.cert());
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(FindStatus(basic.get(), *small, w.ca.cert())->status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(FindStatus(basic.get(), *high, w.ca.cert())->status, V_OCSP_CERTSTATUS_GOOD);
}

TEST(OcspResponderTest, ConcurrentRequestsAndRevocationsEndConsistent) {
  OcspWorld w;
  constexpr int kCerts = 32;
  std::vector<x509::X509Ptr> leaves;
  std::vector<Bytes> requests;
  for (int i = 0; i < kCerts; ++i) {
    char serial[40];
    std::snprintf(serial, sizeof(serial), "4%031x", i + 1);
    leaves.push_back(w.Issue(serial));
    requests.push_back(MakeRequest({leaves.back().get()}, w.ca.cert()));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        Result<OcspHttpResult> r = w.responder->Respond(requests[(i * 7 + t) % kCerts]);
        if (!r.ok() || r->status() != OcspResponseStatus::kSuccessful) bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < kCerts; i += 2) {
    char serial[40];
    std::snprintf(serial, sizeof(serial), "4%031x", i + 1);
    EXPECT_TRUE(w.Revoke(serial, 1, ToUnixMillis(w.clock.Now())).ok());
    w.responder->Invalidate(OcspWorld::kCaId, serial);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  // Every answer after the last invalidation reflects the store.
  for (int i = 0; i < kCerts; ++i) {
    x509::OcspBasicRespPtr basic = VerifiedBasic(Ask(w, requests[i]).der(), w.ca.cert());
    ASSERT_NE(basic, nullptr);
    EXPECT_EQ(FindStatus(basic.get(), *leaves[i], w.ca.cert())->status,
              i % 2 == 0 ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD)
        << i;
  }
}

TEST(OcspResponderTest, CacheCanBeDisabled) {
  OcspResponderOptions options;
  options.cache_max_entries = 0;
  OcspWorld w(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa, options);
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes req = MakeRequest({leaf.get()}, w.ca.cert());
  EXPECT_FALSE(Ask(w, req).cache_hit);
  EXPECT_FALSE(Ask(w, req).cache_hit);
  EXPECT_EQ(w.responder->stats().signed_responses, 2u);
  EXPECT_TRUE(Ask(w, req).cacheable());  // HTTP caching is another matter
}

}  // namespace
}  // namespace openpca::revocation

namespace openpca::revocation {
namespace {

// Servers sharing a database: a revocation made by another server (no Invalidate() here) is
// answered "revoked" once the cached "good" is max_cache_age old, and not before.
TEST(OcspResponderTest, MaxCacheAgeBoundsHowLongAnotherServersRevocationGoesUnseen) {
  OcspResponderOptions options;
  options.max_cache_age = std::chrono::seconds(5);
  OcspWorld w(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa, options);
  x509::X509Ptr leaf = w.Issue(kSerialA);
  const Bytes request = MakeRequest({leaf.get()}, w.ca.cert());
  OcspHttpResult first = Ask(w, request);
  EXPECT_EQ(first.response->cert_status, OcspCertStatus::kGood);
  ASSERT_TRUE(w.Revoke(kSerialA, 1, ToUnixMillis(w.clock.Now()) - 1000).ok());
  w.clock.Advance(std::chrono::seconds(4));
  OcspHttpResult cached = Ask(w, request);
  EXPECT_TRUE(cached.cache_hit);
  EXPECT_EQ(cached.response->cert_status, OcspCertStatus::kGood);
  w.clock.Advance(std::chrono::seconds(1));
  OcspHttpResult fresh = Ask(w, request);
  EXPECT_FALSE(fresh.cache_hit);
  EXPECT_EQ(fresh.response->cert_status, OcspCertStatus::kRevoked);
}

}  // namespace
}  // namespace openpca::revocation

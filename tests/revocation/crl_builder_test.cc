// The streaming CRL builder, checked from the outside: OpenSSL parses and verifies every CRL
// (d2i_X509_CRL, X509_CRL_verify, accessors), one CRL is compared byte for byte with the same CRL
// built through OpenSSL's X509_CRL API, and the openssl command line and Python `cryptography`
// read the results as relying parties would.
#include "revocation/crl/crl_builder.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "crl_test_util.h"
#include "revocation/crl/der_writer.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::revocation {
namespace {

using store::RevokedEntry;
using testing::CertPem;
using testing::CrlPem;
using testing::RunCommand;
using testing::TempDir;
using testing::TestCa;

using Asn1EnumeratedPtr =
    std::unique_ptr<ASN1_ENUMERATED, x509::OsslDeleter<&ASN1_ENUMERATED_free>>;
using IssuingDistPointPtr =
    std::unique_ptr<ISSUING_DIST_POINT, x509::OsslDeleter<&ISSUING_DIST_POINT_free>>;

constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr int kAllReasons[] = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10};

// --- Helpers ---

RevokedSource FromVector(const std::vector<RevokedEntry>& entries) {
  return [&entries](const RevokedVisitor& visit) -> Status {
    for (const RevokedEntry& e : entries) RETURN_IF_ERROR(visit(e));
    return Status::Ok();
  };
}

CrlInput BaseInput(const TestCa& ca, int64_t now = kNow) {
  Result<CrlIssuer> issuer = CrlIssuerOf(ca.cert());
  OPENPCA_CHECK(issuer.ok());
  CrlInput in;
  in.issuer_name_der = issuer->name_der;
  in.authority_key_id = issuer->key_id;
  in.this_update = FromUnixSeconds(now - 3600);
  in.next_update = FromUnixSeconds(now + 7 * 86400);
  in.crl_number = 1'519'676'905'984;
  return in;
}

x509::X509CrlPtr ParseCrl(const Bytes& der) {
  const unsigned char* in = der.data();
  x509::X509CrlPtr crl(d2i_X509_CRL(nullptr, &in, static_cast<long>(der.size())));
  EXPECT_NE(crl, nullptr) << "d2i_X509_CRL failed";
  if (crl != nullptr) {
    EXPECT_EQ(in, der.data() + der.size()) << "trailing bytes after the CRL";
  }
  return crl;
}

// Lower-case hex of the magnitude without leading zeros ("0" for zero).
std::string CanonicalHex(std::string hex) {
  std::transform(hex.begin(), hex.end(), hex.begin(), ::tolower);
  size_t nz = hex.find_first_not_of('0');
  return nz == std::string::npos ? "0" : hex.substr(nz);
}

std::string SerialOf(const ASN1_INTEGER* serial) {
  x509::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = BN_bn2hex(bn.get());
  std::string out = CanonicalHex(hex);
  OPENSSL_free(hex);
  return out;
}

int64_t SecondsOf(const ASN1_TIME* t) {
  struct tm tm {};
  EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<int> ReasonOf(const X509_REVOKED* r) {
  int critical = -1;
  Asn1EnumeratedPtr reason(static_cast<ASN1_ENUMERATED*>(
      X509_REVOKED_get_ext_d2i(r, NID_crl_reason, &critical, nullptr)));
  if (reason == nullptr) return std::nullopt;
  EXPECT_EQ(critical, 0) << "reasonCode must not be critical";
  return static_cast<int>(ASN1_ENUMERATED_get(reason.get()));
}

Bytes NameDer(const X509_NAME* name) {
  unsigned char* der = nullptr;
  int len = i2d_X509_NAME(name, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// The TBSCertList's top-level fields, each as its whole DER element.
std::vector<Bytes> TbsFields(const Bytes& crl_der) {
  auto read = [](std::span<const uint8_t> in, size_t& header, size_t& len) {
    header = 2;
    len = in[1];
    if (len & 0x80) {
      size_t n = len & 0x7f;
      len = 0;
      for (size_t i = 0; i < n; ++i) len = len << 8 | in[2 + i];
      header += n;
    }
  };
  size_t h = 0, len = 0;
  std::span<const uint8_t> all(crl_der);
  read(all, h, len);
  std::span<const uint8_t> tbs = all.subspan(h);
  read(tbs, h, len);
  std::span<const uint8_t> fields = tbs.subspan(h, len);
  std::vector<Bytes> out;
  while (!fields.empty()) {
    read(fields, h, len);
    out.emplace_back(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(h + len));
    fields = fields.subspan(h + len);
  }
  return out;
}

std::vector<uint8_t> TbsFieldTags(const Bytes& crl_der) {
  std::vector<uint8_t> tags;
  for (const Bytes& field : TbsFields(crl_der)) tags.push_back(field[0]);
  return tags;
}

Bytes AlgorithmDer(SigningAlgorithm alg) {
  Result<x509::X509AlgorPtr> algor = x509::SignatureAlgorithmFor(alg);
  OPENPCA_CHECK(algor.ok());
  unsigned char* der = nullptr;
  int len = i2d_X509_ALGOR(algor->get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// Checks the CRL-level facts every CRL built from BaseInput() must have.
void ExpectCrlHeader(const X509_CRL& crl, const TestCa& ca, const CrlInput& in) {
  EXPECT_EQ(X509_CRL_get_version(&crl), X509_CRL_VERSION_2);
  EXPECT_EQ(NameDer(X509_CRL_get_issuer(&crl)), NameDer(X509_get_subject_name(&ca.cert())));
  EXPECT_EQ(SecondsOf(X509_CRL_get0_lastUpdate(&crl)),
            std::chrono::floor<std::chrono::seconds>(in.this_update.time_since_epoch()).count());
  EXPECT_EQ(SecondsOf(X509_CRL_get0_nextUpdate(&crl)),
            std::chrono::floor<std::chrono::seconds>(in.next_update.time_since_epoch()).count());

  int critical = -1;
  x509::Asn1IntegerPtr number(
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(&crl, NID_crl_number, &critical, nullptr)));
  ASSERT_NE(number, nullptr) << "no CRL Number";
  EXPECT_EQ(critical, 0);
  int64_t value = -1;
  ASSERT_EQ(ASN1_INTEGER_get_int64(&value, number.get()), 1);
  EXPECT_EQ(value, in.crl_number);

  x509::AuthorityKeyIdPtr aki(static_cast<AUTHORITY_KEYID*>(
      X509_CRL_get_ext_d2i(&crl, NID_authority_key_identifier, &critical, nullptr)));
  ASSERT_NE(aki, nullptr) << "no Authority Key Identifier";
  EXPECT_EQ(critical, 0);
  ASSERT_NE(aki->keyid, nullptr);
  EXPECT_EQ(aki->issuer, nullptr);
  EXPECT_EQ(aki->serial, nullptr);
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(&ca.cert()));
  ASSERT_NE(ski, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki->keyid, ski), 0);

  x509::EvpPkeyPtr key = ca.public_key();
  if (ca.alg() != SigningAlgorithm::kSm3WithSm2) {
    EXPECT_EQ(X509_CRL_verify(const_cast<X509_CRL*>(&crl), key.get()), 1);
  }
}

struct Expected {
  std::string serial;  // canonical hex
  int64_t seconds;
  std::optional<int> reason;
};

void ExpectEntries(const X509_CRL& crl, const std::vector<Expected>& want) {
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(const_cast<X509_CRL*>(&crl));
  ASSERT_EQ(revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked), static_cast<int>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    const X509_REVOKED* r = sk_X509_REVOKED_value(revoked, static_cast<int>(i));
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(r);
    ASSERT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER) << "negative serial at " << i;
    ASSERT_EQ(SerialOf(serial), want[i].serial) << i;
    ASSERT_EQ(SecondsOf(X509_REVOKED_get0_revocationDate(r)), want[i].seconds) << i;
    ASSERT_EQ(ReasonOf(r), want[i].reason) << i;
  }
}

// --- Tests ---

TEST(CrlBuilderTest, EmptyCrlOmitsRevokedCertificates) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  CrlInput in = BaseInput(ca);
  std::vector<RevokedEntry> none;
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(none));
  ASSERT_TRUE(der.ok()) << der.status().ToString();

  // version, signature, issuer, thisUpdate, nextUpdate, [0] crlExtensions: nothing in between.
  EXPECT_EQ(TbsFieldTags(*der), (std::vector<uint8_t>{0x02, 0x30, 0x30, 0x17, 0x17, 0xa0}));
  x509::X509CrlPtr crl = ParseCrl(*der);
  ASSERT_NE(crl, nullptr);
  ExpectCrlHeader(*crl, ca, in);
  ExpectEntries(*crl, {});
  EXPECT_EQ(X509_CRL_get_signature_nid(crl.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_CRL_get_ext_by_NID(crl.get(), NID_issuing_distribution_point, -1), -1);
}

TEST(CrlBuilderTest, EveryEntryRoundTripsThroughOpenSsl) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  std::mt19937_64 rng(42);
  std::vector<RevokedEntry> entries;
  std::vector<Expected> want;
  for (int i = 0; i < 3000; ++i) {
    size_t len = 1 + rng() % 20;
    Bytes serial(len);
    for (uint8_t& b : serial) b = static_cast<uint8_t>(rng());
    if (i % 3 == 0) serial[0] |= 0x80;  // top bit set: needs the 0x00 pad
    if (i % 7 == 0) serial[0] = 0x00;   // a leading zero octet in the stored hex
    std::string hex = HexEncode(serial);
    if (i % 5 == 0) std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
    if (i % 11 == 0 && hex.size() > 1 && hex[0] == '0') hex = hex.substr(1);  // odd length
    int reason = kAllReasons[i % 10];
    // 1990 .. 2060: both UTCTime and GeneralizedTime dates, with milliseconds.
    int64_t ms = 631'152'000'000 + static_cast<int64_t>(rng() % 2'208'988'800'000ULL);
    entries.push_back(RevokedEntry{hex, ms, reason, kNow + 86400});
    want.push_back(Expected{CanonicalHex(hex), ms / 1000, reason});
  }
  CrlInput in = BaseInput(ca);
  in.expected_entries = static_cast<int64_t>(entries.size());
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();

  EXPECT_EQ(TbsFieldTags(*der), (std::vector<uint8_t>{0x02, 0x30, 0x30, 0x17, 0x17, 0x30, 0xa0}));
  x509::X509CrlPtr crl = ParseCrl(*der);
  ASSERT_NE(crl, nullptr);
  ExpectCrlHeader(*crl, ca, in);
  ExpectEntries(*crl, want);
}

TEST(CrlBuilderTest, TopBitSerialsArePositiveIntegers) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  std::vector<std::string> serials = {
      "80", "ff", "00ff", "8000000000000000000000000000000000000001", "7f", "0", "c0ffee"};
  std::vector<RevokedEntry> entries;
  std::vector<Expected> want;
  for (const std::string& s : serials) {
    entries.push_back(RevokedEntry{s, kNow * 1000, 1, kNow});
    want.push_back(Expected{CanonicalHex(s), kNow, 1});
  }
  Result<Bytes> der = BuildCrl(BaseInput(ca), ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  x509::X509CrlPtr crl = ParseCrl(*der);
  ASSERT_NE(crl, nullptr);
  ExpectEntries(*crl, want);
  // The encodings themselves: 0x00 in front of a set top bit, minimal otherwise.
  auto contains = [&](Bytes needle) {
    return std::search(der->begin(), der->end(), needle.begin(), needle.end()) != der->end();
  };
  EXPECT_TRUE(contains({0x02, 0x02, 0x00, 0x80, 0x17}));
  EXPECT_TRUE(contains({0x02, 0x02, 0x00, 0xff, 0x17}));
  EXPECT_TRUE(contains({0x02, 0x15, 0x00, 0x80}));
  EXPECT_TRUE(contains({0x02, 0x01, 0x7f, 0x17}));
  EXPECT_TRUE(contains({0x02, 0x01, 0x00, 0x17}));
  EXPECT_TRUE(contains({0x02, 0x04, 0x00, 0xc0, 0xff, 0xee, 0x17}));
}

// The same CRL built through OpenSSL's X509_CRL API and signed by x509::SignCrl (RSA PKCS#1 v1.5
// signatures are deterministic) must be the same octets: OpenSSL's encoder is the reference.
TEST(CrlBuilderTest, MatchesOpenSslsEncodingByteForByte) {
  TestCa ca(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa);
  CrlInput in = BaseInput(ca);
  in.crl_number = (int64_t{1} << 62) + 12345;
  in.issuing_distribution_point_uri = "http://crl.example.com/crl/5d0c5a4e-part-7.crl";
  // In serial order, which is also the order OpenSSL keeps.
  std::vector<RevokedEntry> entries = {
      {"01", 1'600'000'000'000, 0, kNow},
      {"4bcdef0123456789abcdef0123456789", 1'600'000'001'999, 1, kNow},
      {"7f", 2'600'000'000'000, 4, kNow},  // 2052: GeneralizedTime
      {"80", 1'600'000'002'000, 9, kNow},
      {"e8cbd2bedb122329f97706bcfec990f8", 1'600'000'003'000, 10, kNow},
  };
  Result<Bytes> mine = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();

  x509::X509CrlPtr ref(X509_CRL_new());
  ASSERT_EQ(X509_CRL_set_version(ref.get(), X509_CRL_VERSION_2), 1);
  ASSERT_EQ(X509_CRL_set_issuer_name(ref.get(), X509_get_subject_name(&ca.cert())), 1);
  x509::Asn1TimePtr last(ASN1_TIME_set(nullptr, kNow - 3600));
  x509::Asn1TimePtr next(ASN1_TIME_set(nullptr, kNow + 7 * 86400));
  ASSERT_EQ(X509_CRL_set1_lastUpdate(ref.get(), last.get()), 1);
  ASSERT_EQ(X509_CRL_set1_nextUpdate(ref.get(), next.get()), 1);
  for (const RevokedEntry& e : entries) {
    X509_REVOKED* r = X509_REVOKED_new();
    BIGNUM* bn = nullptr;
    ASSERT_GT(BN_hex2bn(&bn, e.serial_hex.c_str()), 0);
    x509::BignumPtr serial_bn(bn);
    x509::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(serial_bn.get(), nullptr));
    x509::Asn1TimePtr date(ASN1_TIME_set(nullptr, e.revoked_at_ms / 1000));
    Asn1EnumeratedPtr reason(ASN1_ENUMERATED_new());
    ASSERT_EQ(ASN1_ENUMERATED_set(reason.get(), e.reason), 1);
    ASSERT_EQ(X509_REVOKED_set_serialNumber(r, serial.get()), 1);
    ASSERT_EQ(X509_REVOKED_set_revocationDate(r, date.get()), 1);
    ASSERT_EQ(X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason.get(), 0, 0), 1);
    ASSERT_EQ(X509_CRL_add0_revoked(ref.get(), r), 1);
  }
  x509::AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  aki->keyid = ASN1_OCTET_STRING_new();
  ASSERT_EQ(ASN1_OCTET_STRING_set(aki->keyid, in.authority_key_id.data(),
                                  static_cast<int>(in.authority_key_id.size())),
            1);
  ASSERT_EQ(X509_CRL_add1_ext_i2d(ref.get(), NID_authority_key_identifier, aki.get(), 0, 0), 1);
  x509::Asn1IntegerPtr number(ASN1_INTEGER_new());
  ASSERT_EQ(ASN1_INTEGER_set_int64(number.get(), in.crl_number), 1);
  ASSERT_EQ(X509_CRL_add1_ext_i2d(ref.get(), NID_crl_number, number.get(), 0, 0), 1);
  IssuingDistPointPtr idp(ISSUING_DIST_POINT_new());
  idp->distpoint = DIST_POINT_NAME_new();
  idp->distpoint->type = 0;
  idp->distpoint->name.fullname = GENERAL_NAMES_new();
  GENERAL_NAME* uri = GENERAL_NAME_new();
  ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
  ASN1_STRING_set(ia5, in.issuing_distribution_point_uri->data(),
                  static_cast<int>(in.issuing_distribution_point_uri->size()));
  GENERAL_NAME_set0_value(uri, GEN_URI, ia5);
  sk_GENERAL_NAME_push(idp->distpoint->name.fullname, uri);
  ASSERT_EQ(X509_CRL_add1_ext_i2d(ref.get(), NID_issuing_distribution_point, idp.get(), 1, 0), 1);

  Result<Bytes> theirs = x509::SignCrl(*ref, ca.signer(), ca.alg());
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  EXPECT_EQ(HexEncode(*mine), HexEncode(*theirs));
}

TEST(CrlBuilderTest, UnspecifiedReasonIsIncludedByDefaultAndCanBeOmitted) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  std::vector<RevokedEntry> entries = {{"0a", kNow * 1000, 0, kNow}, {"0b", kNow * 1000, 1, kNow}};
  CrlInput in = BaseInput(ca);
  Result<Bytes> with = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(with.ok());
  x509::X509CrlPtr crl = ParseCrl(*with);
  ExpectEntries(*crl, {{"a", kNow, 0}, {"b", kNow, 1}});

  in.unspecified_reason = UnspecifiedReason::kOmit;
  Result<Bytes> without = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(without.ok());
  crl = ParseCrl(*without);
  ExpectEntries(*crl, {{"a", kNow, std::nullopt}, {"b", kNow, 1}});
  // No empty crlEntryExtensions either: the field is absent.
  const X509_REVOKED* first = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 0);
  EXPECT_EQ(X509_REVOKED_get_ext_count(first), 0);
}

TEST(CrlBuilderTest, TimesSwitchToGeneralizedTimeIn2050AndDropMilliseconds) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  CrlInput in = BaseInput(ca);
  in.this_update = FromUnixMillis(2'524'604'400'999);  // 2049-12-31T23:00:00.999Z
  in.next_update = FromUnixSeconds(2'524'608'000);     // 2050-01-01T00:00:00Z
  std::vector<RevokedEntry> entries = {{"01", 2'524'607'999'999, 1, kNow},
                                       {"02", 2'524'608'000'000, 1, kNow},
                                       {"03", -1, 1, kNow}};  // 1969-12-31T23:59:59.999Z
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  x509::X509CrlPtr crl = ParseCrl(*der);
  EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_lastUpdate(crl.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_nextUpdate(crl.get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(SecondsOf(X509_CRL_get0_lastUpdate(crl.get())), 2'524'604'400);
  ExpectEntries(*crl, {{"1", 2'524'607'999, 1}, {"2", 2'524'608'000, 1}, {"3", -1, 1}});
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  EXPECT_EQ(ASN1_STRING_type(X509_REVOKED_get0_revocationDate(sk_X509_REVOKED_value(revoked, 0))),
            V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_REVOKED_get0_revocationDate(sk_X509_REVOKED_value(revoked, 1))),
            V_ASN1_GENERALIZEDTIME);
}

TEST(CrlBuilderTest, PartitionCrlCarriesACriticalIssuingDistributionPoint) {
  TestCa ca(KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa);
  CrlInput in = BaseInput(ca);
  in.issuing_distribution_point_uri = "http://crl.example.com/crl/part-1.crl";
  std::vector<RevokedEntry> entries = {{"42", kNow * 1000, 1, kNow}};
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  x509::X509CrlPtr crl = ParseCrl(*der);
  ExpectCrlHeader(*crl, ca, in);
  int critical = -1;
  IssuingDistPointPtr idp(static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &critical, nullptr)));
  ASSERT_NE(idp, nullptr);
  EXPECT_EQ(critical, 1);
  ASSERT_NE(idp->distpoint, nullptr);
  ASSERT_EQ(idp->distpoint->type, 0);  // fullName
  ASSERT_EQ(sk_GENERAL_NAME_num(idp->distpoint->name.fullname), 1);
  const GENERAL_NAME* name = sk_GENERAL_NAME_value(idp->distpoint->name.fullname, 0);
  ASSERT_EQ(name->type, GEN_URI);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(
                            ASN1_STRING_get0_data(name->d.uniformResourceIdentifier)),
                        ASN1_STRING_length(name->d.uniformResourceIdentifier)),
            *in.issuing_distribution_point_uri);
  EXPECT_EQ(idp->onlyuser, 0);
  EXPECT_EQ(idp->onlyCA, 0);
}

TEST(CrlBuilderTest, EverySigningAlgorithmVerifies) {
  struct Case {
    KeyAlgorithm key;
    SigningAlgorithm alg;
    int nid;
  };
  for (const Case& c :
       {Case{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa, NID_sha256WithRSAEncryption},
        Case{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha384WithRsa, NID_sha384WithRSAEncryption},
        Case{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha512WithRsa, NID_sha512WithRSAEncryption},
        Case{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa, NID_ecdsa_with_SHA256},
        Case{KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa, NID_ecdsa_with_SHA384},
        Case{KeyAlgorithm::kEcP521, SigningAlgorithm::kSha512WithEcdsa, NID_ecdsa_with_SHA512},
        Case{KeyAlgorithm::kSm2, SigningAlgorithm::kSm3WithSm2, NID_SM2_with_SM3}}) {
    SCOPED_TRACE(std::string(SigningAlgorithmName(c.alg)));
    TestCa ca(c.key, c.alg);
    std::vector<RevokedEntry> entries = {{"0123", kNow * 1000, 5, kNow}};
    CrlInput in = BaseInput(ca);
    Result<Bytes> der = BuildCrl(in, ca.signer(), c.alg, FromVector(entries));
    ASSERT_TRUE(der.ok()) << der.status().ToString();
    x509::X509CrlPtr crl = ParseCrl(*der);
    ASSERT_NE(crl, nullptr);
    EXPECT_EQ(X509_CRL_get_signature_nid(crl.get()), c.nid);
    ExpectCrlHeader(*crl, ca, in);  // X509_CRL_verify, except for SM2
    x509::EvpPkeyPtr key = ca.public_key();
    Result<bool> verified = x509::VerifySignedDer(*der, *key, c.alg);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_TRUE(*verified);
    // VerifySignedDer checked the outer AlgorithmIdentifier; the TBS `signature` field (which
    // OpenSSL does not compare for CRLs) must be the same octets.
    EXPECT_EQ(TbsFields(*der).at(1), AlgorithmDer(c.alg));
  }
}

TEST(CrlBuilderTest, PreparedCrlIsTheTbsThatGetsSigned) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  std::vector<RevokedEntry> entries = {{"01", kNow * 1000, 1, kNow}, {"02", kNow * 1000, 3, kNow}};
  CrlInput in = BaseInput(ca);
  Result<PreparedCrl> prepared = PrepareCrl(in, ca.alg(), FromVector(entries));
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->entry_count(), 2);
  EXPECT_EQ(prepared->crl_number(), in.crl_number);
  EXPECT_EQ(prepared->algorithm(), ca.alg());
  Bytes tbs(prepared->tbs().begin(), prepared->tbs().end());
  ASSERT_FALSE(tbs.empty());
  EXPECT_EQ(tbs[0], kDerSequence);

  Result<Bytes> der = SignPreparedCrl(std::move(prepared).value(), ca.signer());
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  x509::X509CrlPtr crl = ParseCrl(*der);
  ASSERT_NE(crl, nullptr);
  const ASN1_BIT_STRING* signature = nullptr;
  X509_CRL_get0_signature(crl.get(), &signature, nullptr);
  Result<x509::X509AlgorPtr> algor = x509::SignatureAlgorithmFor(ca.alg());
  ASSERT_TRUE(algor.ok());
  // Same octets as the shared assembler would give for that TBS and signature.
  Bytes wrapped = x509::WrapSigned(
      tbs, **algor,
      std::span<const uint8_t>(ASN1_STRING_get0_data(signature), ASN1_STRING_length(signature)));
  EXPECT_EQ(wrapped, *der);
}

TEST(CrlBuilderTest, RejectsBadInput) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  std::vector<RevokedEntry> none;
  auto build = [&](const CrlInput& in) {
    return BuildCrl(in, ca.signer(), ca.alg(), FromVector(none)).status().code();
  };
  CrlInput in = BaseInput(ca);
  in.issuer_name_der = {};
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  in = BaseInput(ca);
  in.issuer_name_der.push_back(0x00);  // trailing octet
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  in = BaseInput(ca);
  in.issuer_name_der = {0x04, 0x01, 0x00};  // not a SEQUENCE
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  in = BaseInput(ca);
  in.authority_key_id.clear();
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  in = BaseInput(ca);
  in.crl_number = -1;
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  in = BaseInput(ca);
  in.next_update = in.this_update - std::chrono::seconds(1);
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  in = BaseInput(ca);
  in.next_update = FromUnixSeconds(253'402'300'800);  // year 10000
  EXPECT_EQ(build(in), ErrorCode::kInvalidArgs);
  for (const char* uri : {"", "http://crl.example.com/a b.crl", "http://例え.jp/x.crl"}) {
    in = BaseInput(ca);
    in.issuing_distribution_point_uri = uri;
    EXPECT_EQ(build(in), ErrorCode::kInvalidArgs) << uri;
  }
  // The algorithm must fit the key.
  EXPECT_EQ(BuildCrl(BaseInput(ca), ca.signer(), SigningAlgorithm::kSha256WithRsa, FromVector(none))
                .status()
                .code(),
            ErrorCode::kInvalidArgs);
}

TEST(CrlBuilderTest, BadStoredEntriesAndSourceErrorsFailTheCrl) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  auto build_with = [&](RevokedEntry bad) {
    std::vector<RevokedEntry> entries = {{"01", kNow * 1000, 1, kNow}, bad};
    return BuildCrl(BaseInput(ca), ca.signer(), ca.alg(), FromVector(entries)).status().code();
  };
  EXPECT_EQ(build_with({"zz", kNow * 1000, 1, kNow}), ErrorCode::kInternal);
  EXPECT_EQ(build_with({"", kNow * 1000, 1, kNow}), ErrorCode::kInternal);
  EXPECT_EQ(build_with({"ab:cd", kNow * 1000, 1, kNow}), ErrorCode::kInternal);
  EXPECT_EQ(build_with({std::string(130, 'a'), kNow * 1000, 1, kNow}), ErrorCode::kInternal);
  EXPECT_EQ(build_with({"02", kNow * 1000, 7, kNow}), ErrorCode::kInternal);
  EXPECT_EQ(build_with({"02", kNow * 1000, -1, kNow}), ErrorCode::kInternal);
  EXPECT_EQ(build_with({"02", 253'402'300'800'000, 1, kNow}), ErrorCode::kInternal);
  // 64 octets is the most a serial may have.
  EXPECT_EQ(build_with({std::string(128, 'a'), kNow * 1000, 1, kNow}), ErrorCode::kOk);

  int calls = 0;
  RevokedSource failing = [&](const RevokedVisitor& visit) -> Status {
    ++calls;
    RETURN_IF_ERROR(visit(RevokedEntry{"01", kNow * 1000, 1, kNow}));
    return Status(ErrorCode::kServiceUnavailable, "database went away");
  };
  EXPECT_EQ(BuildCrl(BaseInput(ca), ca.signer(), ca.alg(), failing).status().code(),
            ErrorCode::kServiceUnavailable);
  EXPECT_EQ(calls, 1);
}

TEST(CrlBuilderTest, LargeCrlIsCorrectWhateverTheCapacityHint) {
  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  constexpr int kEntries = 100'000;
  std::vector<RevokedEntry> entries;
  entries.reserve(kEntries);
  std::mt19937_64 rng(7);
  for (int i = 0; i < kEntries; ++i) {
    Bytes serial(16);
    for (uint8_t& b : serial) b = static_cast<uint8_t>(rng());
    entries.push_back(
        RevokedEntry{HexEncode(serial), (kNow - 1000 + i / 100) * 1000, kAllReasons[i % 10], kNow});
  }
  Bytes previous;
  for (int64_t hint : {int64_t{0}, int64_t{10}, int64_t{kEntries}, int64_t{10 * kEntries},
                       int64_t{-5}, std::numeric_limits<int64_t>::max()}) {
    SCOPED_TRACE(hint);
    CrlInput in = BaseInput(ca);
    in.expected_entries = hint;
    Result<PreparedCrl> prepared = PrepareCrl(in, ca.alg(), FromVector(entries));
    ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
    Bytes tbs(prepared->tbs().begin(), prepared->tbs().end());
    if (!previous.empty()) {
      EXPECT_EQ(tbs, previous);  // the hint changes nothing but speed
    }
    previous = std::move(tbs);
    Result<Bytes> der = SignPreparedCrl(std::move(prepared).value(), ca.signer());
    ASSERT_TRUE(der.ok()) << der.status().ToString();
    x509::X509CrlPtr crl = ParseCrl(*der);
    ASSERT_NE(crl, nullptr);
    ExpectCrlHeader(*crl, ca, in);
    EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), kEntries);
  }
}

TEST(CrlBuilderTest, BuildsFromTheStoreInItsOrder) {
  TempDir dir;
  Result<std::unique_ptr<store::SqliteStore>> opened =
      store::SqliteStore::Open(dir.File("openpca.db"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store::Store& db = **opened;
  store::CaRecord ca_record;
  ca_record.id = "ca-1";
  ca_record.arn = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1";
  ca_record.account_id = "111122223333";
  ca_record.type = "ROOT";
  ca_record.status = "ACTIVE";
  ASSERT_TRUE(db.InsertCa(ca_record, {}, std::nullopt).ok());
  std::vector<Expected> want;
  for (int i = 0; i < 200; ++i) {
    store::CertificateRecord cert;
    cert.ca_id = "ca-1";
    cert.serial_hex =
        HexEncode(Bytes{static_cast<uint8_t>(0x40 | i % 64), static_cast<uint8_t>(i), 0x11, 0x22});
    cert.der = {0x30, 0x00};
    cert.not_before_s = kNow - 86400;
    cert.not_after_s = i < 100 ? kNow - 10 : kNow + 86400;  // the first half has expired
    ASSERT_TRUE(db.InsertCertificate(cert, std::nullopt).ok());
    if (i % 2 == 0) {
      int64_t at_ms = (kNow - 5000 + (200 - i)) * 1000;  // later certificates revoked earlier
      ASSERT_TRUE(db.RevokeCertificate("ca-1", cert.serial_hex, at_ms, kAllReasons[i % 10]).ok());
      want.push_back(Expected{CanonicalHex(cert.serial_hex), at_ms / 1000, kAllReasons[i % 10]});
    }
  }
  std::reverse(want.begin(), want.end());  // ordered by revocation time

  TestCa ca(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  CrlInput in = BaseInput(ca);
  Result<PreparedCrl> prepared = PrepareCrlFromStore(db, "ca-1", {}, in, ca.alg());
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ(prepared->entry_count(), 100);
  Result<Bytes> der = SignPreparedCrl(std::move(prepared).value(), ca.signer());
  ASSERT_TRUE(der.ok());
  x509::X509CrlPtr crl = ParseCrl(*der);
  ExpectCrlHeader(*crl, ca, in);
  ExpectEntries(*crl, want);

  // Dropping certificates that expired before a cutoff.
  store::RevokedScan unexpired;
  unexpired.not_after_at_least_s = kNow;
  prepared = PrepareCrlFromStore(db, "ca-1", unexpired, in, ca.alg());
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->entry_count(), 50);
}

// --- Relying parties: the openssl command line and Python cryptography ---

struct CliCase {
  KeyAlgorithm key;
  SigningAlgorithm alg;
};

class CrlRelyingPartyTest : public ::testing::TestWithParam<CliCase> {};

INSTANTIATE_TEST_SUITE_P(
    Algorithms, CrlRelyingPartyTest,
    ::testing::Values(CliCase{KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa},
                      CliCase{KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa},
                      CliCase{KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa}),
    [](const ::testing::TestParamInfo<CliCase>& info) {
      return std::string(SigningAlgorithmName(info.param.alg));
    });

TEST_P(CrlRelyingPartyTest, OpensslVerifyRejectsTheRevokedLeafAndAcceptsItsSibling) {
  // openssl verify checks CRL validity against the real clock.
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  TestCa ca(GetParam().key, GetParam().alg);
  const std::string revoked_serial = "e8cbd2bedb122329f97706bcfec990f8";  // top bit set
  x509::X509Ptr revoked = ca.IssueLeaf(revoked_serial);
  x509::X509Ptr sibling = ca.IssueLeaf("4bcdef0123456789abcdef0123456789");
  std::vector<RevokedEntry> entries = {{"0a0b", (now - 60) * 1000, 0, now + 86400},
                                       {revoked_serial, (now - 30) * 1000, 1, now + 86400},
                                       {"7f", (now - 10) * 1000, 5, now + 86400}};
  CrlInput in = BaseInput(ca, now);
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();

  TempDir dir;
  std::string ca_pem = dir.Write("ca.pem", CertPem(ca.cert()));
  std::string crl_der = dir.Write("crl.der", *der);
  std::string crl_pem = dir.Write("crl.pem", CrlPem(*der));
  std::string revoked_pem = dir.Write("revoked.pem", CertPem(*revoked));
  std::string sibling_pem = dir.Write("sibling.pem", CertPem(*sibling));

  testing::CommandResult text =
      RunCommand("openssl crl -inform DER -in " + crl_der + " -noout -text");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const char* needle :
       {"Version 2 (0x1)", "X509v3 Authority Key Identifier", "X509v3 CRL Number", "1519676905984",
        "E8CBD2BEDB122329F97706BCFEC990F8", "Key Compromise", "Cessation Of Operation",
        "Unspecified", "CRL Reason Code"}) {
    EXPECT_NE(text.output.find(needle), std::string::npos) << needle << "\n" << text.output;
  }

  testing::CommandResult signature =
      RunCommand("openssl crl -inform DER -in " + crl_der + " -noout -CAfile " + ca_pem);
  EXPECT_EQ(signature.exit_code, 0) << signature.output;
  EXPECT_NE(signature.output.find("verify OK"), std::string::npos) << signature.output;

  std::string verify = "openssl verify -crl_check -CAfile " + ca_pem + " -CRLfile " + crl_pem + " ";
  testing::CommandResult bad = RunCommand(verify + revoked_pem);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("certificate revoked"), std::string::npos) << bad.output;
  testing::CommandResult good = RunCommand(verify + sibling_pem);
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find(": OK"), std::string::npos) << good.output;
}

TEST_P(CrlRelyingPartyTest, OpensslMatchesThePartitionToTheCertificatesDistributionPoint) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  TestCa ca(GetParam().key, GetParam().alg);
  const std::string part1 = "http://crl.example.com/crl/part-1.crl";
  x509::X509Ptr revoked = ca.IssueLeaf("5001", part1);
  x509::X509Ptr sibling = ca.IssueLeaf("5002", part1);
  x509::X509Ptr elsewhere = ca.IssueLeaf("5003", "http://crl.example.com/crl/part-2.crl");
  std::vector<RevokedEntry> entries = {{"5001", (now - 30) * 1000, 1, now + 86400}};
  CrlInput in = BaseInput(ca, now);
  in.issuing_distribution_point_uri = part1;
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();

  TempDir dir;
  std::string verify = "openssl verify -crl_check -CAfile " +
                       dir.Write("ca.pem", CertPem(ca.cert())) + " -CRLfile " +
                       dir.Write("crl.pem", CrlPem(*der)) + " ";
  testing::CommandResult bad = RunCommand(verify + dir.Write("revoked.pem", CertPem(*revoked)));
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("certificate revoked"), std::string::npos) << bad.output;
  testing::CommandResult good = RunCommand(verify + dir.Write("sibling.pem", CertPem(*sibling)));
  EXPECT_EQ(good.exit_code, 0) << good.output;
  // This partition does not cover a certificate pointing at another one.
  testing::CommandResult other =
      RunCommand(verify + dir.Write("elsewhere.pem", CertPem(*elsewhere)));
  EXPECT_NE(other.exit_code, 0) << other.output;
  EXPECT_NE(other.output.find("different CRL scope"), std::string::npos) << other.output;
}

// Debian's python3-cryptography (38) parses the CRL and checks its signature independently of
// OpenSSL's C API (its X.509 parsing is Rust).
TEST_P(CrlRelyingPartyTest, PythonCryptographyParsesAndVerifies) {
  const std::string python = "/usr/bin/python3";
  if (RunCommand(python + " -c 'import cryptography.x509'").exit_code != 0) {
    GTEST_SKIP() << python << " has no cryptography module";
  }
  TestCa ca(GetParam().key, GetParam().alg);
  std::vector<RevokedEntry> entries;
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    std::string serial = HexEncode(Bytes{static_cast<uint8_t>(0x80 + i), 0x01, 0x02});
    int reason = kAllReasons[i % 10];
    entries.push_back({serial, (kNow + i) * 1000, reason, kNow});
    expected +=
        CanonicalHex(serial) + " " + std::to_string(kNow + i) + " " + std::to_string(reason) + "\n";
  }
  CrlInput in = BaseInput(ca);
  in.issuing_distribution_point_uri = "http://crl.example.com/crl/p.crl";
  Result<Bytes> der = BuildCrl(in, ca.signer(), ca.alg(), FromVector(entries));
  ASSERT_TRUE(der.ok()) << der.status().ToString();

  TempDir dir;
  std::string script = R"(
import sys, datetime
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
crl = x509.load_der_x509_crl(open(sys.argv[1], 'rb').read())
ca = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())
assert crl.is_signature_valid(ca.public_key()), 'signature'
assert crl.issuer == ca.subject, 'issuer'
assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == int(sys.argv[4])
aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
assert aki.key_identifier == ski.digest, 'aki'
idp = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint)
assert idp.critical and idp.value.full_name[0].value == 'http://crl.example.com/crl/p.crl'
names = {0: 'unspecified', 1: 'key_compromise', 2: 'ca_compromise', 3: 'affiliation_changed',
         4: 'superseded', 5: 'cessation_of_operation', 6: 'certificate_hold',
         8: 'remove_from_crl', 9: 'privilege_withdrawn', 10: 'aa_compromise'}
want = [l.split() for l in open(sys.argv[3]).read().splitlines()]
got = list(crl)
assert len(got) == len(want), (len(got), len(want))
for r, (serial, secs, reason) in zip(got, want):
    assert r.serial_number == int(serial, 16), serial
    when = r.revocation_date.replace(tzinfo=datetime.timezone.utc).timestamp()
    assert int(when) == int(secs), (serial, when, secs)
    ext = r.extensions.get_extension_for_class(x509.CRLReason)
    assert ext.value.reason.name == names[int(reason)], (serial, ext.value.reason)
print('python-ok', len(got))
)";
  testing::CommandResult r =
      RunCommand(python + " " + dir.Write("check.py", script) + " " + dir.Write("crl.der", *der) +
                 " " + dir.Write("ca.pem", CertPem(ca.cert())) + " " +
                 dir.Write("expected.txt", expected) + " " + std::to_string(in.crl_number));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("python-ok 50"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace openpca::revocation

// DER primitives of the CRL builder, checked against hand-written encodings and against
// OpenSSL's own encoder (i2d_ASN1_INTEGER, i2d_ASN1_TIME).
#include "revocation/crl/der_writer.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "x509/ossl.h"

namespace openpca::revocation {
namespace {

Bytes OsslIntegerDer(int64_t v) {
  x509::Asn1IntegerPtr i(ASN1_INTEGER_new());
  EXPECT_EQ(ASN1_INTEGER_set_int64(i.get(), v), 1);
  unsigned char* der = nullptr;
  int len = i2d_ASN1_INTEGER(i.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Bytes OsslTimeDer(int64_t t) {
  x509::Asn1TimePtr at(ASN1_TIME_set(nullptr, static_cast<time_t>(t)));
  if (at == nullptr) return {};
  unsigned char* der = nullptr;
  int len = i2d_ASN1_TIME(at.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Bytes Header(uint8_t tag, size_t len) {
  Bytes out;
  AppendDerHeader(out, tag, len);
  EXPECT_EQ(out.size(), DerHeaderSize(len));
  return out;
}

Bytes UnsignedInteger(Bytes magnitude) {
  Bytes out;
  AppendDerUnsignedInteger(out, magnitude);
  return out;
}

std::string TimeText(int64_t t) {
  Bytes out;
  Status s = AppendDerTime(out, t);
  if (!s.ok()) return "error";
  EXPECT_EQ(out[1] + 2u, out.size());
  return std::string(out[0] == kDerUtcTime ? "U:" : "G:") + std::string(out.begin() + 2, out.end());
}

TEST(DerWriterTest, HeadersUseTheShortestDefiniteLength) {
  EXPECT_EQ(Header(0x30, 0), (Bytes{0x30, 0x00}));
  EXPECT_EQ(Header(0x30, 127), (Bytes{0x30, 0x7f}));
  EXPECT_EQ(Header(0x30, 128), (Bytes{0x30, 0x81, 0x80}));
  EXPECT_EQ(Header(0x04, 255), (Bytes{0x04, 0x81, 0xff}));
  EXPECT_EQ(Header(0x04, 256), (Bytes{0x04, 0x82, 0x01, 0x00}));
  EXPECT_EQ(Header(0x30, 65535), (Bytes{0x30, 0x82, 0xff, 0xff}));
  EXPECT_EQ(Header(0x30, 65536), (Bytes{0x30, 0x83, 0x01, 0x00, 0x00}));
  EXPECT_EQ(Header(0x30, 50'000'123), (Bytes{0x30, 0x84, 0x02, 0xfa, 0xf0, 0xfb}));
  EXPECT_EQ(Header(0x30, size_t{1} << 40), (Bytes{0x30, 0x86, 0x01, 0, 0, 0, 0, 0}));
  EXPECT_EQ(DerHeaderSize(std::numeric_limits<size_t>::max()), kMaxDerHeaderSize);
}

TEST(DerWriterTest, UnsignedIntegersArePositiveAndMinimal) {
  EXPECT_EQ(UnsignedInteger({}), (Bytes{0x02, 0x01, 0x00}));
  EXPECT_EQ(UnsignedInteger({0x00, 0x00}), (Bytes{0x02, 0x01, 0x00}));
  EXPECT_EQ(UnsignedInteger({0x01}), (Bytes{0x02, 0x01, 0x01}));
  EXPECT_EQ(UnsignedInteger({0x7f}), (Bytes{0x02, 0x01, 0x7f}));
  // Top bit set: a 0x00 keeps it positive.
  EXPECT_EQ(UnsignedInteger({0x80}), (Bytes{0x02, 0x02, 0x00, 0x80}));
  EXPECT_EQ(UnsignedInteger({0xff, 0x01}), (Bytes{0x02, 0x03, 0x00, 0xff, 0x01}));
  // Redundant leading zeros go, a needed one stays.
  EXPECT_EQ(UnsignedInteger({0x00, 0x00, 0x80}), (Bytes{0x02, 0x02, 0x00, 0x80}));
  EXPECT_EQ(UnsignedInteger({0x00, 0x7f, 0x00}), (Bytes{0x02, 0x02, 0x7f, 0x00}));
  // A 20-octet serial with the top bit set takes 21 content octets.
  Bytes big(20, 0xee);
  Bytes der = UnsignedInteger(big);
  ASSERT_EQ(der.size(), 23u);
  EXPECT_EQ(der[1], 21);
  EXPECT_EQ(der[2], 0x00);
  // 200 octets need a long-form length.
  der = UnsignedInteger(Bytes(200, 0x11));
  EXPECT_EQ((Bytes{der[0], der[1], der[2]}), (Bytes{0x02, 0x81, 200}));
}

TEST(DerWriterTest, SignedIntegersMatchOpenSsl) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{127}, int64_t{128}, int64_t{255}, int64_t{256},
                    int64_t{-1}, int64_t{-128}, int64_t{-129}, int64_t{32767}, int64_t{32768},
                    int64_t{1'519'676'905'984}, int64_t{1} << 53, (int64_t{1} << 53) + 1,
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    Bytes out;
    AppendDerInteger(out, v);
    EXPECT_EQ(out, OsslIntegerDer(v)) << v;
  }
}

TEST(DerWriterTest, TimesFollowRfc5280) {
  EXPECT_EQ(TimeText(0), "U:700101000000Z");
  EXPECT_EQ(TimeText(1'519'676'905), "U:180226202825Z");
  EXPECT_EQ(TimeText(1'709'164'800), "U:240229000000Z");  // leap day
  EXPECT_EQ(TimeText(2'524'607'999), "U:491231235959Z");  // last second of UTCTime
  EXPECT_EQ(TimeText(2'524'608'000), "G:20500101000000Z");
  EXPECT_EQ(TimeText(-631'152'000), "U:500101000000Z");  // first second of UTCTime
  EXPECT_EQ(TimeText(-631'152'001), "G:19491231235959Z");
  EXPECT_EQ(TimeText(-1), "U:691231235959Z");
  EXPECT_EQ(TimeText(253'402'300'799), "G:99991231235959Z");
  EXPECT_EQ(TimeText(-62'167'219'200), "G:00000101000000Z");
  EXPECT_EQ(TimeText(253'402'300'800), "error");  // year 10000
  EXPECT_EQ(TimeText(-62'167'219'201), "error");  // year -1
  EXPECT_EQ(TimeText(std::numeric_limits<int64_t>::max()), "error");
  EXPECT_EQ(TimeText(std::numeric_limits<int64_t>::min()), "error");
  uint8_t buf[kMaxDerTimeSize];
  EXPECT_FALSE(WriteDerTime(253'402'300'800, buf).has_value());
  EXPECT_EQ(WriteDerTime(2'524'608'000, buf), std::optional<size_t>(kMaxDerTimeSize));
}

TEST(DerWriterTest, TimesMatchOpenSslAcrossTheRange) {
  // OpenSSL's ASN1_TIME_set applies the same UTCTime/GeneralizedTime rule.
  std::mt19937_64 rng(5280);
  std::uniform_int_distribution<int64_t> any(-62'135'596'800, 253'402'300'799);  // 0001..9999
  for (int i = 0; i < 20000; ++i) {
    int64_t t = any(rng);
    Bytes mine;
    ASSERT_TRUE(AppendDerTime(mine, t).ok()) << t;
    ASSERT_EQ(mine, OsslTimeDer(t)) << t;
  }
}

TEST(DerWriterTest, TimeWriterMatchesWriteDerTime) {
  std::mt19937_64 rng(1);
  DerTimeWriter writer;
  int64_t t = 2'524'000'000;  // walks across the UTCTime/GeneralizedTime switch in 2050
  for (int i = 0; i < 200000; ++i) {
    switch (rng() % 4) {
      case 0:
        t += static_cast<int64_t>(rng() % 100);
        break;  // same day, mostly
      case 1:
        t -= static_cast<int64_t>(rng() % 100'000);
        break;  // back across days
      case 2:
        t += static_cast<int64_t>(rng() % 10'000);
        break;
      case 3:
        t = -62'167'219'200 + static_cast<int64_t>(rng() % 315'569'520'000);
        break;
    }
    uint8_t want[kMaxDerTimeSize];
    uint8_t got[kMaxDerTimeSize];
    std::optional<size_t> want_len = WriteDerTime(t, want);
    std::optional<size_t> got_len = writer.Write(t, got);
    ASSERT_EQ(got_len, want_len) << t;
    if (want_len.has_value()) {
      ASSERT_EQ(Bytes(got, got + *got_len), Bytes(want, want + *want_len)) << t;
    }
  }
  uint8_t out[kMaxDerTimeSize];
  EXPECT_FALSE(writer.Write(253'402'300'800, out).has_value());
  EXPECT_FALSE(writer.Write(-62'167'219'201, out).has_value());
  EXPECT_FALSE(writer.Write(std::numeric_limits<int64_t>::min(), out).has_value());
  EXPECT_FALSE(writer.Write(std::numeric_limits<int64_t>::max(), out).has_value());
  EXPECT_EQ(writer.Write(-1, out), std::optional<size_t>(15));
}

TEST(DerWriterTest, DecodesHexOfEitherCaseAndOddLength) {
  uint8_t out[8];
  EXPECT_EQ(DecodeHex("00ff10", out), std::optional<size_t>(3));
  EXPECT_EQ((Bytes{out[0], out[1], out[2]}), (Bytes{0x00, 0xff, 0x10}));
  EXPECT_EQ(DecodeHex("AbC", out), std::optional<size_t>(2));
  EXPECT_EQ((Bytes{out[0], out[1]}), (Bytes{0x0a, 0xbc}));
  EXPECT_EQ(DecodeHex("0", out), std::optional<size_t>(1));
  EXPECT_EQ(out[0], 0);
  EXPECT_FALSE(DecodeHex("", out).has_value());
  EXPECT_FALSE(DecodeHex("0g", out).has_value());
  EXPECT_FALSE(DecodeHex("ab:cd", out).has_value());
  EXPECT_FALSE(DecodeHex("-1", out).has_value());
}

}  // namespace
}  // namespace openpca::revocation

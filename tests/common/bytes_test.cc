#include "common/bytes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace openpca {
namespace {

TEST(Base64Test, RoundTripsAllPaddingLengths) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::string enc = Base64Encode(AsSpan(s));
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(AsStringView(*dec), s);
  }
  EXPECT_EQ(Base64Encode(AsSpan("foobar")), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(AsSpan("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(AsSpan("f")), "Zg==");
  EXPECT_EQ(Base64Encode(AsSpan("")), "");
  const uint8_t high[] = {0xff, 0xfe, 0xfd, 0x80};
  EXPECT_EQ(Base64Encode(high), "//79gA==");
}

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode("Zm=v").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg==").has_value());
}

// RFC 4648 decoding written out character by character: what Base64Decode must agree with.
std::optional<Bytes> ReferenceBase64Decode(std::string_view text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  Bytes out;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=') {
        if (i + 4 != text.size() || j < 2) return std::nullopt;  // only the last two places
        ++pad;
        n <<= 6;
        continue;
      }
      const size_t v = kAlphabet.find(c);
      if (pad > 0 || v == std::string::npos) return std::nullopt;
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(n));
  }
  return out;
}

TEST(Base64Test, DecodingAgreesWithTheReferenceOnValidAndDamagedText) {
  std::mt19937 rng(20261207);
  const std::string specials("=+/-_ \n\r\0A\x80\xff", 12);
  for (int round = 0; round < 20000; ++round) {
    Bytes data(rng() % 40);
    for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
    std::string text = Base64Encode(data);
    if (round % 2 == 1 && !text.empty()) {  // damage: one or two characters replaced
      for (int k = 0; k < 1 + static_cast<int>(rng() % 2); ++k) {
        const char c = rng() % 3 == 0 ? specials[rng() % specials.size()]
                                      : static_cast<char>(rng() % 256);
        text[rng() % text.size()] = c;
      }
    } else if (round % 7 == 0) {
      text.resize(text.size() - std::min<size_t>(text.size(), rng() % 3));  // truncated
    }
    const std::optional<Bytes> expected = ReferenceBase64Decode(text);
    const std::optional<Bytes> decoded = Base64Decode(text);
    ASSERT_EQ(decoded, expected) << "text: " << text;
    const std::optional<size_t> size = Base64DecodedSize(text);
    ASSERT_EQ(size.has_value(), expected.has_value()) << "text: " << text;
    if (size.has_value()) EXPECT_EQ(*size, expected->size());
    if (round % 2 == 0 && text.size() % 4 == 0) EXPECT_EQ(decoded, data);
  }
}

TEST(HexTest, RoundTripsAndRejectsOddOrNonHex) {
  Bytes b{0x00, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "00abff");
  EXPECT_EQ(*HexDecode("00ABff"), b);
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace openpca

#include "common/bytes.h"

#include <gtest/gtest.h>

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

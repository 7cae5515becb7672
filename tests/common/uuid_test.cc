// Version 4 and version 7 UUIDs: layout (RFC 9562 version and variant bits), the time prefix of
// version 7, and its order across milliseconds.
#include <gtest/gtest.h>

#include <string>

#include "common/random.h"

namespace openpca {
namespace {

// A Random that returns 0xff bytes: every random bit set, so fixed bits show.
class AllOnes final : public Random {
 public:
  Bytes RandomBytes(size_t n) override { return Bytes(n, 0xff); }
};

TEST(UuidTest, Version4Layout) {
  AllOnes ones;
  EXPECT_EQ(NewUuidV4(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

TEST(UuidTest, Version7CarriesTheMillisecondTimeFirst) {
  AllOnes ones;
  // 0x0123456789ab ms since the epoch.
  EXPECT_EQ(NewUuidV7(ones, 0x0123456789abLL), "01234567-89ab-7fff-bfff-ffffffffffff");
  EXPECT_EQ(NewUuidV7(ones, -5), "00000000-0000-7fff-bfff-ffffffffffff");
}

TEST(UuidTest, Version7SortsByTime) {
  OpenSslRandom random;
  const int64_t t = 1'796'000'000'000;  // 2026
  std::string previous = NewUuidV7(random, t);
  for (int i = 1; i < 200; ++i) {
    std::string next = NewUuidV7(random, t + i);
    EXPECT_LT(previous, next);
    EXPECT_EQ(next.size(), 36u);
    EXPECT_EQ(next[14], '7');
    previous = next;
  }
}

}  // namespace
}  // namespace openpca

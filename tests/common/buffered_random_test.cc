// BufferedRandom: the source's bytes, in order, drawn 4 KiB at a time; large requests pass
// straight through; what was handed out is not kept.
#include "common/buffered_random.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace openpca {
namespace {

// Bytes 0, 1, 2, ... (mod 256) across calls, and a count of calls.
class CountingSource final : public Random {
 public:
  Bytes RandomBytes(size_t n) override {
    ++calls;
    Bytes out(n);
    for (uint8_t& b : out) b = static_cast<uint8_t>(next_++);
    return out;
  }
  int calls = 0;

 private:
  uint64_t next_ = 0;
};

TEST(BufferedRandomTest, HandsOutTheSourcesBytesInOrderOneDrawPerChunk) {
  CountingSource source;
  BufferedRandom random(source);
  uint64_t expected = 0;
  for (int i = 0; i < 300; ++i) {  // 300 x 16 bytes: more than one 4 KiB chunk
    Bytes b = random.RandomBytes(16);
    ASSERT_EQ(b.size(), 16u);
    for (uint8_t v : b) {
      // The second chunk starts where the source left off: 4096 is a multiple of 16.
      ASSERT_EQ(v, static_cast<uint8_t>(expected++));
    }
  }
  EXPECT_EQ(source.calls, 2);  // 4,800 bytes from two draws of 4,096
}

TEST(BufferedRandomTest, LargeRequestsGoStraightToTheSource) {
  CountingSource source;
  BufferedRandom random(source);
  EXPECT_EQ(random.RandomBytes(2000).size(), 2000u);
  EXPECT_EQ(source.calls, 1);
  EXPECT_EQ(random.RandomBytes(8).size(), 8u);
  EXPECT_EQ(source.calls, 2);  // the first chunk
}

}  // namespace
}  // namespace openpca

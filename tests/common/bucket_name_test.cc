#include "common/bucket_name.h"

#include <gtest/gtest.h>

namespace openpca {
namespace {

TEST(BucketNameTest, S3NamingRules) {
  for (const char* ok : {"abc", "my-crls", "crl.pki.example.com", "a1.b2", "192.168.1.x",
                         "0123456789012345678901234567890123456789012345678901234567890ab"}) {
    EXPECT_TRUE(IsValidBucketName(ok)) << ok;
  }
  for (const char* bad : {"", "ab", "Upper", "under_score", "-lead", "trail-", ".dot", "dot.",
                          "two..dots", "192.168.1.10", "with/slash", "space here",
                          "0123456789012345678901234567890123456789012345678901234567890abc"}) {
    EXPECT_FALSE(IsValidBucketName(bad)) << bad;
  }
}

}  // namespace
}  // namespace openpca

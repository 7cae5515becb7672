#include "objects/bucket_store.h"

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

namespace openpca::objects {
namespace {

class BucketStoreTest : public ::testing::Test {
 protected:
  BucketStoreTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("openpca-bucket-store-test-" + std::to_string(std::random_device{}()))),
        clock_(FromUnixSeconds(1'800'000'000)),
        store_(dir_.string(), clock_) {}
  ~BucketStoreTest() override { std::filesystem::remove_all(dir_); }

  Status PutText(std::string_view bucket, std::string_view key, bool public_read = false) {
    return store_.Put(bucket, key, AsSpan(std::string_view("data")), "text/plain", public_read);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  BucketStore store_;
};

TEST_F(BucketStoreTest, CreateAndDeleteBuckets) {
  auto created = store_.CreateBucket("crl-bucket");
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(*created);
  auto again = store_.CreateBucket("crl-bucket");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(store_.CreateBucket("Bad_Name").status().code(), ErrorCode::kInvalidArgs);
  ASSERT_EQ(store_.Buckets().size(), 1u);  // the configuration folder is not a bucket

  ASSERT_TRUE(PutText("crl-bucket", "crl/a.crl").ok());
  EXPECT_EQ(store_.DeleteBucket("crl-bucket").code(), ErrorCode::kInvalidState);
  EXPECT_TRUE(store_.Head("crl-bucket", "crl/a.crl").ok());  // refused: nothing removed
  ASSERT_TRUE(store_.Delete("crl-bucket", "crl/a.crl").ok());
  EXPECT_TRUE(store_.Delete("crl-bucket", "crl/a.crl").ok());  // absent is fine
  EXPECT_EQ(store_.Head("crl-bucket", "crl/a.crl").status().code(), ErrorCode::kResourceNotFound);
  ASSERT_TRUE(store_.DeleteBucket("crl-bucket").ok());
  EXPECT_FALSE(store_.BucketExists("crl-bucket"));
  EXPECT_EQ(store_.DeleteBucket("crl-bucket").code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(store_.Delete("crl-bucket", "k").code(), ErrorCode::kResourceNotFound);
}

TEST_F(BucketStoreTest, PolicyIsStoredAsGivenAndForgottenWithTheBucket) {
  EXPECT_EQ(store_.GetPolicy("pol").status().code(), ErrorCode::kResourceNotFound);
  ASSERT_TRUE(store_.CreateBucket("pol").ok());
  auto none = store_.GetPolicy("pol");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  const std::string doc = "{ \"Version\": \"2012-10-17\",\n  \"Statement\": [] }";
  ASSERT_TRUE(store_.PutPolicy("pol", doc).ok());
  EXPECT_EQ(store_.GetPolicy("pol")->value(), doc);
  ASSERT_TRUE(store_.DeletePolicy("pol").ok());
  EXPECT_FALSE(store_.GetPolicy("pol")->has_value());
  ASSERT_TRUE(store_.PutPolicy("pol", doc).ok());
  ASSERT_TRUE(store_.DeleteBucket("pol").ok());
  ASSERT_TRUE(store_.CreateBucket("pol").ok());
  EXPECT_FALSE(store_.GetPolicy("pol")->has_value());  // a new bucket starts bare
}

TEST_F(BucketStoreTest, PublicAccessBlockGovernsPublicReadObjects) {
  ASSERT_TRUE(store_.CreateBucket("pab").ok());
  ASSERT_TRUE(PutText("pab", "before.crl", /*public_read=*/true).ok());
  EXPECT_TRUE(store_.Head("pab", "before.crl")->public_read);
  EXPECT_FALSE(store_.GetPublicAccessBlock("pab")->has_value());

  PublicAccessBlock block;
  block.block_public_acls = true;
  block.ignore_public_acls = true;
  ASSERT_TRUE(store_.PutPublicAccessBlock("pab", block).ok());
  auto got = store_.GetPublicAccessBlock("pab");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->block_public_acls);
  EXPECT_TRUE((*got)->ignore_public_acls);
  EXPECT_FALSE((*got)->block_public_policy);

  // BlockPublicAcls: public-read writes refused, private ones fine; nothing written on refusal.
  EXPECT_EQ(PutText("pab", "after.crl", true).code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(store_.Head("pab", "after.crl").status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(store_.SetPublicRead("pab", "before.crl", true).code(), ErrorCode::kAccessDenied);
  EXPECT_TRUE(PutText("pab", "private.crl").ok());
  // IgnorePublicAcls: an object stored public-read reads as private.
  EXPECT_FALSE(store_.Head("pab", "before.crl")->public_read);

  ASSERT_TRUE(store_.DeletePublicAccessBlock("pab").ok());
  EXPECT_TRUE(store_.Head("pab", "before.crl")->public_read);
  EXPECT_TRUE(store_.SetPublicRead("pab", "private.crl", true).ok());
  EXPECT_TRUE(store_.Head("pab", "private.crl")->public_read);
}

}  // namespace
}  // namespace openpca::objects

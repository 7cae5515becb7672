#include "keys/secret_box.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "keys_test_util.h"

namespace openpca::keys {
namespace {

using testing::FileMode;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

Bytes TestKey(uint8_t fill = 0x5a) { return Bytes(SecretBox::kKeySize, fill); }

std::unique_ptr<SecretBox> MakeBox(uint8_t fill = 0x5a) {
  auto box = SecretBox::Create(TestKey(fill));
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  return std::move(box).value();
}

TEST(SecretBoxTest, RoundTrip) {
  auto box = MakeBox();
  Bytes plain = ToBytes("the secret access key");
  auto sealed = box->Seal(plain, "access-key:AKIA1");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), 4 + 12 + plain.size() + 16);
  EXPECT_EQ(AsStringView(std::span(*sealed).first(4)), "OPS1");
  auto opened = box->Open(*sealed, "access-key:AKIA1");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plain);
}

TEST(SecretBoxTest, EmptyPlaintextAndEmptyAssociatedData) {
  auto box = MakeBox();
  auto sealed = box->Seal({}, "");
  ASSERT_TRUE(sealed.ok());
  auto opened = box->Open(*sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->empty());
  EXPECT_FALSE(box->Open(*sealed, "x").ok());
}

TEST(SecretBoxTest, FreshNoncePerSeal) {
  auto box = MakeBox();
  Bytes plain = ToBytes("same");
  auto a = box->Seal(plain, "ad");
  auto b = box->Seal(plain, "ad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(Bytes(a->begin() + 4, a->begin() + 16), Bytes(b->begin() + 4, b->begin() + 16));
}

TEST(SecretBoxTest, EveryFlippedByteIsDetected) {
  auto box = MakeBox();
  auto sealed = box->Seal(ToBytes("tamper with me"), "key:soft:1");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes bad = *sealed;
    bad[i] ^= 0x01;
    auto opened = box->Open(bad, "key:soft:1");
    ASSERT_FALSE(opened.ok()) << "flip at " << i;
    EXPECT_EQ(opened.status().code(), ErrorCode::kInternal);
  }
}

TEST(SecretBoxTest, WrongAssociatedDataWrongKeyAndTruncationFail) {
  auto box = MakeBox();
  auto sealed = box->Seal(ToBytes("payload"), "key:soft:a");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(box->Open(*sealed, "key:soft:b").status().code(), ErrorCode::kInternal);
  EXPECT_EQ(MakeBox(0x11)->Open(*sealed, "key:soft:a").status().code(), ErrorCode::kInternal);
  Bytes truncated(sealed->begin(), sealed->end() - 1);
  EXPECT_EQ(box->Open(truncated, "key:soft:a").status().code(), ErrorCode::kInternal);
  EXPECT_EQ(box->Open(Bytes(10, 0), "key:soft:a").status().code(), ErrorCode::kInternal);
  EXPECT_EQ(box->Open({}, "key:soft:a").status().code(), ErrorCode::kInternal);
}

TEST(SecretBoxTest, RejectsWrongKeySize) {
  EXPECT_EQ(SecretBox::Create(Bytes(31, 1)).status().code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(SecretBox::Create(Bytes(33, 1)).status().code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(SecretBox::Create({}).status().code(), ErrorCode::kInvalidArgs);
}

TEST(SecretBoxTest, ConcurrentUse) {
  auto box = MakeBox();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string ad = "ad:" + std::to_string(t) + ":" + std::to_string(i);
        auto sealed = box->Seal(ToBytes(ad), ad);
        if (!sealed.ok()) {
          ++failures;
          continue;
        }
        auto opened = box->Open(*sealed, ad);
        if (!opened.ok() || *opened != ToBytes(ad)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SecretBoxKeyFileTest, CreatesPrivateFileAndReopensIt) {
  TempDir dir;
  std::string path = dir.path() + "/master.key";
  auto first = SecretBox::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(FileMode(path), 0600u);
  EXPECT_EQ(ReadFile(path).size(), SecretBox::kKeySize);

  auto sealed = (*first)->Seal(ToBytes("persisted"), "ad");
  ASSERT_TRUE(sealed.ok());
  auto second = SecretBox::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto opened = (*second)->Open(*sealed, "ad");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, ToBytes("persisted"));
  EXPECT_EQ(FileMode(path), 0600u);
}

TEST(SecretBoxKeyFileTest, UsesTheKeyInTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/master.key";
  WriteFile(path, TestKey(0x42));
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto box = SecretBox::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto sealed = MakeBox(0x42)->Seal(ToBytes("x"), "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE((*box)->Open(*sealed, "ad").ok());
}

TEST(SecretBoxKeyFileTest, RefusesGroupOrWorldReadableKeyFile) {
  TempDir dir;
  std::string path = dir.path() + "/master.key";
  ASSERT_TRUE(SecretBox::LoadOrCreateKeyFile(path).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    EXPECT_EQ(SecretBox::LoadOrCreateKeyFile(path).status().code(), ErrorCode::kInvalidArgs)
        << std::oct << mode;
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(SecretBox::LoadOrCreateKeyFile(path).ok());
}

TEST(SecretBoxKeyFileTest, RefusesWrongSizeAndNonRegularFiles) {
  TempDir dir;
  std::string short_path = dir.path() + "/short.key";
  WriteFile(short_path, Bytes(31, 7));
  ASSERT_EQ(::chmod(short_path.c_str(), 0600), 0);
  EXPECT_EQ(SecretBox::LoadOrCreateKeyFile(short_path).status().code(), ErrorCode::kInvalidArgs);
  std::string long_path = dir.path() + "/long.key";
  WriteFile(long_path, Bytes(33, 7));
  ASSERT_EQ(::chmod(long_path.c_str(), 0600), 0);
  EXPECT_EQ(SecretBox::LoadOrCreateKeyFile(long_path).status().code(), ErrorCode::kInvalidArgs);
  std::string sub = dir.path() + "/sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  EXPECT_FALSE(SecretBox::LoadOrCreateKeyFile(sub).ok());
}

TEST(SecretBoxKeyFileTest, MissingDirectoryIsAnError) {
  TempDir dir;
  auto box = SecretBox::LoadOrCreateKeyFile(dir.path() + "/nope/master.key");
  EXPECT_EQ(box.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace openpca::keys

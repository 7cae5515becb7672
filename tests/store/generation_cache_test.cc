// GenerationCache over the resource-facts generation of a real SQLite store: a value is read once
// and reused until a write moves the generation; nothing, errors and absent keys are not kept; a
// reader of an older generation never replaces a newer value; the size is bounded.
#include "store/generation_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_facts_generation_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_util.h"

namespace openpca::store {
namespace {

using testing::MakeCa;

class GenerationCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteStore::Open(dir_.File("openpca.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    generation_ = MakeSqliteFactsGeneration(*db_);
    ASSERT_OK(db_->InsertCa(ca_, {Tag{"env", std::string("test")}}, std::nullopt));
  }

  // The CA's "env" tag, counting reads; nullopt for a CA that does not exist.
  Result<std::optional<std::string>> ReadEnv(std::string_view ca_id) {
    ++reads_;
    Result<CaRecord> ca = db_->GetCa(ca_id);
    if (!ca.ok()) {
      if (ca.status().code() == ErrorCode::kResourceNotFound) {
        return std::optional<std::string>();
      }
      return ca.status();
    }
    ASSIGN_OR_RETURN(std::vector<Tag> tags, db_->GetTags(ca_id));
    for (const Tag& t : tags) {
      if (t.key == "env") return std::optional<std::string>(t.value.value_or(""));
    }
    return std::optional<std::string>("");
  }

  std::optional<std::string> Env(GenerationCache<std::string>& cache, std::string_view id) {
    Result<std::optional<std::string>> v =
        cache.Get(id, [this](std::string_view key) { return ReadEnv(key); });
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::nullopt;
  }

  void Retag(const std::string& value) {
    ASSERT_OK(db_->ReplaceTags(ca_.id, {Tag{"env", value}}));
  }

  testing::TempDir dir_;
  CaRecord ca_ = MakeCa("11111111-2222-3333-4444-555555555555", "111122223333");
  std::unique_ptr<SqliteStore> db_;
  std::unique_ptr<FactsGenerationWatch> generation_;
  int reads_ = 0;
};

TEST_F(GenerationCacheTest, KeepsAValueUntilAWriteMovesTheGeneration) {
  GenerationCache<std::string> cache(generation_.get());
  EXPECT_EQ(Env(cache, ca_.id), "test");
  EXPECT_EQ(Env(cache, ca_.id), "test");
  EXPECT_EQ(reads_, 1);
  EXPECT_EQ(cache.size(), 1u);

  Retag("prod");  // the writing store knows the new generation before ReplaceTags returns
  EXPECT_EQ(Env(cache, ca_.id), "prod");
  EXPECT_EQ(Env(cache, ca_.id), "prod");
  EXPECT_EQ(reads_, 2);
}

TEST_F(GenerationCacheTest, WithoutAGenerationReadsEveryTime) {
  GenerationCache<std::string> cache;
  EXPECT_EQ(Env(cache, ca_.id), "test");
  EXPECT_EQ(Env(cache, ca_.id), "test");
  EXPECT_EQ(reads_, 2);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(GenerationCacheTest, NeitherAnAbsentKeyNorAnErrorIsKept) {
  GenerationCache<std::string> cache(generation_.get());
  const std::string absent = "66666666-2222-3333-4444-555555555555";
  EXPECT_EQ(Env(cache, absent), std::nullopt);
  EXPECT_EQ(Env(cache, absent), std::nullopt);
  EXPECT_EQ(reads_, 2);
  EXPECT_EQ(cache.size(), 0u);

  int failing_reads = 0;
  auto failing = [&](std::string_view) -> Result<std::optional<std::string>> {
    ++failing_reads;
    return InternalError("the database is gone");
  };
  for (int i = 0; i < 2; ++i) {
    Result<std::optional<std::string>> v = cache.Get(ca_.id, failing);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), ErrorCode::kInternal);
  }
  EXPECT_EQ(failing_reads, 2);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(Env(cache, ca_.id), "test");  // the next good read is kept
  EXPECT_EQ(Env(cache, ca_.id), "test");
  EXPECT_EQ(reads_, 3);
}

TEST_F(GenerationCacheTest, AReaderOfAnOlderGenerationNeverReplacesANewerValue) {
  GenerationCache<std::string> cache(generation_.get());
  // The outer read starts at the current generation; while it runs, a write moves the generation
  // and a second reader keeps the new value. The outer reader's older value must not replace it.
  Result<std::optional<std::string>> outer =
      cache.Get(ca_.id, [&](std::string_view key) -> Result<std::optional<std::string>> {
        ASSIGN_OR_RETURN(std::optional<std::string> before, ReadEnv(key));
        Retag("prod");
        EXPECT_EQ(Env(cache, ca_.id), "prod");
        return before;
      });
  ASSERT_TRUE(outer.ok()) << outer.status().ToString();
  EXPECT_EQ(*outer, "test");  // what that caller read, as of its generation
  const int reads = reads_;
  EXPECT_EQ(Env(cache, ca_.id), "prod");
  EXPECT_EQ(reads_, reads);  // kept, and the newer value
}

TEST_F(GenerationCacheTest, StartsOverPastItsLimit) {
  GenerationCache<std::string> cache(generation_.get(), /*max_entries=*/2);
  for (int i = 0; i < 5; ++i) {
    CaRecord ca = MakeCa("22222222-2222-3333-4444-00000000000" + std::to_string(i),
                         "111122223333");
    ASSERT_OK(db_->InsertCa(ca, {}, std::nullopt));
    EXPECT_EQ(Env(cache, ca.id), "");
    EXPECT_LE(cache.size(), 2u);
  }
  EXPECT_EQ(Env(cache, ca_.id), "test");
  EXPECT_LE(cache.size(), 2u);
  EXPECT_GE(cache.size(), 1u);
}

}  // namespace
}  // namespace openpca::store

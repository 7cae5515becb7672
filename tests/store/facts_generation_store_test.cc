// FactsGenerationStore on SQLite and PostgreSQL: the generation moves with every write to a fact
// the server keeps about a CA (its row, tags, policy, ACM permissions, RAM shares), in the write's
// own transaction, and is known to the writing store as soon as the write returns; it stays for
// writes that change none of them (an issued or revoked certificate) and for refused writes.
#include <gtest/gtest.h>

#include <memory>

#include "domain_store_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

constexpr char kShare[] = "arn:aws:ram:us-east-1:111122223333:resource-share/s1";

template <typename Factory>
class FactsGenerationStoreTest : public StoreTestBase<Factory> {
 protected:
  void SetUp() override {
    StoreTestBase<Factory>::SetUp();
    if (this->IsSkipped() || this->HasFatalFailure()) return;
    sharing_ = Factory::Sharing(this->store());
    generation_ = Factory::FactsGeneration(this->store());
    ASSERT_OK(this->store().InsertCa(MakeCa("ca1"), {}, std::nullopt));
  }

  int64_t Generation() {
    Result<int64_t> g = generation_->ResourceFactsGeneration();
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : -1;
  }

  // Runs `write` (which must succeed) and returns whether the generation moved.
  template <typename Fn>
  bool Moves(Fn write) {
    int64_t before = Generation();
    Status st = write();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return Generation() > before;
  }

  std::unique_ptr<SharingStore> sharing_;  // destroyed before the Store they use
  std::unique_ptr<FactsGenerationStore> generation_;
};

TYPED_TEST_SUITE(FactsGenerationStoreTest, DomainStoreImplementations);

TYPED_TEST(FactsGenerationStoreTest, MovesWithEveryFactOfACa) {
  Store& db = this->store();
  SharingStore& sharing = *this->sharing_;
  CaRecord ca = MakeCa("ca1");
  EXPECT_TRUE(this->Moves([&] { return db.ReplaceTags("ca1", {Tag{"env", std::string("prod")}}); }));
  EXPECT_TRUE(this->Moves([&] { return sharing.PutCaPolicy("ca1", "{}", 0, 1); }));
  EXPECT_TRUE(this->Moves([&] { return sharing.DeleteCaPolicy("ca1", ca.arn, 1, 2); }));
  EXPECT_TRUE(this->Moves([&] {
    return sharing.InsertCaPermission({"ca1", "acm.amazonaws.com", "", {"GetCertificate"}, 1});
  }));
  EXPECT_TRUE(
      this->Moves([&] { return sharing.DeleteCaPermission("ca1", "acm.amazonaws.com", ""); }));
  ResourceShareRecord share;
  share.arn = kShare;
  share.owner_account = "111122223333";
  share.region = "us-east-1";
  share.name = "share";
  share.status = "ACTIVE";
  share.request_digest = "d";
  EXPECT_TRUE(this->Moves([&] { return sharing.InsertResourceShare(share, {}, {}, {}, {}); }));
  EXPECT_TRUE(this->Moves([&] {
    return sharing.PutShareAssociations(
        {{kShare, ca.arn, "acm-pca:CertificateAuthority", "ASSOCIATED", false, 10, 10}}, {}, {}, {});
  }));
  EXPECT_TRUE(this->Moves([&] {
    return sharing.PutShareAssociations(
        {}, {{kShare, "444455556666", "", "ASSOCIATED", true, 10, 10}}, {}, {});
  }));
  EXPECT_TRUE(this->Moves([&] { return sharing.UpdateResourceShareStatus(kShare, "DELETED", "DISASSOCIATED", 20); }));
  EXPECT_TRUE(this->Moves([&] { return db.InsertCa(MakeCa("ca2"), {}, std::nullopt); }));
  CaRecord disabled = MakeCa("ca2");
  disabled.status = "DISABLED";
  EXPECT_TRUE(this->Moves([&] { return db.UpdateCa(disabled); }));
  EXPECT_TRUE(this->Moves([&] { return db.PurgeCa("ca2"); }));
}

TYPED_TEST(FactsGenerationStoreTest, StaysForCertificatesAndForRefusedWrites) {
  Store& db = this->store();
  int64_t before = this->Generation();
  ASSERT_OK(db.InsertCertificate(MakeCertificate("ca1", "01"), std::nullopt));
  ASSERT_OK(db.RevokeCertificate("ca1", "01", 1'700'000'000'000, 1));
  // Refused: a policy version that is not the stored one, a CA that does not exist.
  EXPECT_EQ(this->sharing_->PutCaPolicy("ca1", "{}", 7, 1).code(),
            ErrorCode::kConcurrentModification);
  EXPECT_EQ(db.ReplaceTags("missing", {}).code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(this->Generation(), before);
}

}  // namespace
}  // namespace openpca::store::testing

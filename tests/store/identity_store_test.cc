// SqliteStore and PgStore as IdentityStores: round trips of every identity record type, atomic
// batches and case-insensitive name keys (one typed suite), and the upgrade of a database at
// migration 0003 (once per dialect).
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "store/migration.h"
#include "store/postgres/pg_migrator.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store_test_fixture.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

template <typename R>
std::vector<R> All(const IdentitySnapshot& snapshot) {
  std::vector<R> out;
  for (const IdentityRecord& r : snapshot.records) {
    if (const R* x = std::get_if<R>(&r)) out.push_back(*x);
  }
  return out;
}

template <typename Factory>
class IdentityStoreTest : public StoreTestBase<Factory> {
 protected:
  IdentityStore& identity() { return Factory::Identity(this->store()); }
};

TYPED_TEST_SUITE(IdentityStoreTest, StoreImplementations);

TYPED_TEST(IdentityStoreTest, FreshDatabaseHasNoIdentities) {
  Result<IdentitySnapshot> snapshot = this->identity().LoadIdentity();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_TRUE(snapshot->records.empty());
}

TYPED_TEST(IdentityStoreTest, EveryRecordTypeRoundTripsAcrossReopen) {
  std::vector<IdentityChange> changes = {
      IdentityChange::Put(IamAccountRecord{"111122223333", "main", "a@example.com", "ACTIVE",
                                           "CREATED", 5, "o-abcdefghij", "r-ab12"}),
      IdentityChange::Put(OrganizationRecord{"o-abcdefghij", "111122223333", "ALL", "r-ab12",
                                             "SERVICE_CONTROL_POLICY", 6}),
      IdentityChange::Put(OrgUnitRecord{"ou-ab12-11111111", "o-abcdefghij", "r-ab12", "eng"}),
      IdentityChange::Put(OrgPolicyRecord{"p-FullAWSAccess", "", "FullAWSAccess", "d",
                                          "SERVICE_CONTROL_POLICY", "{}", true}),
      IdentityChange::Put(OrgPolicyAttachmentRecord{"o-abcdefghij", "p-FullAWSAccess", "r-ab12"}),
      IdentityChange::Put(CreateAccountStatusRecord{"car-12345678", "o-abcdefghij", "n", "e@x.io",
                                                    "OrganizationAccountAccessRole", "SUCCEEDED", 1,
                                                    2, "444455556666", ""}),
      IdentityChange::Put(IamUserRecord{"111122223333", "Alice", "AIDAEXAMPLE", "/eng/",
                                        "arn:aws:iam::aws:policy/AdministratorAccess", 7}),
      IdentityChange::Put(IamGroupRecord{"111122223333", "devs", "AGPAEXAMPLE", "/", 8}),
      IdentityChange::Put(IamGroupMemberRecord{"111122223333", "devs", "Alice"}),
      IdentityChange::Put(IamRoleRecord{"111122223333", "r1", "AROAEXAMPLE", "/", "{\"t\":1}",
                                        "desc", 7200, "", 9}),
      IdentityChange::Put(IamPolicyRecord{"arn:aws:iam::111122223333:policy/p", "111122223333", "p",
                                          "ANPAEXAMPLE", "/", "", "v2", 3, 10, 11}),
      IdentityChange::Put(
          IamPolicyVersionRecord{"arn:aws:iam::111122223333:policy/p", "v2", "{\"d\":2}", 11}),
      IdentityChange::Put(IamAttachmentRecord{"111122223333", "user", "Alice",
                                              "arn:aws:iam::111122223333:policy/p"}),
      IdentityChange::Put(
          IamInlinePolicyRecord{"111122223333", "role", "r1", "inline", "{\"i\":1}"}),
      IdentityChange::Put(IamTagRecord{"111122223333", "user", "Alice", "team", "blue", 0}),
      IdentityChange::Put(IamAccessKeyRecord{"AKIAEXAMPLEEXAMPLE01", "111122223333", Bytes{1, 2, 3},
                                             12, "Alice", "Inactive"}),
  };
  ASSERT_OK(this->identity().ApplyIdentityChanges(changes));
  this->Reopen();
  Result<IdentitySnapshot> snapshot = this->identity().LoadIdentity();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->records.size(), changes.size());

  auto users = All<IamUserRecord>(*snapshot);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "Alice");
  EXPECT_EQ(users[0].path, "/eng/");
  EXPECT_EQ(users[0].permissions_boundary, "arn:aws:iam::aws:policy/AdministratorAccess");
  auto roles = All<IamRoleRecord>(*snapshot);
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(roles[0].max_session_duration, 7200);
  EXPECT_EQ(roles[0].trust_policy, "{\"t\":1}");
  auto keys = All<IamAccessKeyRecord>(*snapshot);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].status, "Inactive");
  EXPECT_EQ(keys[0].user_name, "Alice");
  EXPECT_EQ(keys[0].sealed_secret, (Bytes{1, 2, 3}));
  auto orgs = All<OrganizationRecord>(*snapshot);
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs[0].enabled_policy_types, "SERVICE_CONTROL_POLICY");
  auto policies = All<OrgPolicyRecord>(*snapshot);
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_TRUE(policies[0].aws_managed);
  // The access key is also visible through the Store half.
  Result<AccessKeyRecord> key = this->store().GetAccessKey("AKIAEXAMPLEEXAMPLE01");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->account_id, "111122223333");
}

TYPED_TEST(IdentityStoreTest, PutReplacesByCaseInsensitiveNameAndDeleteRemoves) {
  IdentityStore& store = this->identity();
  std::vector<IdentityChange> first = {
      IdentityChange::Put(IamUserRecord{"111122223333", "Alice", "AIDA1", "/", "", 1})};
  ASSERT_OK(store.ApplyIdentityChanges(first));
  std::vector<IdentityChange> second = {
      IdentityChange::Put(IamUserRecord{"111122223333", "alice", "AIDA2", "/x/", "", 2})};
  ASSERT_OK(store.ApplyIdentityChanges(second));
  auto users = All<IamUserRecord>(store.LoadIdentity().value());
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].id, "AIDA2");
  EXPECT_EQ(users[0].name, "alice");  // the put's spelling
  EXPECT_EQ(users[0].path, "/x/");
  std::vector<IdentityChange> del = {
      IdentityChange::Delete(IamUserRecord{"111122223333", "ALICE", "", "", "", 0})};
  ASSERT_OK(store.ApplyIdentityChanges(del));
  EXPECT_TRUE(All<IamUserRecord>(store.LoadIdentity().value()).empty());
}

TYPED_TEST(IdentityStoreTest, FailedBatchLeavesNothing) {
  // Dropping a table makes the batch's second change fail after its first succeeded.
  ASSERT_OK(this->factory_.Execute("DROP TABLE iam_tags"));
  std::vector<IdentityChange> batch = {
      IdentityChange::Put(IamUserRecord{"111122223333", "bob", "AIDA1", "/", "", 1}),
      IdentityChange::Put(IamTagRecord{"111122223333", "user", "bob", "k", "v", 0}),
  };
  EXPECT_FALSE(this->identity().ApplyIdentityChanges(batch).ok());
  Result<std::string> count = this->factory_.QueryValue("SELECT COUNT(*) FROM iam_users");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, "0") << "the user of the failed batch was committed";
  // The failure was the batch's alone: the store keeps writing.
  ASSERT_OK(this->identity().ApplyIdentityChanges(std::span(batch).first(1)));
  count = this->factory_.QueryValue("SELECT COUNT(*) FROM iam_users");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, "1");
}

TYPED_TEST(IdentityStoreTest, UpgradeOfAnEmptyDatabaseCreatesNoUser) {
  EXPECT_TRUE(this->identity().LoadIdentity().value().records.empty());
}

// The account and bootstrap key of an install made by a binary that knew migrations 0001-0003.
constexpr char kMigration3Seed[] =
    "INSERT INTO settings (name, value) VALUES ('account_id', '123456789012');"
    "INSERT INTO settings (name, value) VALUES ('admin_access_key_id', 'AKIAOLDKEY0000000001');";

// After the upgrade the bootstrap key belongs to IAM user admin with AdministratorAccess.
void ExpectBootstrapKeyBecameAdmins(Store& store, IdentityStore& identity) {
  Result<AccessKeyRecord> old = store.GetAccessKey("AKIAOLDKEY0000000001");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->sealed_secret, (Bytes{1, 2}));
  EXPECT_EQ(old->created_at_ms, 42);

  IdentitySnapshot snapshot = identity.LoadIdentity().value();
  auto keys = All<IamAccessKeyRecord>(snapshot);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].user_name, "admin");
  EXPECT_EQ(keys[0].status, "Active");
  auto users = All<IamUserRecord>(snapshot);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "admin");
  EXPECT_EQ(users[0].account_id, "123456789012");
  EXPECT_TRUE(users[0].id.starts_with("AIDA"));
  EXPECT_EQ(users[0].id.size(), 21u);
  auto attachments = All<IamAttachmentRecord>(snapshot);
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0].entity_name, "admin");
  EXPECT_EQ(attachments[0].policy_arn, "arn:aws:iam::aws:policy/AdministratorAccess");
  auto accounts = All<IamAccountRecord>(snapshot);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].id, "123456789012");
}

TEST(SqliteIdentityStoreTest, UpgradeFromMigration3MakesTheBootstrapKeyAdmins) {
  TempDir dir;
  std::string path = dir.File("db");
  {
    Result<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(path, true, 1000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    std::span<const Migration> all = SqliteMigrations();
    ASSERT_GE(all.size(), 4u);
    ASSERT_EQ(all[3].name, "identity");
    ASSERT_OK(ApplySqliteMigrations(**conn, all.first(3), 1000));
    ASSERT_OK((*conn)->ExecuteScript(
        std::string(kMigration3Seed) +
        "INSERT INTO access_keys (access_key_id, account_id, sealed_secret, created_at_ms) "
        "VALUES ('AKIAOLDKEY0000000001', '123456789012', x'0102', 42);"));
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectBootstrapKeyBecameAdmins(**store, **store);
}

TEST(PgIdentityStoreTest, UpgradeFromMigration3MakesTheBootstrapKeyAdmins) {
  PostgresStoreFactory factory(/*migrated=*/false);
  if (std::optional<std::string> why = factory.SkipReason()) {
    if (getenv("OPENPCA_REQUIRE_POSTGRES") != nullptr) FAIL() << *why;
    GTEST_SKIP() << *why;
  }
  {
    Result<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(factory.ConnInfo());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    std::span<const Migration> all = PostgresMigrations();
    ASSERT_GE(all.size(), 4u);
    ASSERT_EQ(all[3].name, "identity");
    ASSERT_OK(ApplyPgMigrations(**conn, all.first(3), 1000));
    ASSERT_OK((*conn)->RunScript(
        std::string(kMigration3Seed) +
        "INSERT INTO access_keys (access_key_id, account_id, sealed_secret, created_at_ms) "
        "VALUES ('AKIAOLDKEY0000000001', '123456789012', '\\x0102'::bytea, 42);"));
  }
  Result<std::unique_ptr<PgStore>> store = PgStore::Open(factory.ConnInfo());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectBootstrapKeyBecameAdmins(**store, **store);
}

}  // namespace
}  // namespace openpca::store::testing

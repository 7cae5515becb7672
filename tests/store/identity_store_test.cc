// SqliteStore as an IdentityStore: round trips of every identity record type, atomic batches,
// case-insensitive name keys, and the upgrade of a database at migration 0003.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "store/migration.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace openpca::store::testing {
namespace {

std::unique_ptr<SqliteStore> MustOpen(const std::string& path) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

template <typename R>
std::vector<R> All(const IdentitySnapshot& snapshot) {
  std::vector<R> out;
  for (const IdentityRecord& r : snapshot.records) {
    if (const R* x = std::get_if<R>(&r)) out.push_back(*x);
  }
  return out;
}

TEST(IdentityStoreTest, FreshDatabaseHasNoIdentities) {
  TempDir dir;
  auto store = MustOpen(dir.File("db"));
  ASSERT_NE(store, nullptr);
  Result<IdentitySnapshot> snapshot = store->LoadIdentity();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_TRUE(snapshot->records.empty());
}

TEST(IdentityStoreTest, EveryRecordTypeRoundTripsAcrossReopen) {
  TempDir dir;
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
                                                    "OrganizationAccountAccessRole",
                                                    "SUCCEEDED", 1, 2, "444455556666", ""}),
      IdentityChange::Put(IamUserRecord{"111122223333", "Alice", "AIDAEXAMPLE", "/eng/",
                                        "arn:aws:iam::aws:policy/AdministratorAccess", 7}),
      IdentityChange::Put(IamGroupRecord{"111122223333", "devs", "AGPAEXAMPLE", "/", 8}),
      IdentityChange::Put(IamGroupMemberRecord{"111122223333", "devs", "Alice"}),
      IdentityChange::Put(IamRoleRecord{"111122223333", "r1", "AROAEXAMPLE", "/", "{\"t\":1}",
                                        "desc", 7200, "", 9}),
      IdentityChange::Put(IamPolicyRecord{"arn:aws:iam::111122223333:policy/p", "111122223333",
                                          "p", "ANPAEXAMPLE", "/", "", "v2", 3, 10, 11}),
      IdentityChange::Put(
          IamPolicyVersionRecord{"arn:aws:iam::111122223333:policy/p", "v2", "{\"d\":2}", 11}),
      IdentityChange::Put(IamAttachmentRecord{"111122223333", "user", "Alice",
                                              "arn:aws:iam::111122223333:policy/p"}),
      IdentityChange::Put(
          IamInlinePolicyRecord{"111122223333", "role", "r1", "inline", "{\"i\":1}"}),
      IdentityChange::Put(IamTagRecord{"111122223333", "user", "Alice", "team", "blue", 0}),
      IdentityChange::Put(IamAccessKeyRecord{"AKIAEXAMPLEEXAMPLE01", "111122223333",
                                             Bytes{1, 2, 3}, 12, "Alice", "Inactive"}),
  };
  {
    auto store = MustOpen(dir.File("db"));
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->ApplyIdentityChanges(changes));
  }
  auto store = MustOpen(dir.File("db"));
  ASSERT_NE(store, nullptr);
  Result<IdentitySnapshot> snapshot = store->LoadIdentity();
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
  Result<AccessKeyRecord> key = store->GetAccessKey("AKIAEXAMPLEEXAMPLE01");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->account_id, "111122223333");
}

TEST(IdentityStoreTest, PutReplacesByCaseInsensitiveNameAndDeleteRemoves) {
  TempDir dir;
  auto store = MustOpen(dir.File("db"));
  ASSERT_NE(store, nullptr);
  std::vector<IdentityChange> first = {
      IdentityChange::Put(IamUserRecord{"111122223333", "Alice", "AIDA1", "/", "", 1})};
  ASSERT_OK(store->ApplyIdentityChanges(first));
  std::vector<IdentityChange> second = {
      IdentityChange::Put(IamUserRecord{"111122223333", "alice", "AIDA2", "/x/", "", 2})};
  ASSERT_OK(store->ApplyIdentityChanges(second));
  auto users = All<IamUserRecord>(store->LoadIdentity().value());
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].id, "AIDA2");
  std::vector<IdentityChange> del = {
      IdentityChange::Delete(IamUserRecord{"111122223333", "ALICE", "", "", "", 0})};
  ASSERT_OK(store->ApplyIdentityChanges(del));
  EXPECT_TRUE(All<IamUserRecord>(store->LoadIdentity().value()).empty());
}

TEST(IdentityStoreTest, FailedBatchLeavesNothing) {
  TempDir dir;
  auto store = MustOpen(dir.File("db"));
  ASSERT_NE(store, nullptr);
  // Dropping a table makes the batch's second change fail after its first succeeded.
  {
    Result<std::unique_ptr<SqliteConnection>> conn =
        SqliteConnection::Open(dir.File("db"), false, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_OK((*conn)->ExecuteScript("DROP TABLE iam_tags"));
  }
  std::vector<IdentityChange> batch = {
      IdentityChange::Put(IamUserRecord{"111122223333", "bob", "AIDA1", "/", "", 1}),
      IdentityChange::Put(IamTagRecord{"111122223333", "user", "bob", "k", "v", 0}),
  };
  EXPECT_FALSE(store->ApplyIdentityChanges(batch).ok());
  Result<std::unique_ptr<SqliteConnection>> conn =
      SqliteConnection::Open(dir.File("db"), false, 1000);
  ASSERT_TRUE(conn.ok());
  Result<std::string> count = (*conn)->QueryText("SELECT COUNT(*) FROM iam_users");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, "0") << "the user of the failed batch was committed";
}

// A database created by a binary that knew migrations 0001-0003 only, with the account and its
// bootstrap key: after the upgrade the key belongs to IAM user admin with AdministratorAccess.
TEST(IdentityStoreTest, UpgradeFromMigration3MakesTheBootstrapKeyAdmins) {
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
        "INSERT INTO settings (name, value) VALUES ('account_id', '123456789012');"
        "INSERT INTO settings (name, value) VALUES ('admin_access_key_id', "
        "'AKIAOLDKEY0000000001');"
        "INSERT INTO access_keys (access_key_id, account_id, sealed_secret, created_at_ms) "
        "VALUES ('AKIAOLDKEY0000000001', '123456789012', x'0102', 42);"));
  }
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  Result<AccessKeyRecord> old = store->GetAccessKey("AKIAOLDKEY0000000001");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->sealed_secret, (Bytes{1, 2}));
  EXPECT_EQ(old->created_at_ms, 42);

  IdentitySnapshot snapshot = store->LoadIdentity().value();
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

TEST(IdentityStoreTest, UpgradeOfAnEmptyDatabaseCreatesNoUser) {
  TempDir dir;
  auto store = MustOpen(dir.File("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->LoadIdentity().value().records.empty());
}

}  // namespace
}  // namespace openpca::store::testing

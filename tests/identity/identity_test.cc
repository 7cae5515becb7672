#include "identity/identity.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "identity/hooks.h"
#include "identity/managed_policies.h"
#include "identity/names.h"
#include "identity_test_util.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"

namespace openpca::identity::testing {
namespace {

TEST(IdentityBootstrapTest, CreatesAccountAdminUserWithAdministratorAccessAndKey) {
  TestIdentity t;
  const BootstrapResult& boot = t.admin();
  EXPECT_EQ(boot.account_id, kAccount);
  EXPECT_TRUE(boot.created);
  EXPECT_TRUE(boot.access_key_id.starts_with("AKIA"));
  EXPECT_EQ(boot.access_key_id.size(), 20u);
  EXPECT_EQ(boot.secret_access_key.size(), 40u);
  auto s = t.identity().Snapshot();
  ASSERT_NE(s->Account(kAccount), nullptr);
  const store::IamUserRecord* admin = s->User(kAccount, "admin");
  ASSERT_NE(admin, nullptr);
  EXPECT_TRUE(admin->id.starts_with("AIDA"));
  EXPECT_EQ(admin->id.size(), 21u);

  auto cred = t.identity().ResolveCredential(boot.access_key_id, std::nullopt);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->secret_access_key, boot.secret_access_key);
  EXPECT_EQ(cred->principal.type, PrincipalType::kUser);
  EXPECT_EQ(cred->principal.arn, "arn:aws:iam::111122223333:user/admin");
  EXPECT_EQ(cred->principal.unique_id, admin->id);

  auto policies = t.identity().PoliciesOf(cred->principal);
  ASSERT_TRUE(policies.ok());
  ASSERT_EQ(policies->identity_policies.size(), 1u);
  EXPECT_EQ(policies->identity_policies[0].source_arn, kAdministratorAccessArn);
  EXPECT_EQ(policies->identity_policies[0].source_type, "aws-managed");
  EXPECT_FALSE(policies->is_root);
}

TEST(IdentityBootstrapTest, SecondBootstrapReturnsTheSameKeyAfterRestart) {
  TestIdentity t;
  t.Reopen();
  BootstrapOptions options;
  auto again = t.identity().Bootstrap(options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->account_id, kAccount);
  EXPECT_EQ(again->access_key_id, t.admin().access_key_id);
  EXPECT_EQ(again->secret_access_key, t.admin().secret_access_key);
  EXPECT_EQ(t.identity().Snapshot()->T<store::IamAccessKeyRecord>().size(), 1u);
}

TEST(IdentityBootstrapTest, ConflictingAccountIdIsRefused) {
  TestIdentity t;
  BootstrapOptions options;
  options.account_id = "999999999999";
  auto r = t.identity().Bootstrap(options);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgs);
  options.account_id = "12345";
  EXPECT_EQ(t.identity().Bootstrap(options).status().code(), ErrorCode::kInvalidArgs);
}

TEST(IdentityBootstrapTest, FixedKeyIsAdminsAndAWrongSecretIsRefused) {
  TestIdentity t;
  BootstrapOptions options;
  options.fixed_key_id = "AKIAFIXEDFIXEDFIXED1";
  options.fixed_secret = "fixed-secret-fixed-secret";
  auto r = t.identity().Bootstrap(options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->created);
  auto cred = t.identity().ResolveCredential("AKIAFIXEDFIXEDFIXED1", std::nullopt);
  ASSERT_TRUE(cred.ok());
  EXPECT_EQ(cred->principal.name, "admin");
  EXPECT_EQ(cred->secret_access_key, "fixed-secret-fixed-secret");

  options.fixed_secret = "another-secret-entirely";
  EXPECT_EQ(t.identity().Bootstrap(options).status().code(), ErrorCode::kInvalidArgs);
  options.fixed_secret.reset();
  EXPECT_EQ(t.identity().Bootstrap(options).status().code(), ErrorCode::kInvalidArgs);
}

// A key of the account root from before IAM users (user_name '') recorded as the bootstrap key
// moves to user admin at bootstrap, keeping its id and secret.
TEST(IdentityBootstrapTest, RootKeyOfAnOlderInstallMovesToAdmin) {
  TestIdentity t;
  std::string key_id, secret;
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    auto made = txn.identity().NewAccessKey(kAccount, "");
                    if (!made.ok()) return made.status();
                    key_id = made->first.access_key_id;
                    secret = made->second;
                    txn.Put(made->first);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(t.identity().ResolveCredential(key_id, std::nullopt)->principal.type,
            PrincipalType::kAccountRoot);
  ASSERT_TRUE(t.store().PutSetting("admin_access_key_id", key_id).ok());
  t.Reopen();
  auto boot = t.identity().Bootstrap(BootstrapOptions{});
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  EXPECT_FALSE(boot->created);
  EXPECT_EQ(boot->access_key_id, key_id);
  EXPECT_EQ(boot->secret_access_key, secret);
  auto cred = t.identity().ResolveCredential(key_id, std::nullopt);
  ASSERT_TRUE(cred.ok());
  EXPECT_EQ(cred->principal.type, PrincipalType::kUser);
  EXPECT_EQ(cred->principal.name, "admin");
}

// An install from before IAM users: database at migration 0003, account and bootstrap key in
// settings, the key's secret sealed under the master key. After the upgrade the same key id and
// secret authenticate as IAM user admin with AdministratorAccess, and bootstrap keeps them.
TEST(IdentityUpgradeTest, BootstrapKeyOfAnOlderInstallKeepsWorkingAsAdmin) {
  std::string dir = (std::filesystem::path(::testing::TempDir()) / "openpca_upgrade_XXXXXX");
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string path = dir + "/db";
  auto box = keys::SecretBox::Create(Bytes(keys::SecretBox::kKeySize, 0x42)).value();
  const std::string key_id = "AKIAOLDOLDOLDOLDOLD1";
  const std::string secret = "0ld/Secret+0ld/Secret+0ld/Secret+0ld/Sec";
  {
    auto conn = store::SqliteConnection::Open(path, true, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(store::ApplySqliteMigrations(**conn, store::SqliteMigrations().first(3), 1).ok());
    Bytes sealed = box->Seal(AsSpan(secret), "access-key:" + key_id).value();
    ASSERT_TRUE((*conn)->ExecuteScript("INSERT INTO settings VALUES ('account_id', '210987654321');"
                                       "INSERT INTO settings VALUES ('admin_access_key_id', '" +
                                       key_id + "');").ok());
    auto stmt = (*conn)->Prepare("INSERT INTO access_keys (access_key_id, account_id, "
                                 "sealed_secret, created_at_ms) VALUES (?1, ?2, ?3, 5)");
    ASSERT_TRUE(stmt.ok());
    stmt->BindText(1, key_id).BindText(2, "210987654321").BindBlob(3, sealed);
    ASSERT_TRUE(stmt->Run().ok());
  }
  auto store = store::SqliteStore::Open(path).value();
  FakeClock clock(FromUnixSeconds(1'800'000'000));
  OpenSslRandom random;
  auto identity = Identity::Create(*store, *store, *box, random, clock).value();
  auto cred = identity->ResolveCredential(key_id, std::nullopt);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->secret_access_key, secret);
  EXPECT_EQ(cred->principal.type, PrincipalType::kUser);
  EXPECT_EQ(cred->principal.arn, "arn:aws:iam::210987654321:user/admin");
  auto policies = identity->PoliciesOf(cred->principal);
  ASSERT_TRUE(policies.ok());
  ASSERT_EQ(policies->identity_policies.size(), 1u);
  EXPECT_EQ(policies->identity_policies[0].source_arn, kAdministratorAccessArn);

  auto boot = identity->Bootstrap(BootstrapOptions{});
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  EXPECT_FALSE(boot->created);
  EXPECT_EQ(boot->account_id, "210987654321");
  EXPECT_EQ(boot->access_key_id, key_id);
  EXPECT_EQ(boot->secret_access_key, secret);
  EXPECT_EQ(identity->Snapshot()->T<store::IamUserRecord>().size(), 1u);
  identity.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST(IdentityCredentialTest, UnknownInactiveAndTokenMisuseAreRefused) {
  TestIdentity t;
  EXPECT_EQ(t.identity().ResolveCredential("AKIANOTAKEYNOTAKEY00", std::nullopt).status().code(),
            ErrorCode::kUnrecognizedClient);
  EXPECT_EQ(t.identity()
                .ResolveCredential(t.admin().access_key_id, std::string("sometoken"))
                .status()
                .code(),
            ErrorCode::kUnrecognizedClient);
  std::string id = t.admin().access_key_id;
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    auto key = *txn.state().Find<store::IamAccessKeyRecord>(id);
                    key.status = "Inactive";
                    txn.Put(key);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(t.identity().ResolveCredential(id, std::nullopt).status().code(),
            ErrorCode::kUnrecognizedClient);
  t.Reopen();  // and after a restart
  EXPECT_EQ(t.identity().ResolveCredential(id, std::nullopt).status().code(),
            ErrorCode::kUnrecognizedClient);
}

TEST(IdentityCredentialTest, RootKeyResolvesToTheAccountRoot) {
  TestIdentity t;
  std::string key_id;
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    auto made = txn.identity().NewAccessKey(kAccount, "");
                    if (!made.ok()) return made.status();
                    key_id = made->first.access_key_id;
                    txn.Put(made->first);
                    return Status::Ok();
                  })
                  .ok());
  auto cred = t.identity().ResolveCredential(key_id, std::nullopt);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->principal.type, PrincipalType::kAccountRoot);
  EXPECT_EQ(cred->principal.arn, "arn:aws:iam::111122223333:root");
  EXPECT_EQ(cred->principal.unique_id, kAccount);
  EXPECT_TRUE(t.identity().PoliciesOf(cred->principal)->is_root);
}

SessionGrant RoleGrant() {
  SessionGrant g;
  g.type = PrincipalType::kAssumedRole;
  g.account_id = kAccount;
  g.role_name = "deploy";
  g.role_arn = "arn:aws:iam::111122223333:role/deploy";
  g.role_id = "AROAEXAMPLEEXAMPLE12";
  g.session_name = "s1";
  g.session_tags = {{"team", "blue"}};
  g.transitive_tag_keys = {"team"};
  g.session_policies = {R"({"Version":"2012-10-17","Statement":[]})"};
  g.source_identity = "alice";
  g.duration_s = 900;
  g.chain_depth = 1;
  g.origin_arn = "arn:aws:iam::111122223333:user/admin";
  return g;
}

TEST(SessionTokenTest, IssuedSessionResolvesToTheAssumedRole) {
  TestIdentity t;
  auto session = t.identity().IssueSession(RoleGrant());
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE(session->access_key_id.starts_with("ASIA"));
  EXPECT_EQ(session->access_key_id.size(), 20u);
  auto cred = t.identity().ResolveCredential(session->access_key_id, session->session_token);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  const Principal& p = cred->principal;
  EXPECT_EQ(cred->secret_access_key, session->secret_access_key);
  EXPECT_EQ(p.type, PrincipalType::kAssumedRole);
  EXPECT_EQ(p.arn, "arn:aws:sts::111122223333:assumed-role/deploy/s1");
  EXPECT_EQ(p.role_arn, "arn:aws:iam::111122223333:role/deploy");
  EXPECT_EQ(p.unique_id, "AROAEXAMPLEEXAMPLE12");
  EXPECT_EQ(p.source_identity, "alice");
  EXPECT_EQ(p.session_policies.size(), 1u);
  EXPECT_EQ(p.transitive_tag_keys, std::vector<std::string>{"team"});
  ASSERT_EQ(p.principal_tags.size(), 1u);
  EXPECT_EQ(p.principal_tags[0].second, "blue");
  EXPECT_TRUE(p.temporary);
  EXPECT_EQ(p.session_expires_at_s - p.token_issued_at_s, 900);
  EXPECT_EQ(p.chain_origin_arn, "arn:aws:iam::111122223333:user/admin");
}

TEST(SessionTokenTest, TamperedTokenIsRefused) {
  TestIdentity t;
  auto session = t.identity().IssueSession(RoleGrant());
  ASSERT_TRUE(session.ok());
  Bytes raw = Base64Decode(session->session_token).value();
  for (size_t i : {size_t{5}, raw.size() / 2, raw.size() - 1}) {
    Bytes flipped = raw;
    flipped[i] ^= 0x01;
    auto r = t.identity().ResolveCredential(session->access_key_id, Base64Encode(flipped));
    EXPECT_EQ(r.status().code(), ErrorCode::kUnrecognizedClient) << "byte " << i;
  }
  EXPECT_EQ(t.identity().ResolveCredential(session->access_key_id, std::string("%%%")).status()
                .code(),
            ErrorCode::kUnrecognizedClient);
}

TEST(SessionTokenTest, TokenOfAnotherKeyIdIsRefused) {
  TestIdentity t;
  auto a = t.identity().IssueSession(RoleGrant());
  auto b = t.identity().IssueSession(RoleGrant());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(t.identity().ResolveCredential(a->access_key_id, b->session_token).status().code(),
            ErrorCode::kUnrecognizedClient);
  EXPECT_EQ(t.identity().ResolveCredential(a->access_key_id, std::nullopt).status().code(),
            ErrorCode::kUnrecognizedClient);
}

TEST(SessionTokenTest, ExpiredTokenIsRefusedEvenAfterRestart) {
  TestIdentity t;
  auto session = t.identity().IssueSession(RoleGrant());
  ASSERT_TRUE(session.ok());
  t.clock().Advance(std::chrono::seconds(899));
  EXPECT_TRUE(t.identity().ResolveCredential(session->access_key_id, session->session_token).ok());
  t.clock().Advance(std::chrono::seconds(1));
  EXPECT_EQ(t.identity()
                .ResolveCredential(session->access_key_id, session->session_token)
                .status()
                .code(),
            ErrorCode::kExpiredToken);
  t.Reopen();
  EXPECT_EQ(t.identity()
                .ResolveCredential(session->access_key_id, session->session_token)
                .status()
                .code(),
            ErrorCode::kExpiredToken);
}

TEST(SessionTokenTest, TokenSealedUnderAnotherMasterKeyIsRefused) {
  TestIdentity t;
  auto other = keys::SecretBox::Create(Bytes(keys::SecretBox::kKeySize, 0x43)).value();
  Bytes sealed = other->Seal(AsSpan(std::string(R"({"k":"ASIAAAAAAAAAAAAAAAAA"})")),
                             "sts-session-token:v1")
                     .value();
  EXPECT_EQ(t.identity()
                .ResolveCredential("ASIAAAAAAAAAAAAAAAAA", Base64Encode(sealed))
                .status()
                .code(),
            ErrorCode::kUnrecognizedClient);
}

TEST(IdentityPoliciesTest, UserGetsInlineAttachedAndGroupPoliciesAndBoundary) {
  TestIdentity t;
  const std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  const std::string managed = "arn:aws:iam::111122223333:policy/m";
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    txn.Put(store::IamUserRecord{kAccount, "bob", "AIDABOB", "/", managed, 1});
                    txn.Put(store::IamGroupRecord{kAccount, "ops", "AGPAOPS", "/", 1});
                    txn.Put(store::IamGroupMemberRecord{kAccount, "ops", "bob"});
                    txn.Put(store::IamInlinePolicyRecord{kAccount, "user", "bob", "own", doc});
                    txn.Put(store::IamInlinePolicyRecord{kAccount, "group", "ops", "grp", doc});
                    txn.Put(store::IamPolicyRecord{managed, kAccount, "m", "ANPAM", "/", "", "v2",
                                                   3, 1, 1});
                    txn.Put(store::IamPolicyVersionRecord{managed, "v1", "{\"old\":1}", 1});
                    txn.Put(store::IamPolicyVersionRecord{managed, "v2", doc, 2});
                    txn.Put(store::IamAttachmentRecord{kAccount, "group", "ops", managed});
                    txn.Put(store::IamAttachmentRecord{
                        kAccount, "user", "bob", "arn:aws:iam::aws:policy/AWSPrivateCAReadOnly"});
                    return Status::Ok();
                  })
                  .ok());
  Principal p;
  p.type = PrincipalType::kUser;
  p.account_id = kAccount;
  p.name = "BOB";  // names compare case-insensitively
  auto r = t.identity().PoliciesOf(p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> names;
  for (const auto& src : r->identity_policies) names.push_back(src.source_type + ":" + src.name);
  EXPECT_EQ(names, (std::vector<std::string>{"user:own", "aws-managed:AWSPrivateCAReadOnly",
                                             "group:grp", "user-managed:m"}));
  EXPECT_EQ(r->identity_policies.back().document, doc) << "the default version's document";
  ASSERT_TRUE(r->permissions_boundary.has_value());
  EXPECT_EQ(r->permissions_boundary->source_arn, managed);

  p.name = "nobody";
  EXPECT_EQ(t.identity().PoliciesOf(p).status().code(), ErrorCode::kNoSuchEntity);
}

TEST(IdentityPoliciesTest, CachedPoliciesFollowEveryWrite) {
  TestIdentity t;
  Principal admin = t.identity().ResolveCredential(t.admin().access_key_id, std::nullopt)->principal;
  admin.session_policies = {"s1"};
  auto before = t.identity().PoliciesOf(admin);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->identity_policies.size(), 1u);
  EXPECT_EQ(before->session_policies, std::vector<std::string>{"s1"});
  admin.session_policies.clear();
  auto cached = t.identity().PoliciesOf(admin);
  EXPECT_TRUE(cached->session_policies.empty()) << "session policies are per call, not cached";
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    txn.Put(store::IamInlinePolicyRecord{kAccount, "user", "admin", "extra", "{}"});
                    return Status::Ok();
                  })
                  .ok());
  auto after = t.identity().PoliciesOf(admin);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->identity_policies.size(), 2u);
  EXPECT_GT(after->state_version, before->state_version);
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    txn.Delete(store::IamUserRecord{kAccount, "admin", "", "", "", 0});
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(t.identity().PoliciesOf(admin).status().code(), ErrorCode::kNoSuchEntity);
}

TEST(IdentityOrgTest, AccountOutsideAnOrganizationHasNoOrgContext) {
  TestIdentity t;
  auto r = t.identity().OrgOf(kAccount);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(t.identity().OrgOf("000000000000").status().code(), ErrorCode::kAccountNotFound);
}

TEST(IdentityOrgTest, MemberInAnOuGetsPathAndScpsPerLevel) {
  TestIdentity t;
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    txn.Put(store::OrganizationRecord{"o-abcdefghij", kAccount, "ALL", "r-ab12",
                                                      "SERVICE_CONTROL_POLICY", 1});
                    txn.Put(store::OrgUnitRecord{"ou-ab12-11111111", "o-abcdefghij", "r-ab12",
                                                 "eng"});
                    txn.Put(store::IamAccountRecord{"444455556666", "m", "m@x.io", "ACTIVE",
                                                    "CREATED", 1, "o-abcdefghij",
                                                    "ou-ab12-11111111"});
                    txn.Put(store::OrgPolicyRecord{"p-FullAWSAccess", "", "FullAWSAccess", "",
                                                   "SERVICE_CONTROL_POLICY", "full", true});
                    txn.Put(store::OrgPolicyRecord{"p-deny0001", "o-abcdefghij", "deny", "",
                                                   "SERVICE_CONTROL_POLICY", "deny", false});
                    txn.Put(store::OrgPolicyAttachmentRecord{"o-abcdefghij", "p-FullAWSAccess",
                                                             "r-ab12"});
                    txn.Put(store::OrgPolicyAttachmentRecord{"o-abcdefghij", "p-deny0001",
                                                             "ou-ab12-11111111"});
                    return Status::Ok();
                  })
                  .ok());
  auto r = t.identity().OrgOf("444455556666");
  ASSERT_TRUE(r.ok() && r->has_value());
  const OrgContext& org = **r;
  EXPECT_EQ(org.org_id, "o-abcdefghij");
  EXPECT_FALSE(org.is_management_account);
  EXPECT_EQ(org.org_paths, std::vector<std::string>{"o-abcdefghij/r-ab12/ou-ab12-11111111/"});
  ASSERT_EQ(org.scp_levels.size(), 3u);  // root, OU, account
  EXPECT_EQ(org.scp_levels[0], std::vector<std::string>{"full"});
  EXPECT_EQ(org.scp_levels[1], std::vector<std::string>{"deny"});
  EXPECT_TRUE(org.scp_levels[2].empty());
}

TEST(IdentityMutateTest, RejectedWriteChangesNeitherMemoryNorDatabase) {
  TestIdentity t;
  uint64_t version = t.identity().Snapshot()->version;
  Status st = t.identity().Mutate([&](Txn& txn) -> Status {
    txn.Put(store::IamUserRecord{kAccount, "ghost", "AIDAGHOST", "/", "", 1});
    EXPECT_NE(txn.state().User(kAccount, "ghost"), nullptr) << "a Txn sees its own writes";
    return Status(ErrorCode::kLimitExceeded, "no");
  });
  EXPECT_EQ(st.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(t.identity().Snapshot()->User(kAccount, "ghost"), nullptr);
  EXPECT_EQ(t.identity().Snapshot()->version, version);
  t.Reopen();
  EXPECT_EQ(t.identity().Snapshot()->User(kAccount, "ghost"), nullptr);
}

TEST(IdentityMutateTest, AcceptedWriteSurvivesRestart) {
  TestIdentity t;
  uint64_t version = t.identity().Snapshot()->version;
  ASSERT_TRUE(t.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    txn.Put(store::IamUserRecord{kAccount, "kept", "AIDAKEPT", "/", "", 1});
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_GT(t.identity().Snapshot()->version, version);
  t.Reopen();
  EXPECT_NE(t.identity().Snapshot()->User(kAccount, "KEPT"), nullptr);
}

TEST(IdentityMutateTest, ConcurrentWritersAndReadersLoseNothing) {
  TestIdentity t;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 20; ++i) {
        std::string name = "u" + std::to_string(w) + "-" + std::to_string(i);
        Status st = t.identity().Mutate([&](Txn& txn) -> Status {
          txn.Put(store::IamUserRecord{kAccount, name, txn.identity().NewUniqueId("AIDA"), "/",
                                       "", 1});
          return Status::Ok();
        });
        if (!st.ok()) failures++;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!t.identity().ResolveCredential(t.admin().access_key_id, std::nullopt).ok()) failures++;
        Principal p;
        p.type = PrincipalType::kUser;
        p.account_id = kAccount;
        p.name = "admin";
        if (!t.identity().PoliciesOf(p).ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(t.identity().Snapshot()->T<store::IamUserRecord>().size(), 81u);
  t.Reopen();
  EXPECT_EQ(t.identity().Snapshot()->T<store::IamUserRecord>().size(), 81u);
}

TEST(ManagedPoliciesTest, BuiltInPoliciesAreValidIdentityPolicies) {
  ASSERT_EQ(AwsManagedPolicies().size(), 7u);
  for (const AwsManagedPolicy& p : AwsManagedPolicies()) {
    EXPECT_TRUE(BasicPolicyCheck(p.document, PolicyDocKind::kIdentity).ok()) << p.name;
    EXPECT_TRUE(p.id.starts_with("ANPA")) << p.name;
    EXPECT_EQ(p.arn, "arn:aws:iam::aws:policy/" + p.name);
  }
  ASSERT_NE(FindAwsManagedPolicy(kAdministratorAccessArn), nullptr);
  EXPECT_NE(FindAwsManagedPolicy(kAdministratorAccessArn)->document.find("\"Action\" : \"*\""),
            std::string::npos);
  EXPECT_EQ(FindAwsManagedPolicy("arn:aws:iam::aws:policy/Nope"), nullptr);
}

TEST(NamesTest, PatternsAndEncoding) {
  EXPECT_TRUE(CheckName("alice+ops@x.com", "userName", 1, 64).ok());
  EXPECT_EQ(CheckName("a b", "userName", 1, 64).code(), ErrorCode::kValidation);
  EXPECT_EQ(CheckName(std::string(65, 'a'), "userName", 1, 64).code(), ErrorCode::kValidation);
  EXPECT_TRUE(CheckPath("/", "path").ok());
  EXPECT_TRUE(CheckPath("/eng/team/", "path").ok());
  EXPECT_EQ(CheckPath("/eng", "path").code(), ErrorCode::kValidation);
  EXPECT_EQ(CheckPolicyPath("/a*b/", "path").code(), ErrorCode::kValidation);
  EXPECT_EQ(UrlEncode("{\"a\": \"b c\"}"), "%7B%22a%22%3A%20%22b%20c%22%7D");
  EXPECT_EQ(NonWhitespaceSize(" { \n\t} "), 2u);
}

}  // namespace
}  // namespace openpca::identity::testing

namespace openpca::identity {
namespace {

// Servers sharing a database: a second Identity on the same store (another server) sees a key the
// first one created once it refreshes, not before; a refresh with nothing new changes nothing.
TEST(IdentityRefreshTest, AnotherServersChangeIsSeenAfterRefresh) {
  testing::TestIdentity a;
  FakeClock clock(FromUnixSeconds(1'800'000'000));
  OpenSslRandom random;
  auto created = Identity::Create(a.store(), a.store(), a.box(), random, clock);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Identity> b = std::move(created).value();
  const uint64_t version_before = b->Snapshot()->version;
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_EQ(b->Snapshot()->version, version_before);  // nothing new: no reload

  std::string key_id;
  ASSERT_TRUE(a.identity()
                  .Mutate([&](Txn& txn) -> Status {
                    ASSIGN_OR_RETURN(auto made,
                                     txn.identity().NewAccessKey(testing::kAccount, "admin"));
                    key_id = made.first.access_key_id;
                    txn.Put(std::move(made.first));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(a.identity().ResolveCredential(key_id, std::nullopt).ok());
  EXPECT_EQ(b->ResolveCredential(key_id, std::nullopt).status().code(),
            ErrorCode::kUnrecognizedClient);  // b has not refreshed yet
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_TRUE(b->ResolveCredential(key_id, std::nullopt).ok());
  EXPECT_GT(b->Snapshot()->version, version_before);
}

}  // namespace
}  // namespace openpca::identity

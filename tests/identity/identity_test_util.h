// A test identity domain: temporary SQLite store, fixed master key, fake clock, real randomness,
// bootstrapped account 111122223333 with user admin. Not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/operation.h"
#include "common/clock.h"
#include "common/random.h"
#include "identity/identity.h"
#include "keys/secret_box.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::identity::testing {

inline constexpr char kAccount[] = "111122223333";

class TestIdentity {
 public:
  TestIdentity() : clock_(FromUnixSeconds(1'800'000'000)) {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "openpca_identity_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp";
    dir_ = pattern;
    box_ = std::move(keys::SecretBox::Create(Bytes(keys::SecretBox::kKeySize, 0x42))).value();
    Reopen();
    BootstrapOptions options;
    options.account_id = kAccount;
    auto boot = identity_->Bootstrap(options);
    EXPECT_TRUE(boot.ok()) << boot.status().ToString();
    if (boot.ok()) admin_ = std::move(boot).value();
  }
  ~TestIdentity() {
    identity_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Drops the in-memory state and loads it again from the database.
  void Reopen() {
    identity_.reset();
    store_.reset();
    store_ = std::move(store::SqliteStore::Open((dir_ / "db").string())).value();
    auto created = Identity::Create(*store_, *store_, *box_, random_, clock_);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    identity_ = std::move(created).value();
  }

  // A CallContext for a resolved credential.
  api::CallContext Context(const std::string& key_id, const std::string& token = "") {
    std::optional<std::string> t;
    if (!token.empty()) t = token;
    api::CallContext ctx;
    auto cred = identity_->ResolveCredential(key_id, t);
    EXPECT_TRUE(cred.ok()) << cred.status().ToString();
    if (!cred.ok()) return ctx;
    ctx.account_id = cred->principal.account_id;
    ctx.access_key_id = key_id;
    ctx.principal_arn = cred->principal.arn;
    switch (cred->principal.type) {
      case PrincipalType::kAccountRoot: ctx.principal_type = api::PrincipalType::kAccountRoot; break;
      case PrincipalType::kUser: ctx.principal_type = api::PrincipalType::kUser; break;
      case PrincipalType::kAssumedRole:
        ctx.principal_type = api::PrincipalType::kAssumedRole;
        break;
    }
    ctx.principal_name = cred->principal.name;
    ctx.principal_id = cred->principal.unique_id;
    ctx.session_token = token;
    return ctx;
  }
  api::CallContext AdminContext() { return Context(admin_.access_key_id); }

  Identity& identity() { return *identity_; }
  store::SqliteStore& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  const keys::SecretBox& box() { return *box_; }
  const BootstrapResult& admin() const { return admin_; }
  std::string dir() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
  FakeClock clock_;
  OpenSslRandom random_;
  std::unique_ptr<keys::SecretBox> box_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<Identity> identity_;
  BootstrapResult admin_;
};

}  // namespace openpca::identity::testing

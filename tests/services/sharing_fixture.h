// SharingFixture: the acm-pca sharing operations and the RAM operations over one TestAuthority
// (temporary SQLite store, fixed clock), a SqliteSharingStore on the same database, and
// ResourcePolicies. Handlers are called directly with model-named JSON.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "services/acm_pca/sharing_handlers.h"
#include "services/ram/ram_operations.h"
#include "sharing/effective_policy.h"
#include "store/sqlite/sqlite_sharing_store.h"
#include "test_authority.h"

namespace openpca::services::testing {

using json = nlohmann::json;

inline constexpr char kOwner[] = "123456789012";  // authority::testing::kAccount
inline constexpr char kOther[] = "111122223333";
inline constexpr char kThird[] = "444455556666";

class SharingFixture : public ::testing::Test {
 protected:
  SharingFixture() : sharing_(ta_.store()), policies_(sharing_, ta_.store()) {
    acm_pca::SharingDeps acm;
    acm.authority = &ta_.authority();
    acm.store = &ta_.store();
    acm.sharing = &sharing_;
    acm.policies = &policies_;
    acm.clock = &ta_.clock();
    acm.validate_policy = [this](std::string_view doc) -> Status {
      ++validator_calls_;
      if (doc.find("REFUSED-BY-ENGINE") != std::string_view::npos) {
        return Status(ErrorCode::kInvalidPolicy, "engine refused");
      }
      return Status::Ok();
    };
    for (auto& [name, h] : acm_pca::AcmPcaSharingOperations(std::move(acm))) acm_[name] = h;
    ram::RamDeps ram;
    ram.sharing = &sharing_;
    ram.store = &ta_.store();
    ram.policies = &policies_;
    ram.clock = &ta_.clock();
    ram.random = &random_;
    ram.same_organization_with_sharing = [this](std::string_view owner, std::string_view p) {
      return same_org_.contains(std::string(p));
    };
    for (auto& [name, h] : ram::RamOperations(std::move(ram))) ram_[name] = h;
  }

  // A CA of `account` in state `status`, stored directly. Returns its ARN.
  std::string MakeCa(const std::string& id, const std::string& account = kOwner,
                     const std::string& status = "ACTIVE") {
    store::CaRecord ca;
    ca.id = id;
    ca.arn = MakeCaArn("us-east-1", account, id);
    ca.account_id = account;
    ca.type = "ROOT";
    ca.status = status;
    ca.configuration_json = R"({"KeyAlgorithm":"EC_prime256v1"})";
    ca.key_storage_security_standard = "FIPS_140_2_LEVEL_3_OR_HIGHER";
    ca.usage_mode = "GENERAL_PURPOSE";
    ca.created_at_ms = 1'700'000'000'000;
    ca.last_state_change_at_ms = ca.created_at_ms;
    if (status == "DELETED") ca.restorable_until_ms = int64_t{4'000'000'000'000};
    ca.version = 1;
    Status st = ta_.store().InsertCa(ca, {}, std::nullopt);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return ca.arn;
  }

  api::CallContext Ctx(const std::string& account) {
    api::CallContext ctx;
    ctx.account_id = account;
    ctx.principal_arn = "arn:aws:iam::" + account + ":root";
    ctx.region = "us-east-1";
    return ctx;
  }

  Result<json> Acm(const std::string& op, const json& in, const std::string& account = kOwner) {
    return acm_.at(op)(Ctx(account), in);
  }
  Result<json> Ram(const std::string& op, const json& in, const std::string& account = kOwner) {
    return ram_.at(op)(Ctx(account), in);
  }

  // The statements of the CA's effective policy (empty when there is none).
  json Effective(const std::string& ca_id) {
    auto p = policies_.EffectiveResourcePolicy(ca_id);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok() || !p->has_value()) return json::array();
    return json::parse(**p)["Statement"];
  }

  authority::testing::TestAuthority ta_;
  OpenSslRandom random_;
  store::SqliteSharingStore sharing_;
  sharing::ResourcePolicies policies_;
  std::map<std::string, api::OperationHandler> acm_;
  std::map<std::string, api::OperationHandler> ram_;
  std::set<std::string> same_org_;
  int validator_calls_ = 0;
};

}  // namespace openpca::services::testing

// TestAuthority: an Authority over a temporary SQLite store and software key store, with a fixed
// clock and a single account. For authority tests only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "authority/authority.h"
#include "common/clock.h"
#include "common/random.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"
#include "store/sqlite/sqlite_store.h"
#include "common/arn.h"
#include "testing/test_pki.h"
#include "x509/ossl.h"

namespace openpca::authority::testing {

inline constexpr char kAccount[] = "123456789012";

class TestAuthority {
 public:
  explicit TestAuthority(AuthorityOptions options = {});
  ~TestAuthority();

  Authority& authority() { return *authority_; }
  store::SqliteStore& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  Caller caller() const { return Caller{kAccount}; }
  // The SQLite database file (for tests that count rows).
  std::filesystem::path db_path() const { return dir_ / "db.sqlite"; }

  // CreateCA(ROOT) → issue RootCACertificate/V1 on its own CSR → import. Returns the CA ARN.
  std::string MakeActiveRoot(const std::string& key_alg = "EC_prime256v1",
                             const std::string& sig_alg = "SHA256WITHECDSA",
                             const std::string& usage_mode = "GENERAL_PURPOSE");
  // CreateCA(SUBORDINATE) signed by `parent` with `template_name` → import with chain.
  std::string MakeActiveSubordinate(const std::string& parent_arn, const std::string& template_name,
                                    const std::string& key_alg = "EC_prime256v1",
                                    int years = 5);
  // Issues from `ca_arn` and returns the parsed certificate.
  Result<x509::X509Ptr> Issue(const std::string& ca_arn, const std::string& csr_pem,
                              const std::string& template_name = "EndEntityCertificate/V1",
                              const std::string& sig_alg = "SHA256WITHECDSA",
                              ValiditySpec validity = {"DAYS", 30},
                              std::optional<nlohmann::json> api_passthrough = std::nullopt);

 private:
  std::filesystem::path dir_;
  FakeClock clock_;
  OpenSslRandom random_;
  std::shared_ptr<const keys::SecretBox> box_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<keys::SoftwareKeyStore> keys_;
  std::unique_ptr<Authority> authority_;
};

// A fresh EC P-256 (or RSA when bits > 0) key and a CSR for it (test_pki::MakeCsr): subject
// CN=`common_name` (none when empty), a subjectAltName DNS:`san_dns` when not empty, and with
// `extra_extension` an nsComment extension, a harmless non-critical one that only CSR varieties
// pass through.
using TestCsr = test_pki::KeyAndCsr;
TestCsr MakeCsr(const std::string& common_name, int rsa_bits = 0,
                const std::string& san_dns = "", bool extra_extension = false);

}  // namespace openpca::authority::testing

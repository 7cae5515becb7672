#include "server/key_migration.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "common/arn.h"
#include "common/random.h"
#include "config/config.h"
#include "keys/pkcs11/pkcs11_uri.h"
#include "server/db_key_vault.h"
#include "server/key_store_wiring.h"
#include "server/store_wiring.h"
#include "store/postgres/pg_sealed_key_store.h"

namespace openpca::server {
namespace {

int Fail(const std::string& message) {
  std::cerr << "openpca migrate-key: " << message << "\n";
  return 1;
}

int Refuse(const std::string& message) {
  std::cerr << "openpca migrate-key: " << message << "\n";
  return 2;
}

}  // namespace

int MigrateKey(const MigrateKeyFlags& flags) {
  config::ServerConfig cfg;
  if (flags.config_file) {
    auto loaded = config::LoadConfigFile(*flags.config_file, cfg);
    if (!loaded.ok()) return Fail(loaded.status().message());
    cfg = *loaded;
  }
  if (flags.data_dir) cfg.data_dir = *flags.data_dir;
  config::ApplyKeyStoreEnvironment(cfg.key_store);
  config::ApplyStoreEnvironment(cfg.store, [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
  if (Status st = config::Validate(cfg); !st.ok()) return Fail(st.message());
  if (flags.to != "pkcs11" && flags.to != "software") {
    return Fail("--to must be pkcs11 or software");
  }
  auto arn = ParseCaArn(flags.ca_arn);
  if (!arn) return Fail(flags.ca_arn + " is not a CA ARN");

  const std::string db_path = cfg.data_dir + "/openpca.db";
  if (cfg.store.engine == "sqlite" && !std::filesystem::exists(db_path)) {
    return Fail("no database at " + db_path);
  }
  std::string master_key_file = cfg.master_key_file;
  if (master_key_file.empty()) {
    const char* env = std::getenv("OPENPCA_MASTER_KEY_FILE");
    master_key_file = env != nullptr && *env != '\0' ? env : cfg.data_dir + "/master.key";
  }
  if (!std::filesystem::exists(master_key_file)) return Fail("no master key at " + master_key_file);
  auto box = keys::SecretBox::LoadOrCreateKeyFile(master_key_file);
  if (!box.ok()) return Fail(box.status().message());
  auto store = OpenDatabase(cfg);
  if (!store.ok()) return Fail(store.status().message());
  OpenSslRandom random;
  // On PostgreSQL the software key store's sealed keys are in the database (server.cc).
  SystemClock clock;
  std::unique_ptr<store::PgSealedKeyStore> sealed;
  std::unique_ptr<keys::KeyVault> vault;
  if (auto* pg = dynamic_cast<store::PgStore*>(store->get())) {
    sealed = std::make_unique<store::PgSealedKeyStore>(*pg);
    vault = std::make_unique<DbKeyVault>(*sealed, clock);
  }
  auto stores = OpenKeyStores(cfg, std::move(box).value(), random, std::move(vault));
  if (!stores.ok()) return Fail(stores.status().message());

  auto ca = (*store)->GetCa(arn->ca_id);
  if (!ca.ok()) return Fail("CA " + flags.ca_arn + ": " + ca.status().message());
  const bool on_token = ca->key_id.starts_with(keys::pkcs11::kUriScheme);

  if (flags.to == "software") {
    if (!on_token) {
      std::cout << "openpca: CA " << ca->arn << ": the key is already in the software key store\n";
      return 0;
    }
    if (stores->pkcs11 == nullptr) {
      return Fail("the CA's key is on a PKCS#11 token but no module is configured");
    }
    auto extractable = stores->pkcs11->IsExtractable(ca->key_id);
    if (!extractable.ok()) return Fail(extractable.status().message());
    if (!*extractable) {
      return Refuse("CA " + ca->arn + ": its key " + ca->key_id +
                    " is non-extractable (CKA_EXTRACTABLE false) on the PKCS#11 token and can "
                    "never leave it; moving it to the software key store is refused. A CA whose "
                    "key must leave the HSM has to be replaced by a new CA.");
    }
    return Refuse("CA " + ca->arn + ": moving keys out of a PKCS#11 token is not supported");
  }

  if (on_token) {
    std::cout << "openpca: CA " << ca->arn << ": the key is already on the PKCS#11 token ("
              << ca->key_id << ")\n";
    return 0;
  }
  if (stores->pkcs11 == nullptr) {
    return Fail("no PKCS#11 module configured (key_store.module or OPENPCA_PKCS11_MODULE)");
  }
  const std::string old_key_id = ca->key_id;
  keys::GeneratedKey moved;
  {
    auto private_key = stores->software->ExportPrivateKey(old_key_id);
    if (!private_key.ok()) return Fail(private_key.status().message());
    auto imported = stores->pkcs11->Import(**private_key);
    if (!imported.ok()) {
      if (imported.status().code() == ErrorCode::kInvalidArgs) {
        return Refuse("CA " + ca->arn + ": " + imported.status().message());
      }
      return Fail(imported.status().message());
    }
    moved = std::move(imported).value();
  }  // the decrypted key is freed here

  store::CaRecord updated = *ca;
  updated.key_id = moved.key_id;
  updated.key_storage_security_standard = stores->pkcs11->GenerationSecurityStandard();
  if (Status st = (*store)->UpdateCa(updated); !st.ok()) {
    (void)stores->pkcs11->Destroy(moved.key_id);
    return Fail("CA " + ca->arn + ": updating the CA record failed (" + st.message() +
                "); the CA keeps its software key");
  }
  std::cout << "openpca: CA " << ca->arn << ": key moved to " << moved.key_id << "\n";
  if (flags.keep_software_key) {
    std::cout << "openpca: the software key " << old_key_id << " was kept (--keep-software-key)\n";
    return 0;
  }
  if (Status st = stores->software->Destroy(old_key_id); !st.ok()) {
    return Fail("the CA now uses the token, but removing the software key " + old_key_id +
                " failed: " + st.message());
  }
  return 0;
}

}  // namespace openpca::server

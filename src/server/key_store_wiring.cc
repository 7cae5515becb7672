#include "server/key_store_wiring.h"

#include <spdlog/spdlog.h>

namespace openpca::server {

Result<KeyStores> OpenKeyStores(const config::ServerConfig& cfg,
                                std::shared_ptr<const keys::SecretBox> box, Random& random,
                                std::unique_ptr<keys::KeyVault> vault) {
  KeyStores out;
  if (vault != nullptr) {
    ASSIGN_OR_RETURN(out.software,
                     keys::SoftwareKeyStore::Create(std::move(vault), std::move(box), random));
  } else {
    ASSIGN_OR_RETURN(out.software,
                     keys::SoftwareKeyStore::Open(cfg.data_dir + "/keys", std::move(box), random));
  }
  std::vector<std::pair<std::string, keys::KeyStore*>> routes = {
      {std::string(keys::SoftwareKeyStore::kKeyIdPrefix), out.software.get()}};
  keys::KeyStore* generator = out.software.get();
  const config::KeyStoreConfig& ks = cfg.key_store;
  if (!ks.module.empty()) {
    keys::pkcs11::Pkcs11KeyStoreOptions options;
    options.module_path = ks.module;
    options.token_label = ks.token_label;
    options.pin_file = ks.pin_file;
    options.max_sessions = ks.max_sessions;
    options.security_standard = ks.security_standard;
    ASSIGN_OR_RETURN(out.pkcs11, keys::pkcs11::Pkcs11KeyStore::Open(options, random));
    routes.emplace_back("pkcs11:", out.pkcs11.get());
    if (ks.type == "pkcs11") generator = out.pkcs11.get();
    spdlog::info(
        "key store: PKCS#11 token \"{}\" of {} ({} sessions at most, security standard {})",
        ks.token_label, ks.module, ks.max_sessions,
        ks.security_standard.empty() ? "none claimed" : ks.security_standard);
  }
  spdlog::info("key store: new CA keys are generated in the {} key store",
               generator == out.software.get() ? "software" : "PKCS#11");
  out.router = std::make_unique<keys::KeyStoreRouter>(*generator, std::move(routes));
  return out;
}

}  // namespace openpca::server

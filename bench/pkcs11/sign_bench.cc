// Signatures per second through SoftwareKeyStore and Pkcs11KeyStore, for P-256 (SHA256WITHECDSA)
// and RSA-2048 (SHA256WITHRSA), over a 1 KiB message (about a certificate's TBS), from 1 and from
// N threads. The PKCS#11 half needs a token: --module, --token, --pin-file (run.sh makes a
// SoftHSM2 one). Prints one line per (store, key, threads).
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "common/random.h"
#include "keys/pkcs11/pkcs11_key_store.h"
#include "keys/secret_box.h"
#include "keys/software_key_store.h"

namespace {

using namespace openpca;

double Rate(const keys::Signer& signer, SigningAlgorithm alg, int threads, double seconds) {
  Bytes message(1024, 0x5a);
  std::atomic<bool> stop{false};
  std::atomic<long> count{0};
  std::atomic<long> failures{0};
  std::vector<std::thread> pool;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (signer.Sign(alg, message).ok()) {
          ++n;
        } else {
          ++failures;
        }
      }
      count += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failures > 0) std::fprintf(stderr, "warning: %ld failed signatures\n", failures.load());
  return static_cast<double>(count.load()) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"openpca signing rate through the key stores"};
  std::string module, token, pin_file;
  double seconds = 3;
  int threads = 2;
  app.add_option("--module", module, "PKCS#11 module (omit to skip the PKCS#11 store)");
  app.add_option("--token", token, "token label");
  app.add_option("--pin-file", pin_file, "user PIN file (0600)");
  app.add_option("--seconds", seconds, "seconds per measurement (default 3)");
  app.add_option("--threads", threads, "threads of the second measurement (default 2)");
  CLI11_PARSE(app, argc, argv);

  OpenSslRandom random;
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("openpca-sign-bench-" + std::to_string(::getpid())))
                        .string();
  auto box = keys::SecretBox::Create(random.RandomBytes(keys::SecretBox::kKeySize));
  auto software = keys::SoftwareKeyStore::Open(dir, std::move(box).value(), random);
  if (!software.ok()) {
    std::fprintf(stderr, "%s\n", software.status().message().c_str());
    return 1;
  }
  std::unique_ptr<keys::pkcs11::Pkcs11KeyStore> hsm;
  if (!module.empty()) {
    keys::pkcs11::Pkcs11KeyStoreOptions options;
    options.module_path = module;
    options.token_label = token;
    options.pin_file = pin_file;
    options.max_sessions = std::max(threads, 1);
    auto opened = keys::pkcs11::Pkcs11KeyStore::Open(options, random);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.status().message().c_str());
      return 1;
    }
    hsm = std::move(opened).value();
  }
  struct Case {
    const char* name;
    KeyAlgorithm key;
    SigningAlgorithm alg;
  };
  const Case cases[] = {{"P-256", KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa},
                        {"RSA-2048", KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa}};
  std::printf("%-9s %-9s %7s %12s\n", "store", "key", "threads", "signatures/s");
  for (const Case& c : cases) {
    std::vector<std::pair<const char*, keys::KeyStore*>> stores = {{"software", software->get()}};
    if (hsm != nullptr) stores.emplace_back("pkcs11", hsm.get());
    for (auto [name, store] : stores) {
      auto key = store->Generate(c.key);
      if (!key.ok()) {
        std::fprintf(stderr, "%s\n", key.status().message().c_str());
        return 1;
      }
      auto signer = store->Load(key->key_id);
      if (!signer.ok()) return 1;
      for (int t : {1, threads}) {
        std::printf("%-9s %-9s %7d %12.0f\n", name, c.name, t, Rate(**signer, c.alg, t, seconds));
        std::fflush(stdout);
        if (threads == 1) break;
      }
      (void)store->Destroy(key->key_id);
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}

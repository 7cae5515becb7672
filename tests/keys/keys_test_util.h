// Helpers shared by the keys tests: a self-deleting temporary directory, file helpers, and
// signature verification against a SubjectPublicKeyInfo.
#pragma once

#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "keys/software_signer.h"
#include "testing/test_files.h"
#include "x509/ossl.h"

namespace openpca::keys::testing {

using test_files::TempDir;

inline Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, std::span<const uint8_t> data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline mode_t FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Verifies `signature` over `data` as X.509 would, with the key in `spki`.
inline bool VerifySignature(std::span<const uint8_t> spki, SigningAlgorithm alg,
                            std::span<const uint8_t> data, std::span<const uint8_t> signature) {
  const unsigned char* in = spki.data();
  x509::EvpPkeyPtr key(d2i_PUBKEY(nullptr, &in, static_cast<long>(spki.size())));
  if (key == nullptr) return false;
  x509::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit_ex(ctx.get(), &pctx, DigestName(alg), nullptr, nullptr, key.get(),
                              nullptr) != 1) {
    return false;
  }
  if (alg == SigningAlgorithm::kSm3WithSm2 &&
      EVP_PKEY_CTX_set1_id(pctx, kSm2DefaultId, std::strlen(kSm2DefaultId)) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(),
                          data.size()) == 1;
}

// True when any `window`-byte run of `needle` occurs in `haystack`.
inline bool ContainsAnyWindow(std::span<const uint8_t> haystack, std::span<const uint8_t> needle,
                              size_t window) {
  if (needle.size() < window) window = needle.size();
  for (size_t i = 0; i + window <= needle.size(); ++i) {
    std::span<const uint8_t> piece = needle.subspan(i, window);
    if (std::search(haystack.begin(), haystack.end(), piece.begin(), piece.end()) !=
        haystack.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace openpca::keys::testing

#include "api/digest.h"

#include <cstring>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::api {
namespace {

template <auto kFree>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using EvpMdPtr = std::unique_ptr<EVP_MD, OsslDeleter<&EVP_MD_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;

constexpr size_t kBlockSize = 64;

const EVP_MD* FetchedSha256() {
  static const EvpMdPtr kMd(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  // Without SHA-256 nothing can be authenticated; this is a broken OpenSSL install.
  OPENPCA_CHECK(kMd != nullptr);
  return kMd.get();
}

EVP_MD_CTX* ThreadContext() {
  thread_local EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  OPENPCA_CHECK(ctx != nullptr);
  return ctx.get();
}

// Hashes the concatenation of two byte strings.
Sha256Digest Digest2(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  EVP_MD_CTX* ctx = ThreadContext();
  Sha256Digest out;
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex2(ctx, FetchedSha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
            EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  OPENPCA_CHECK(ok && len == out.size());
  return out;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) { return Digest2(AsSpan(data), {}); }

std::string Sha256Hex(std::string_view data) {
  Sha256Digest d = Sha256(data);
  return HexEncode(d);
}

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data) {
  // RFC 2104 over the pre-fetched digest (EVP_MAC would look the digest up on every init).
  uint8_t k0[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    Sha256Digest hashed = Digest2(key, {});
    std::memcpy(k0, hashed.data(), hashed.size());
  } else if (!key.empty()) {
    std::memcpy(k0, key.data(), key.size());
  }
  uint8_t pad[kBlockSize];
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = k0[i] ^ 0x36;
  Sha256Digest inner = Digest2(pad, AsSpan(data));
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = k0[i] ^ 0x5c;
  Sha256Digest outer = Digest2(pad, inner);
  OPENSSL_cleanse(k0, sizeof(k0));
  OPENSSL_cleanse(pad, sizeof(pad));
  return outer;
}

}  // namespace openpca::api

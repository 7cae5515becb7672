#include "common/random.h"

#include <openssl/rand.h>

#include "common/status.h"

namespace openpca {

Bytes OpenSslRandom::RandomBytes(size_t n) {
  Bytes out(n);
  // A failing CSPRNG leaves nothing safe to do.
  OPENPCA_CHECK(RAND_bytes(out.data(), static_cast<int>(n)) == 1);
  return out;
}

namespace {

std::string FormatUuid(const Bytes& b) {
  std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

std::string NewUuidV4(Random& random) {
  Bytes b = random.RandomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return FormatUuid(b);
}

std::string NewUuidV7(Random& random, int64_t unix_ms) {
  Bytes b = random.RandomBytes(16);
  const uint64_t ms = static_cast<uint64_t>(unix_ms < 0 ? 0 : unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  return FormatUuid(b);
}

}  // namespace openpca

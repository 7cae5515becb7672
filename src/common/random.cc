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

std::string NewUuidV4(Random& random) {
  Bytes b = random.RandomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace openpca

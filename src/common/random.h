// Randomness: the only source of random bytes for logic; tests may inject a seeded one.
// OpenSslRandom is thread-safe (RAND_bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/bytes.h"

namespace openpca {

class Random {
 public:
  virtual ~Random() = default;
  virtual Bytes RandomBytes(size_t n) = 0;
};

class OpenSslRandom final : public Random {
 public:
  Bytes RandomBytes(size_t n) override;
};

// Lower-case RFC 4122 version 4 UUID.
std::string NewUuidV4(Random& random);

}  // namespace openpca

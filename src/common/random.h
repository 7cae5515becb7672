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
// Lower-case RFC 9562 version 7 UUID: the 48-bit Unix time in milliseconds `unix_ms`, then 74
// random bits. Identifiers made later sort after earlier ones (to the millisecond), so an index
// over them grows at one end instead of touching a random page per insert.
std::string NewUuidV7(Random& random, int64_t unix_ms);

}  // namespace openpca

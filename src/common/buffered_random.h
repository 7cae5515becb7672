// BufferedRandom: random bytes for identifiers (eventIDs, request IDs, event bus ids), drawn from
// a source 4 KiB at a time. OpenSSL's DRBG costs several microseconds per call whatever the size
// (a lock, a generate and a reseed check each time): one call per ~250 identifiers instead of one
// each. The bytes are the source's, in order; only identifiers are drawn from here, never keys.
// Thread-safe when the source is.
#pragma once

#include <cstddef>
#include <mutex>

#include "common/bytes.h"
#include "common/random.h"

namespace openpca {

class BufferedRandom final : public Random {
 public:
  explicit BufferedRandom(Random& source) : source_(source) {}
  Bytes RandomBytes(size_t n) override;

 private:
  static constexpr size_t kChunk = 4096;
  Random& source_;
  std::mutex mu_;
  Bytes buffer_;    // guarded by mu_
  size_t used_ = 0;  // bytes of buffer_ handed out; guarded by mu_
};

}  // namespace openpca

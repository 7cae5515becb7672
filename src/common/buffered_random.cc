#include "common/buffered_random.h"

#include <algorithm>

namespace openpca {

Bytes BufferedRandom::RandomBytes(size_t n) {
  if (n > kChunk / 4) return source_.RandomBytes(n);
  std::lock_guard<std::mutex> lock(mu_);
  if (buffer_.size() - used_ < n) {
    buffer_ = source_.RandomBytes(kChunk);
    used_ = 0;
  }
  Bytes out(buffer_.begin() + static_cast<std::ptrdiff_t>(used_),
            buffer_.begin() + static_cast<std::ptrdiff_t>(used_ + n));
  // Handed-out bytes are not kept: an identifier cannot be recomputed from memory later.
  std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(used_),
            buffer_.begin() + static_cast<std::ptrdiff_t>(used_ + n), uint8_t{0});
  used_ += n;
  return out;
}

}  // namespace openpca

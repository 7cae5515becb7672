// OffsetClock: a clock that runs a fixed offset ahead of another. TEST ONLY (configuration
// test_clock_offset_s): lets a test see a server months ahead without waiting. Thread-safe.
#pragma once

#include <chrono>

#include "common/clock.h"

namespace openpca {

class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock& base, std::chrono::seconds offset) : base_(base), offset_(offset) {}
  TimePoint Now() const override { return base_.Now() + offset_; }

 private:
  const Clock& base_;
  std::chrono::seconds offset_;
};

}  // namespace openpca

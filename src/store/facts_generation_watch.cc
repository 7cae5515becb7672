#include "store/facts_generation_watch.h"

#include <utility>

namespace openpca::store {

FactsGenerationWatch::FactsGenerationWatch(Read read, std::chrono::milliseconds poll)
    : read_(std::move(read)),
      known_(std::make_shared<Known>(-1)),
      poller_("facts-poll", poll, [this] { Poll(); }) {
  Poll();
}

std::function<void(int64_t)> FactsGenerationWatch::Reporter() const {
  return [known = known_](int64_t value) { Raise(*known, value); };
}

void FactsGenerationWatch::Raise(Known& known, int64_t value) {
  int64_t seen = known.load(std::memory_order_acquire);
  while (value > seen && !known.compare_exchange_weak(seen, value, std::memory_order_acq_rel)) {
  }
}

void FactsGenerationWatch::Poll() {
  // A failed read changes nothing: the next poll tries again.
  if (Result<int64_t> value = read_(); value.ok()) Raise(*known_, *value);
}

Result<int64_t> FactsGenerationWatch::ResourceFactsGeneration() {
  int64_t known = known_->load(std::memory_order_acquire);
  if (known < 0) return InternalError("the resource-facts generation could not be read yet");
  return known;
}

}  // namespace openpca::store

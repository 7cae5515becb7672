// GenerationCache<Value>: values kept in memory per key (a CA id) and reused while the store's
// resource-facts generation (store/facts_generation_store.h) stays; the database moves that
// number in the same transaction as every write the kept values depend on. A value read through
// the cache is as current as the generation the server knows: at once for writes made through
// this server, within the generation's poll interval for writes made elsewhere
// (FactsGenerationWatch). Used for the CA rows of the hot read paths (authority::Authority) and
// the CA facts authorization reads (access::EndpointResources). Thread-safe; the generation must
// outlive the cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/status.h"
#include "store/facts_generation_store.h"

namespace openpca::store {

template <typename Value>
class GenerationCache {
 public:
  // At most this many keys are kept by default; past the limit the cache starts over.
  static constexpr size_t kDefaultMaxEntries = 10000;

  explicit GenerationCache(FactsGenerationStore* generation = nullptr,
                           size_t max_entries = kDefaultMaxEntries)
      : generation_(generation), max_entries_(max_entries) {}

  // From now on values are kept against `generation` (null: every Get reads). Before serving.
  void SetGeneration(FactsGenerationStore* generation) { generation_ = generation; }

  // The value of `key`: the kept one while the generation has not moved since it was read,
  // otherwise read(key) -> Result<std::optional<Value>>, whose value is kept (nullopt: nothing
  // to keep, e.g. the key names nothing; returned as is). Errors: read's (never kept), and the
  // generation's.
  template <typename Read>
  Result<std::optional<Value>> Get(std::string_view key, Read&& read) {
    if (generation_ == nullptr) return read(key);
    // Read before the value: a write committed after this read moves it, so a value kept against
    // it is never older than it says.
    ASSIGN_OR_RETURN(int64_t generation, generation_->ResourceFactsGeneration());
    {
      std::lock_guard lock(mu_);
      auto it = kept_.find(key);  // no copy of the key on the hot path
      if (it != kept_.end() && it->second.generation == generation) {
        return std::optional<Value>(it->second.value);
      }
    }
    ASSIGN_OR_RETURN(std::optional<Value> value, read(key));
    if (!value.has_value()) return value;
    std::lock_guard lock(mu_);
    if (kept_.size() >= max_entries_) kept_.clear();
    Kept& kept = kept_.try_emplace(std::string(key)).first->second;
    // A slower reader of an older generation never replaces a newer value.
    if (kept.generation <= generation) kept = Kept{generation, *value};
    return value;
  }

  // Keys kept now (for tests).
  size_t size() const {
    std::lock_guard lock(mu_);
    return kept_.size();
  }

 private:
  struct Kept {
    int64_t generation = 0;
    Value value;
  };
  // Lets find() take a string_view (heterogeneous lookup).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };

  FactsGenerationStore* generation_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Kept, KeyHash, std::equal_to<>> kept_;  // guarded by mu_
};

}  // namespace openpca::store

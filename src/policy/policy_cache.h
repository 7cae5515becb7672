// PolicyCache: parse each distinct policy document once. Keyed by (document text, kind, size
// limit); stores only documents that parsed. Bounded: when full, the oldest entry is dropped
// (first in, first out). Thread-safe; Policy objects are shared, never copied.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "policy/policy.h"

namespace openpca::policy {

class PolicyCache {
 public:
  explicit PolicyCache(size_t capacity = 4096) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Errors: those of Policy::Parse (never cached).
  Result<std::shared_ptr<const Policy>> GetOrParse(std::string_view document, PolicyKind kind,
                                                   const ParseOptions& options = {});
  size_t size() const;

 private:
  struct Key {
    std::string document;
    PolicyKind kind;
    size_t max_chars;
    bool operator==(const Key& o) const {
      return kind == o.kind && max_chars == o.max_chars && document == o.document;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string>()(k.document) ^ (static_cast<size_t>(k.kind) * 0x9e3779b9u) ^
             (k.max_chars << 8);
    }
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<Key, std::shared_ptr<const Policy>, KeyHash> entries_;
  std::deque<Key> order_;
};

}  // namespace openpca::policy

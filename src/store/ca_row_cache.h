// CaRowCache: CA rows kept in memory per CA id and reused while the store's resource-facts
// generation (store/facts_generation_store.h) stays, which every write to certificate_authorities
// moves in its own transaction. A row read through the cache is as current as the generation the
// server knows: at once for writes made through this server, within the generation's poll
// interval for writes made elsewhere (FactsGenerationWatch). For the hot read paths (issuance,
// certificate and CA reads); a read-modify-write reads the store itself. Thread-safe; the Store
// and the generation must outlive it.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/facts_generation_store.h"
#include "store/store.h"

namespace openpca::store {

class CaRowCache {
 public:
  // `generation` null: every Get() reads the store.
  CaRowCache(Store& store, FactsGenerationStore* generation)
      : store_(store), generation_(generation) {}

  // Store::GetCa, from memory while the generation stays. Errors: those of Store::GetCa
  // (kResourceNotFound is never kept), and the generation's.
  Result<CaRecord> Get(std::string_view ca_id);

  size_t size() const;

 private:
  // At most this many CAs are kept; past it the cache starts over.
  static constexpr size_t kMaxRows = 10000;
  struct Kept {
    int64_t generation = 0;
    CaRecord row;
  };

  Store& store_;
  FactsGenerationStore* const generation_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Kept> rows_;  // by CA id; guarded by mu_
};

}  // namespace openpca::store

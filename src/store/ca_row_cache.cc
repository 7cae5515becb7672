#include "store/ca_row_cache.h"

namespace openpca::store {

Result<CaRecord> CaRowCache::Get(std::string_view ca_id) {
  if (generation_ == nullptr) return store_.GetCa(ca_id);
  // Read before the row: a write committed after this read moves it, so a row kept against it
  // is never older than it says.
  ASSIGN_OR_RETURN(int64_t generation, generation_->ResourceFactsGeneration());
  std::string key(ca_id);
  {
    std::lock_guard lock(mu_);
    auto it = rows_.find(key);
    if (it != rows_.end() && it->second.generation == generation) return it->second.row;
  }
  ASSIGN_OR_RETURN(CaRecord row, store_.GetCa(ca_id));
  std::lock_guard lock(mu_);
  if (rows_.size() >= kMaxRows) rows_.clear();
  Kept& kept = rows_[key];
  if (kept.generation <= generation) kept = Kept{generation, row};
  return row;
}

size_t CaRowCache::size() const {
  std::lock_guard lock(mu_);
  return rows_.size();
}

}  // namespace openpca::store

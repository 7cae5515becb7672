#include "policy/policy_cache.h"

namespace openpca::policy {

Result<std::shared_ptr<const Policy>> PolicyCache::GetOrParse(std::string_view document,
                                                              PolicyKind kind,
                                                              const ParseOptions& options) {
  Key key{std::string(document), kind, options.max_chars};
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
  }
  // Parse outside the lock; two threads may parse the same text once each, harmlessly.
  ASSIGN_OR_RETURN(std::shared_ptr<const Policy> policy, Policy::Parse(document, kind, options));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = entries_.emplace(key, policy);
  if (!inserted) return it->second;
  order_.push_back(std::move(key));
  while (entries_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  return policy;
}

size_t PolicyCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace openpca::policy

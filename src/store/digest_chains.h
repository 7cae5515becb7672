// What a delivery or a digest does to a trail's digest chains, whatever the SQL dialect: the
// chains are read, changed here, and written back in the same transaction by the store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "store/trail_delivery_store.h"

namespace openpca::store {

// Adds each delivered log file to the pending list of its region's chain, starting a chain (its
// window from `window_start_ms`) for a region that has none.
inline void AddPendingLogs(std::vector<DigestChainRecord>& chains, const std::string& trail_arn,
                           int64_t window_start_ms, const std::vector<DigestLogEntry>& logs) {
  for (const DigestLogEntry& log : logs) {
    auto chain = std::find_if(chains.begin(), chains.end(),
                              [&](const DigestChainRecord& c) { return c.region == log.region; });
    if (chain == chains.end()) {
      DigestChainRecord fresh;
      fresh.trail_arn = trail_arn;
      fresh.region = log.region;
      fresh.window_start_ms = window_start_ms;
      chains.push_back(std::move(fresh));
      chain = chains.end() - 1;
    }
    chain->pending_logs.push_back(log);
  }
}

// The chain to store after a digest that listed `digested.pending_logs`: the log files delivered
// since the digest was built (those of `current` beyond the listed ones) stay pending.
inline DigestChainRecord ChainAfterDigest(DigestChainRecord digested,
                                          const std::vector<DigestChainRecord>& current) {
  const auto cur = std::find_if(current.begin(), current.end(), [&](const DigestChainRecord& x) {
    return x.region == digested.region;
  });
  if (cur == current.end()) {
    digested.pending_logs.clear();
  } else {
    const size_t listed = std::min(digested.pending_logs.size(), cur->pending_logs.size());
    digested.pending_logs.assign(cur->pending_logs.begin() + static_cast<ptrdiff_t>(listed),
                                 cur->pending_logs.end());
  }
  return digested;
}

}  // namespace openpca::store

// StatsStore: read-only aggregate queries for monitoring (the Prometheus endpoint's scrape-time
// collectors, src/server/metrics_wiring.cc). Every answer is bounded by the number of CAs, never
// by the number of certificates. SqliteStatsStore and PgStatsStore implement it on the read pool
// of a SqliteStore or PgStore.
//
// Implementations are thread-safe. Times are Unix epoch seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace openpca::store {

struct CaExpiryRecord {
  std::string ca_id;
  std::string status;  // as stored: ACTIVE, DISABLED, ...
  int64_t not_after_s = 0;
};

// Unrevoked certificates of one CA whose time left falls in one bucket.
struct ExpiryBucketCount {
  std::string ca_id;
  size_t bucket = 0;  // see CountCertificatesByExpiry
  int64_t count = 0;
  int64_t seconds_left = 0;  // the sum over these certificates of notAfter - now
};

class StatsStore {
 public:
  virtual ~StatsStore() = default;

  // Every CA of every account that has a CA certificate and is neither DELETED nor FAILED.
  // Errors: kInternal.
  virtual Result<std::vector<CaExpiryRecord>> ListCaExpiries() = 0;

  // Issued certificates (of every CA) not revoked and not expired at `now_s`, counted per CA and
  // bucket of time left (notAfter - now_s): bucket i < bounds.size() holds those with time left
  // <= upper_bounds_s[i] and > the bound before it; bucket bounds.size() the rest. Only non-empty
  // buckets are returned. `upper_bounds_s` must be increasing. Errors: kInternal.
  // Cost: one scan of the certificates table (no index on notAfter); call it rarely.
  virtual Result<std::vector<ExpiryBucketCount>> CountCertificatesByExpiry(
      int64_t now_s, std::span<const int64_t> upper_bounds_s) = 0;
};

}  // namespace openpca::store

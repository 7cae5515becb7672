// Expiry monitoring of ACM certificates: the daily "ACM Certificate Approaching Expiration" event
// (source aws.acm) for every issued or imported certificate from its account's DaysBeforeExpiry
// (default 45) until it expires, once per certificate per UTC day (claimed in the store, so a
// restart or a second server does not send it twice); and DaysToExpiry, as CloudWatch's metric
// of that name, for a metrics endpoint to export.
//
// Thread-safe (state lives in the store).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "certmanager/certificate_manager.h"

namespace openpca::certmanager {

// Publishes today's Approaching Expiration events not yet sent; at most `limit` certificates are
// examined. Returns the number of events published.
Result<int> PublishApproachingExpiration(CertificateManager& manager, int limit);

// One cumulative bucket of DaysToExpiry: certificates (not yet expired) whose whole days to
// expiry are <= le_days. The last bucket of DaysToExpiryHistogram has le_days = -1 (+Inf): every
// unexpired certificate.
struct DaysToExpiryBucket {
  int64_t le_days = 0;
  int64_t count = 0;
};

// The data source for a Prometheus histogram `openpca_acm_days_to_expiry` (buckets "le"):
// counts by index range scans, cheap enough for every scrape. `bounds_days` ascending.
// Errors: the store's.
Result<std::vector<DaysToExpiryBucket>> DaysToExpiryHistogram(
    store::AcmStore& store, int64_t now_s, std::span<const int64_t> bounds_days);

// Default buckets: 1, 3, 7, 15, 30, 45, 60, 90, 180, 395 days.
std::span<const int64_t> DefaultDaysToExpiryBounds();

}  // namespace openpca::certmanager

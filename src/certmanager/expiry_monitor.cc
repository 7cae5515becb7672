#include "certmanager/expiry_monitor.h"

#include <limits>
#include <unordered_map>

#include "x509/cert_facts.h"
#include "x509/inspect.h"

namespace openpca::certmanager {
namespace {

constexpr int64_t kDay = 86400;

}  // namespace

Result<int> PublishApproachingExpiration(CertificateManager& manager, int limit) {
  store::AcmStore& store = manager.store();
  const int64_t now_ms = ToUnixMillis(manager.clock().Now());
  const int64_t now_s = now_ms / 1000;
  const int64_t today = now_s / kDay;
  const int64_t fallback = manager.options().default_days_before_expiry;
  ASSIGN_OR_RETURN(int64_t horizon_days, store.MaxDaysBeforeExpiry(fallback));
  ASSIGN_OR_RETURN(std::vector<std::string> arns,
                   store.ExpiringBetween(now_s, now_s + horizon_days * kDay, limit));
  std::unordered_map<std::string, int64_t> days_before;  // per account, read once per pass
  int published = 0;
  for (const std::string& arn : arns) {
    Result<store::AcmCertificateRecord> cert = store.GetCertificate(arn);
    if (!cert.ok() || cert->last_expiry_event_day >= today) continue;
    if (EffectiveStatus(*cert, now_s) != "ISSUED") continue;
    auto it = days_before.find(cert->account_id);
    if (it == days_before.end()) {
      ASSIGN_OR_RETURN(int64_t d, manager.DaysBeforeExpiry(cert->account_id));
      it = days_before.emplace(cert->account_id, d).first;
    }
    const int64_t remaining = *cert->not_after_s - now_s;
    if (remaining > it->second * kDay) continue;
    ASSIGN_OR_RETURN(bool claimed, store.ClaimExpiryEventDay(arn, today));
    if (!claimed) continue;  // sent today already (another server, or a pass that raced)
    std::string common_name = cert->domain_name;
    if (auto parsed = x509::ParseCertificateDer(cert->certificate_der); parsed.ok()) {
      if (auto facts = x509::FactsOf(**parsed); facts.ok() && !facts->common_name.empty()) {
        common_name = facts->common_name;
      }
    }
    events::Event e;
    e.source = "aws.acm";
    e.detail_type = "ACM Certificate Approaching Expiration";
    e.account = cert->account_id;
    e.region = cert->region;
    e.time_ms = now_ms;
    e.resources = {arn};
    e.detail = {{"DaysToExpiry", remaining / kDay}, {"CommonName", common_name}};
    manager.sink().Publish(std::move(e));
    ++published;
  }
  return published;
}

std::span<const int64_t> DefaultDaysToExpiryBounds() {
  static constexpr int64_t kBounds[] = {1, 3, 7, 15, 30, 45, 60, 90, 180, 395};
  return kBounds;
}

Result<std::vector<DaysToExpiryBucket>> DaysToExpiryHistogram(
    store::AcmStore& store, int64_t now_s, std::span<const int64_t> bounds_days) {
  std::vector<DaysToExpiryBucket> out;
  for (int64_t le : bounds_days) {
    // floor(days) <= le  <=>  not_after < now + (le + 1) days.
    ASSIGN_OR_RETURN(int64_t n, store.CountExpiringBetween(now_s, now_s + (le + 1) * kDay - 1));
    out.push_back({le, n});
  }
  ASSIGN_OR_RETURN(int64_t all,
                   store.CountExpiringBetween(now_s, std::numeric_limits<int64_t>::max()));
  out.push_back({-1, all});
  return out;
}

}  // namespace openpca::certmanager

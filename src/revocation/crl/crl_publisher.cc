#include "revocation/crl/crl_publisher.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/crl_location.h"
#include "common/pki_types.h"
#include "revocation/crl/crl_builder.h"
#include "x509/inspect.h"

namespace openpca::revocation {
namespace {

using json = nlohmann::json;
constexpr int kDefaultExpirationDays = 7;
// AWS dates thisUpdate an hour before the generation instant (clock-skew allowance).
constexpr auto kBackdate = std::chrono::hours(1);

}  // namespace

CrlPublisher::CrlPublisher(store::Store& store, keys::KeyStore& keys,
                           objects::BucketStore& buckets, const Clock& clock,
                           CrlPublisherOptions options)
    : store_(store), keys_(keys), buckets_(buckets), clock_(clock), options_(std::move(options)) {}

CrlPublisher::~CrlPublisher() { Stop(); }

void CrlPublisher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void CrlPublisher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CrlPublisher::Notify(const std::string& ca_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto due = std::chrono::steady_clock::now() + options_.regenerate_delay;
    // Keep the earlier due time: a burst of revocations produces one CRL.
    auto [it, inserted] = pending_.emplace(ca_id, due);
    if (!inserted && due < it->second) it->second = due;
  }
  cv_.notify_all();
}

void CrlPublisher::Run() {
  auto next_sweep = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_sweep) {
      lock.unlock();
      Sweep();
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + options_.sweep_interval;
      continue;
    }
    std::string due_id;
    auto wake = next_sweep;
    for (const auto& [id, due] : pending_) {
      if (due <= now) {
        due_id = id;
        break;
      }
      wake = std::min(wake, due);
    }
    if (!due_id.empty()) {
      pending_.erase(due_id);
      lock.unlock();
      Status st = PublishNow(due_id);
      if (!st.ok()) {
        spdlog::error("CRL generation for CA {} failed: {}", due_id, st.message());
        // Try again later, as AWS retries a failed generation.
        Notify(due_id);
      }
      lock.lock();
      continue;
    }
    cv_.wait_until(lock, wake);
  }
}

void CrlPublisher::Sweep() {
  // Publish CRLs never written by this process and those past half of their validity.
  std::string after;
  while (true) {
    auto page = store_.ListCas(options_.account_id, after, 100);
    if (!page.ok() || page->empty()) return;
    for (const auto& ca : *page) {
      after = ca.id;
      bool due;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = refresh_at_.find(ca.id);
        due = it == refresh_at_.end() || it->second <= clock_.Now();
      }
      if (!due) continue;
      Status st = PublishNow(ca.id);
      if (!st.ok()) spdlog::error("CRL generation for CA {} failed: {}", ca.id, st.message());
    }
    if (page->size() < 100) return;
  }
}

Status CrlPublisher::PublishNow(const std::string& ca_id) {
  ASSIGN_OR_RETURN(store::CaRecord ca, store_.GetCa(ca_id));
  json config = json::parse(ca.revocation_json.empty() ? "{}" : ca.revocation_json, nullptr,
                            false);
  const json crl = config.is_object() ? config.value("CrlConfiguration", json::object())
                                      : json::object();
  const TimePoint now = clock_.Now();
  bool publishes = crl.is_object() && crl.value("Enabled", false) &&
                   !ca.certificate_der.empty() &&
                   (ca.status == "ACTIVE" || ca.status == "DISABLED") &&
                   !(ca.not_after_s.has_value() && *ca.not_after_s < ToUnixSeconds(now));
  if (!publishes) {
    std::lock_guard<std::mutex> lock(mu_);
    // Look again at the next sweep (the configuration or state may change).
    refresh_at_[ca_id] = now;
    return Status::Ok();
  }

  json ca_config = json::parse(ca.configuration_json, nullptr, false);
  auto alg = ParseSigningAlgorithm(ca_config.is_object() ? ca_config.value("SigningAlgorithm", "")
                                                         : "");
  if (!alg) return InternalError("CA " + ca_id + " has no usable signing algorithm");
  ASSIGN_OR_RETURN(x509::X509Ptr cert, x509::ParseCertificateDer(ca.certificate_der));
  ASSIGN_OR_RETURN(CrlIssuer issuer, CrlIssuerOf(*cert));
  ASSIGN_OR_RETURN(std::shared_ptr<const keys::Signer> signer, keys_.Load(ca.key_id));

  const int days = crl.value("ExpirationInDays", kDefaultExpirationDays);
  CrlInput input;
  input.issuer_name_der = issuer.name_der;
  input.authority_key_id = issuer.key_id;
  input.this_update = now - kBackdate;
  input.next_update = now + std::chrono::hours(24) * days;
  ASSIGN_OR_RETURN(input.crl_number, store_.NextCrlNumber(ca_id, ToUnixMillis(now)));
  ASSIGN_OR_RETURN(PreparedCrl prepared,
                   PrepareCrlFromStore(store_, ca_id, store::RevokedScan{}, input, *alg));
  ASSIGN_OR_RETURN(Bytes der, SignPreparedCrl(std::move(prepared), *signer));

  const bool public_read = crl.value("S3ObjectAcl", "PUBLIC_READ") != "BUCKET_OWNER_FULL_CONTROL";
  RETURN_IF_ERROR(buckets_.Put(crl.value("S3BucketName", ""),
                               CrlObjectKey(crl.value("CustomPath", ""), ca_id), der,
                               "application/pkix-crl", public_read));
  std::lock_guard<std::mutex> lock(mu_);
  refresh_at_[ca_id] = now + (input.next_update - now) / 2;
  return Status::Ok();
}

}  // namespace openpca::revocation

#include "revocation/crl/crl_publisher.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/crl_location.h"
#include "common/pki_types.h"
#include "common/thread_name.h"
#include "revocation/crl/crl_builder.h"
#include "x509/inspect.h"

namespace openpca::revocation {
namespace {

// Runs one publication on the background thread. An exception there would end the process (and,
// as the CA's configuration is stored, again at every start): it becomes an error that is logged
// and retried like any other.
template <typename Fn>
Status Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, std::string("CRL publication threw: ") + e.what());
  }
}

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

void CrlPublisher::Notify(const std::string& ca_id) { Schedule(ca_id, std::nullopt); }

void CrlPublisher::NotifyCrl(const std::string& ca_id, const std::string& partition_id) {
  Schedule(ca_id, partition_id);
}

void CrlPublisher::NotifyRevocation(const std::string& ca_id, const std::string& partition_id) {
  Schedule(ca_id, partition_id);
  if (!partition_id.empty()) Schedule(ca_id, std::string());
}

void CrlPublisher::Schedule(const std::string& ca_id,
                            const std::optional<std::string>& partition_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto due = std::chrono::steady_clock::now() + options_.regenerate_delay;
    // Keep the earlier due time: a burst of revocations produces one CRL.
    auto [it, inserted] = pending_.try_emplace(ca_id);
    Pending& p = it->second;
    if (inserted || due < p.due) p.due = due;
    if (!partition_id.has_value()) {
      p.all = true;
      p.partitions.clear();
    } else if (!p.all) {
      p.partitions.insert(*partition_id);
    }
  }
  cv_.notify_all();
}

void CrlPublisher::Run() {
  NameThisThread("crl-publisher");
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
    for (const auto& [id, p] : pending_) {
      if (p.due <= now) {
        due_id = id;
        break;
      }
      wake = std::min(wake, p.due);
    }
    if (!due_id.empty()) {
      Pending p = std::move(pending_[due_id]);
      pending_.erase(due_id);
      lock.unlock();
      if (p.all) {
        Status st = Guarded([&] { return PublishNow(due_id); });
        if (!st.ok()) {
          spdlog::error("CRL generation for CA {} failed: {}", due_id, st.message());
          // Try again later, as AWS retries a failed generation.
          Notify(due_id);
        }
      } else {
        for (const std::string& partition : p.partitions) {
          Status st = Guarded([&] { return PublishCrlNow(due_id, partition); });
          if (!st.ok()) {
            spdlog::error("CRL generation for CA {} partition '{}' failed: {}", due_id,
                          partition, st.message());
            NotifyCrl(due_id, partition);
          }
        }
      }
      lock.lock();
      continue;
    }
    cv_.wait_until(lock, wake);
  }
}

void CrlPublisher::Sweep() {
  if (!MayRun(options_.leadership, "crl-sweep")) return;
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
      Status st = Guarded([&] { return PublishNow(ca.id); });
      if (!st.ok()) spdlog::error("CRL generation for CA {} failed: {}", ca.id, st.message());
    }
    if (page->size() < 100) return;
  }
}

struct CrlPublisher::CaCrlContext {
  store::CaRecord ca;
  json crl;  // the CrlConfiguration
  SigningAlgorithm alg = SigningAlgorithm::kSha256WithRsa;
  CrlIssuer issuer;
  std::shared_ptr<const keys::Signer> signer;
};

Result<std::optional<CrlPublisher::CaCrlContext>> CrlPublisher::LoadContext(
    const std::string& ca_id) {
  CaCrlContext ctx;
  ASSIGN_OR_RETURN(ctx.ca, store_.GetCa(ca_id));
  const store::CaRecord& ca = ctx.ca;
  json config = json::parse(ca.revocation_json.empty() ? "{}" : ca.revocation_json, nullptr,
                            false);
  ctx.crl = config.is_object() ? config.value("CrlConfiguration", json::object())
                               : json::object();
  const TimePoint now = clock_.Now();
  bool publishes = ctx.crl.is_object() && ctx.crl.value("Enabled", false) &&
                   !ca.certificate_der.empty() &&
                   (ca.status == "ACTIVE" || ca.status == "DISABLED") &&
                   !(ca.not_after_s.has_value() && *ca.not_after_s < ToUnixSeconds(now));
  if (!publishes) return std::optional<CaCrlContext>();

  json ca_config = json::parse(ca.configuration_json, nullptr, false);
  auto alg = ParseSigningAlgorithm(ca_config.is_object() ? ca_config.value("SigningAlgorithm", "")
                                                         : "");
  if (!alg) return InternalError("CA " + ca_id + " has no usable signing algorithm");
  ctx.alg = *alg;
  ASSIGN_OR_RETURN(x509::X509Ptr cert, x509::ParseCertificateDer(ca.certificate_der));
  ASSIGN_OR_RETURN(ctx.issuer, CrlIssuerOf(*cert));
  ASSIGN_OR_RETURN(ctx.signer, keys_.Load(ca.key_id));
  return std::optional<CaCrlContext>(std::move(ctx));
}

Status CrlPublisher::Publish(const CaCrlContext& ctx,
                             const store::CrlPartitionRecord* partition) {
  bool write_failed = false;
  Status st = BuildAndWrite(ctx, partition, &write_failed);
  if (options_.on_generated) {
    CrlOutcome outcome;
    outcome.ca_arn = ctx.ca.arn;
    outcome.account_id = ctx.ca.account_id;
    outcome.success = st.ok();
    if (!st.ok() && write_failed) {
      outcome.reason = st.code() == ErrorCode::kAccessDenied
                           ? "Failed to write CRL to S3. Check your S3 bucket permissions."
                           : "Failed to write CRL to S3. Internal failure.";
    } else if (!st.ok()) {
      outcome.reason = "Failed to generate CRL. Internal failure.";
    }
    options_.on_generated(outcome);
  }
  return st;
}

Status CrlPublisher::BuildAndWrite(const CaCrlContext& ctx,
                                   const store::CrlPartitionRecord* partition,
                                   bool* write_failed) {
  const std::string& ca_id = ctx.ca.id;
  const int days = ctx.crl.value("ExpirationInDays", kDefaultExpirationDays);
  // One CRL at a time from its number to its write: a CRL with a higher number never reaches the
  // bucket before one with a lower number (the thread and partition openings both publish).
  std::lock_guard<std::mutex> publishing(publish_mu_);
  metrics::ScopedTimer timer(options_.generation_seconds);
  const TimePoint now = clock_.Now();
  CrlInput input;
  input.issuer_name_der = ctx.issuer.name_der;
  input.authority_key_id = ctx.issuer.key_id;
  input.this_update = now - kBackdate;
  input.next_update = now + std::chrono::hours(24) * days;
  store::RevokedScan scan;
  // An expired certificate stays listed for one CRL validity period after its notAfter, so at
  // least one CRL issued after its expiry lists it (CRLs are refreshed at half-life), then drops
  // off (RFC 5280 5.3; AWS: "appears in one more CRL").
  scan.not_after_at_least_s = ToUnixSeconds(now) - int64_t{86400} * days;
  if (partition != nullptr) {
    input.issuing_distribution_point_uri = partition->uri;
    // At most `capacity` entries: a reservation that is never more than ~1 MB.
    input.expected_entries = std::max<int64_t>(partition->capacity, 1);
    scan.crl_partition = partition->partition_id;
  }
  ASSIGN_OR_RETURN(input.crl_number, store_.NextCrlNumber(ca_id, ToUnixMillis(now)));
  ASSIGN_OR_RETURN(PreparedCrl prepared, PrepareCrlFromStore(store_, ca_id, scan, input, ctx.alg));
  ASSIGN_OR_RETURN(Bytes der, SignPreparedCrl(std::move(prepared), *ctx.signer));
  if (options_.crl_bytes != nullptr) {
    options_.crl_bytes->Observe(static_cast<double>(der.size()));
  }

  const bool public_read =
      ctx.crl.value("S3ObjectAcl", "PUBLIC_READ") != "BUCKET_OWNER_FULL_CONTROL";
  *write_failed = true;  // from here on, only the bucket write can fail
  const int64_t crl_number = input.crl_number;
  auto recorded = [&](Status st) {
    if (st.ok() && options_.service_events != nullptr) {
      json details = {{"crlNumber", crl_number}};
      if (partition != nullptr) details["crlPartition"] = partition->partition_id;
      options_.service_events->RecordServiceEvent(
          audit::ServiceEventOn("GenerateCRL", ctx.ca.arn, std::move(details)));
    }
    return st;
  };
  if (partition == nullptr) {
    return recorded(buckets_.Put(ctx.crl.value("S3BucketName", ""),
                                 CrlObjectKey(ctx.crl.value("CustomPath", ""), ca_id), der,
                                 "application/pkix-crl", public_read));
  }
  if (static_cast<int64_t>(der.size()) > kMaxPartitionCrlBytes) {
    // Only an issuer name of ~100 KB could do this (common/crl_location.h); publish it anyway.
    spdlog::warn("CRL partition {} of CA {} is {} bytes, over the {}-byte bound",
                 partition->partition_id, ca_id, der.size(), kMaxPartitionCrlBytes);
  }
  return recorded(buckets_.Put(partition->bucket, partition->object_key, der,
                               "application/pkix-crl", public_read));
}

Status CrlPublisher::PublishNow(const std::string& ca_id) {
  ASSIGN_OR_RETURN(std::optional<CaCrlContext> ctx, LoadContext(ca_id));
  const TimePoint now = clock_.Now();
  if (!ctx.has_value()) {
    std::lock_guard<std::mutex> lock(mu_);
    // Look again at the next sweep (the configuration or state may change).
    refresh_at_[ca_id] = now;
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::vector<store::CrlPartitionRecord> partitions,
                   store_.ListCrlPartitions(ca_id));
  const bool complete_type = ctx->crl.value("CrlType", "COMPLETE") != "PARTITIONED";
  bool complete_named = false;
  for (const auto& p : partitions) complete_named = complete_named || p.partition_id.empty();

  Status first = Status::Ok();
  auto keep_first = [&first](Status st) {
    if (first.ok() && !st.ok()) first = std::move(st);
  };
  if (complete_type || complete_named) keep_first(Publish(*ctx, nullptr));
  for (const auto& p : partitions) {
    if (!p.partition_id.empty()) keep_first(Publish(*ctx, &p));
  }
  if (!first.ok()) return first;
  const int days = ctx->crl.value("ExpirationInDays", kDefaultExpirationDays);
  std::lock_guard<std::mutex> lock(mu_);
  refresh_at_[ca_id] = now + std::chrono::hours(24) * days / 2;
  return Status::Ok();
}

Status CrlPublisher::PublishCrlNow(const std::string& ca_id, const std::string& partition_id) {
  ASSIGN_OR_RETURN(std::optional<CaCrlContext> ctx, LoadContext(ca_id));
  if (!ctx.has_value()) return Status::Ok();
  if (partition_id.empty()) {
    if (ctx->crl.value("CrlType", "COMPLETE") == "PARTITIONED") {
      Result<store::CrlPartitionRecord> named = store_.GetCrlPartition(ca_id, "");
      if (!named.ok()) {
        // No certificate names the complete CRL: there is none to keep current.
        return named.status().code() == ErrorCode::kResourceNotFound ? Status::Ok()
                                                                     : named.status();
      }
    }
    return Publish(*ctx, nullptr);
  }
  ASSIGN_OR_RETURN(store::CrlPartitionRecord partition,
                   store_.GetCrlPartition(ca_id, partition_id));
  return Publish(*ctx, &partition);
}

Status CrlPublisher::ProbeBucket(const std::string& bucket, bool public_read) {
  static constexpr char kBody[] = "openpca: CRLs for this bucket can be written here.\n";
  return buckets_.Put(bucket, kPermissionTestKey, AsSpan(std::string_view(kBody)), "text/plain",
                      public_read);
}

}  // namespace openpca::revocation

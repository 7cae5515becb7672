#include "server/metrics_wiring.h"

#include <spdlog/spdlog.h>

#include <optional>

namespace openpca::server {
namespace {

// CAs are few (the label is bounded by them); this only guards memory against a bug.
constexpr size_t kMaxCaSeries = 10000;

// The CA id of a CA ARN (…:certificate-authority/<id>); "" when it has none.
std::string_view CaIdOf(const nlohmann::json& input) {
  auto it = input.find("CertificateAuthorityArn");
  if (it == input.end() || !it->is_string()) return {};
  std::string_view arn = it->get_ref<const std::string&>();
  size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : arn.substr(slash + 1);
}

// The per-CA histogram of issued certificates' time to expiry, from one aggregate query reused
// for `refresh`.
class IssuedExpiryCollector final : public metrics::Collector {
 public:
  IssuedExpiryCollector(store::StatsStore& stats, const Clock& clock, std::chrono::seconds refresh)
      : stats_(stats), clock_(clock), refresh_(refresh) {}

  void Collect(metrics::ExpositionWriter& out) override {
    static constexpr const char* kName = "openpca_issued_certificate_expires_in_seconds";
    const TimePoint now = clock_.Now();
    if (!last_.has_value() || now - last_at_ >= refresh_ || now < last_at_) {
      last_ = Query(now);
      last_at_ = now;
    }
    if (!last_.has_value() || last_->empty()) return;
    out.Begin(kName,
              "Issued certificates neither revoked nor expired, by CA and time left before "
              "notAfter (counted at scrape time, reused for metrics_expiry_refresh_seconds).",
              metrics::MetricType::kHistogram);
    for (const auto& [ca, snapshot] : *last_) {
      const metrics::Label label{"ca", ca};
      out.Histogram(kName, std::span<const metrics::Label>(&label, 1), snapshot);
    }
  }

 private:
  using PerCa = std::vector<std::pair<std::string, metrics::HistogramSnapshot>>;

  std::optional<PerCa> Query(TimePoint now) {
    const std::vector<double> bounds = metrics::ExpiryBuckets();
    std::vector<int64_t> bounds_s(bounds.begin(), bounds.end());
    Result<std::vector<store::ExpiryBucketCount>> rows =
        stats_.CountCertificatesByExpiry(ToUnixSeconds(now), bounds_s);
    if (!rows.ok()) {
      spdlog::warn("metrics: issued certificate expiry: {}", rows.status().message());
      return std::nullopt;
    }
    PerCa out;
    for (const store::ExpiryBucketCount& row : *rows) {  // ordered by CA
      if (out.empty() || out.back().first != row.ca_id) {
        out.emplace_back(row.ca_id, metrics::HistogramSnapshot::Empty(bounds));
      }
      metrics::HistogramSnapshot& s = out.back().second;
      s.counts[std::min(row.bucket, bounds.size())] += static_cast<uint64_t>(row.count);
      s.sum += static_cast<double>(row.seconds_left);
    }
    return out;
  }

  store::StatsStore& stats_;
  const Clock& clock_;
  const std::chrono::seconds refresh_;
  std::optional<PerCa> last_;
  TimePoint last_at_{};
};

}  // namespace

Result<std::unique_ptr<ServerMetrics>> ServerMetrics::Create(const config::ServerConfig& config) {
  std::unique_ptr<ServerMetrics> m(new ServerMetrics());
  m->config_ = config;
  if (!config.metrics) return m;
  m->registry_ = std::make_unique<metrics::Registry>();
  ASSIGN_OR_RETURN(m->endpoint_, MetricsEndpoint::Create(*m->registry_, config.metrics_path,
                                                         config.metrics_bearer_token_file));
  m->issued_ = &m->registry_->AddCounterFamily("openpca_certificates_issued_total",
                                               "Certificates issued (IssueCertificate) per CA id.",
                                               {"ca"}, kMaxCaSeries);
  m->revoked_ = &m->registry_->AddCounterFamily(
      "openpca_certificates_revoked_total", "Certificates revoked (RevokeCertificate) per CA id.",
      {"ca"}, kMaxCaSeries);
  return m;
}

ServerMetrics::~ServerMetrics() {
  Stop();
  if (stores_ != nullptr) stores_->SetCommitBatchHistogram(nullptr);
}

void ServerMetrics::Instrument(api::ApiServer::Options& options) {
  options.metrics = registry_.get();
}

void ServerMetrics::Instrument(revocation::CrlPublisherOptions& options) {
  if (registry_ == nullptr) return;
  options.generation_seconds = &registry_->AddHistogram(
      "openpca_crl_generation_duration_seconds",
      "Time to number, build, sign and write one CRL (complete or partition).",
      {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  options.crl_bytes =
      &registry_->AddHistogram("openpca_crl_size_bytes", "DER size of each CRL written.",
                               metrics::ExponentialBuckets(1024, 4, 8));  // 1 KiB .. 16 MiB
}

void ServerMetrics::Instrument(OcspServiceOptions& options) { options.metrics = registry_.get(); }

void ServerMetrics::WatchStore(const StoreSet& stores, const Clock& clock) {
  if (registry_ == nullptr) return;
  stores_ = &stores;
  stores.SetCommitBatchHistogram(&registry_->AddHistogram(
      "openpca_db_commit_batch_size",
      "Write jobs committed together in one database transaction (group commit).",
      {1, 2, 4, 8, 16, 32, 64, 128, 256}));
  collectors_.push_back(
      registry_->AddCollector(metrics::MakeCollector([&stores](metrics::ExpositionWriter& out) {
        out.Begin("openpca_db_write_queue_depth", "Write jobs waiting for the database writer.",
                  metrics::MetricType::kGauge);
        out.Sample("openpca_db_write_queue_depth", {},
                   static_cast<double>(stores.write_queue_depth()));
      })));
  collectors_.push_back(registry_->AddCollector(
      metrics::MakeCollector([stats = &stores.stats(), &clock](metrics::ExpositionWriter& out) {
        Result<std::vector<store::CaExpiryRecord>> cas = stats->ListCaExpiries();
        if (!cas.ok()) {
          spdlog::warn("metrics: CA certificate expiry: {}", cas.status().message());
          return;
        }
        if (cas->empty()) return;
        static constexpr const char* kName = "openpca_ca_certificate_expires_in_seconds";
        out.Begin(kName,
                  "Seconds until the CA certificate's notAfter, per CA id (negative once "
                  "expired), computed at scrape time.",
                  metrics::MetricType::kGauge);
        const int64_t now = ToUnixSeconds(clock.Now());
        for (const store::CaExpiryRecord& ca : *cas) {
          const metrics::Label label{"ca", ca.ca_id};
          out.Sample(kName, std::span<const metrics::Label>(&label, 1),
                     static_cast<double>(ca.not_after_s - now));
        }
      })));
  collectors_.push_back(registry_->AddCollector(std::make_unique<IssuedExpiryCollector>(
      stores.stats(), clock, std::chrono::seconds(config_.metrics_expiry_refresh_seconds))));
}

ServerMetrics::Operations ServerMetrics::CountIssuance(Operations operations) {
  if (registry_ == nullptr) return operations;
  for (auto& [name, handler] : operations) {
    metrics::Family<metrics::Counter>* counter = name == "IssueCertificate"    ? issued_
                                                 : name == "RevokeCertificate" ? revoked_
                                                                               : nullptr;
    if (counter == nullptr) continue;
    handler = [counter, inner = std::move(handler)](
                  const api::CallContext& ctx,
                  const nlohmann::json& input) -> Result<nlohmann::json> {
      Result<nlohmann::json> out = inner(ctx, input);
      // Only after success: the CA exists, so the label is bounded by the number of CAs.
      if (out.ok()) {
        std::string_view ca = CaIdOf(input);
        if (!ca.empty()) counter->With({ca}).Inc();
      }
      return out;
    };
  }
  return operations;
}

void ServerMetrics::AddExpirySource(std::string name, std::string help, const Clock& clock,
                                    metrics::ExpiryHistogramCollector::Source source) {
  if (registry_ == nullptr) return;
  collectors_.push_back(registry_->AddCollector(std::make_unique<metrics::ExpiryHistogramCollector>(
      std::move(name), std::move(help), clock, std::move(source),
      std::chrono::seconds(config_.metrics_expiry_refresh_seconds))));
}

Status ServerMetrics::Serve(api::ApiServer& api_server) {
  if (endpoint_ == nullptr) return Status::Ok();
  namespace http = boost::beast::http;
  MetricsEndpoint* endpoint = endpoint_.get();
  api::ApiServer::Route route;
  route.method = http::verb::get;
  route.path_prefix = endpoint->path();
  route.handler = [endpoint](const api::HttpRequest& r) { return endpoint->Serve(r); };
  route.matcher = [endpoint](const api::HttpRequest& r) { return endpoint->Matches(r); };
  route.label = "GET " + endpoint->path() + " (metrics)";
  if (config_.metrics_listen.empty()) {
    api_server.AddRoute(std::move(route));
    return Status::Ok();
  }
  // A listener of its own: only the metrics (and /health); every other request is 404.
  auto host_port = config::SplitHostPort(config_.metrics_listen);
  if (!host_port) return Status(ErrorCode::kInvalidArgs, "bad metrics_listen");
  api::ApiServer::Options options;
  options.host = host_port->first;
  options.port = host_port->second;
  options.io_threads = 1;
  options.worker_threads = 1;
  options.max_queued_requests = 16;
  options.inline_summary_interval = std::chrono::seconds(0);
  static const SystemClock kClock;  // SigV4 is never checked here: no credential matches
  ASSIGN_OR_RETURN(listener_,
                   api::ApiServer::Create(
                       options,
                       [](const std::string&, std::string_view) -> Result<api::Credential> {
                         return Status(ErrorCode::kUnrecognizedClient, "no credentials here");
                       },
                       nullptr, kClock));
  listener_->AddRoute(std::move(route));
  for (http::verb method : {http::verb::get, http::verb::head, http::verb::post, http::verb::put,
                            http::verb::delete_}) {
    listener_->RegisterRawRoute(method, "/", [](const api::HttpRequest&) {
      return api::HttpResponse{404, {{"Content-Type", "text/plain; charset=utf-8"}}, "Not Found\n"};
    });
  }
  RETURN_IF_ERROR(listener_->Start());
  spdlog::info("metrics: serving {} on http://{}:{}", endpoint->path(), options.host,
               listener_->port());
  return Status::Ok();
}

uint16_t ServerMetrics::listener_port() const {
  return listener_ != nullptr ? listener_->port() : 0;
}

void ServerMetrics::Stop() {
  if (listener_ != nullptr) listener_->Stop();
}

}  // namespace openpca::server

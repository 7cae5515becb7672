// ServerMetrics: the Prometheus metrics of a running openpca (docs/operations.md "Metrics"): the
// Registry, the instruments handed to the modules it measures, the scrape-time collectors, and
// the endpoint, on the API listener (GET /metrics by default) or on a listener of its own.
//
// Usage in Serve() (server.cc), in this order: Create() after the store is open; Instrument() the
// options of the API server, CRL publisher and OCSP service before creating them; WatchStore();
// wrap the acm-pca operations with CountIssuance(); Serve(api_server) before api_server.Start();
// Stop() at shutdown. With `metrics: false` every call is a no-op and nothing is served.
//
// Registration point for modules wired later: AddExpirySource() adds a histogram of the time left
// before expiry of certificates listed by a bounded query (e.g. the nearest-expiring ACM
// certificates), or registry()->AddCollector() any scrape-time collector.
//
// Not thread-safe to set up; the instruments and collectors it hands out are.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "api/operation.h"
#include "common/clock.h"
#include "config/config.h"
#include "metrics/expiry_collector.h"
#include "metrics/registry.h"
#include "revocation/crl/crl_publisher.h"
#include "server/metrics_endpoint.h"
#include "server/ocsp_service.h"
#include "server/store_wiring.h"

namespace openpca::server {

class ServerMetrics {
 public:
  // Errors: kInvalidArgs when the bearer token file cannot be read.
  static Result<std::unique_ptr<ServerMetrics>> Create(const config::ServerConfig& config);
  ~ServerMetrics();  // Stop()

  // Null with `metrics: false`.
  metrics::Registry* registry() { return registry_.get(); }

  void Instrument(api::ApiServer::Options& options);
  void Instrument(revocation::CrlPublisherOptions& options);
  void Instrument(OcspServiceOptions& options);

  // The writer's batch sizes and queue depth, each CA certificate's time to expiry and the
  // histogram of issued certificates' time to expiry (scrape time). `stores` and `clock` must
  // outlive this object.
  void WatchStore(const StoreSet& stores, const Clock& clock);

  // Counts successful IssueCertificate / RevokeCertificate calls per CA id
  // (openpca_certificates_issued_total, openpca_certificates_revoked_total); other operations
  // pass through unchanged.
  using Operations = std::vector<std::pair<std::string, api::OperationHandler>>;
  Operations CountIssuance(Operations operations);

  // A histogram `name` (…_expires_in_seconds) of time left before expiry of the certificates
  // `source` lists (bounded), refreshed at most every metrics_expiry_refresh_seconds.
  void AddExpirySource(std::string name, std::string help, const Clock& clock,
                       metrics::ExpiryHistogramCollector::Source source);

  // Adds GET <metrics_path> to `api_server` (before its Start()), or starts the separate listener
  // (metrics_listen). Errors: those of ApiServer::Create/Start for the separate listener.
  Status Serve(api::ApiServer& api_server);
  // The separate listener's port (after Serve()); 0 when there is none.
  uint16_t listener_port() const;
  // Stops the separate listener; idempotent.
  void Stop();

 private:
  ServerMetrics() = default;

  config::ServerConfig config_;
  std::unique_ptr<metrics::Registry> registry_;
  std::unique_ptr<MetricsEndpoint> endpoint_;
  metrics::Family<metrics::Counter>* issued_ = nullptr;
  metrics::Family<metrics::Counter>* revoked_ = nullptr;
  const StoreSet* stores_ = nullptr;
  std::vector<metrics::CollectorRegistration> collectors_;
  std::unique_ptr<api::ApiServer> listener_;
};

}  // namespace openpca::server

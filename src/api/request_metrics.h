// RequestMetrics: what the endpoint counts about requests, for the Prometheus endpoint
// (docs/operations.md "Metrics"):
//   openpca_api_requests_total{service,operation,code,error_class}   pipeline calls
//   openpca_api_request_duration_seconds{service,operation}         their latency
//   openpca_http_requests_total{route,code}                          raw routes (S3, OCSP, /ca/)
//   openpca_http_request_duration_seconds{route}                    their latency
// `operation` is a model operation name or "unknown" (never a client's string), `route` a route
// label fixed at registration, `code` the HTTP status, and error_class one of ok, client, auth,
// throttling, server (ErrorClassOf): every label is bounded.
//
// CallMetrics is owned by the pipeline, RouteMetrics by the HTTP server; each creates its own
// from the Registry that the server wiring passes in its Options. Thread-safe.
#pragma once

#include <chrono>
#include <string_view>

#include "api/model.h"
#include "common/status.h"
#include "metrics/registry.h"

namespace openpca::api {

// ok (HTTP < 400), throttling (ThrottlingException, 429), auth (401, 403: signature, credential,
// access denied), client (other 4xx), server (5xx).
std::string_view ErrorClassOf(ErrorCode code, int http_status);

class CallMetrics {
 public:
  explicit CallMetrics(metrics::Registry& registry);

  // One pipeline call of `service` that ended with `code` / `http_status`, `started` being when
  // its request had arrived.
  void RecordCall(const ServiceModel& service, std::string_view operation, ErrorCode code,
                  int http_status, std::chrono::steady_clock::time_point started);

 private:
  metrics::Family<metrics::Counter>& calls_;
  metrics::Family<metrics::Histogram>& call_seconds_;
};

class RouteMetrics {
 public:
  explicit RouteMetrics(metrics::Registry& registry);

  // The instruments of one raw route, resolved once: the route's label is fixed.
  struct Route {
    metrics::Histogram* duration = nullptr;
    metrics::Counter* ok = nullptr;  // code 200: inline answers
    std::string_view label;
  };
  Route ForRoute(std::string_view label);
  void RecordRoute(const Route& route, int http_status,
                   std::chrono::steady_clock::time_point started);

 private:
  metrics::Family<metrics::Counter>& routes_;
  metrics::Family<metrics::Histogram>& route_seconds_;
};

}  // namespace openpca::api

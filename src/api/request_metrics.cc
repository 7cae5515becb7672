#include "api/request_metrics.h"

#include <charconv>

namespace openpca::api {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The HTTP status as text, without allocating.
struct StatusText {
  explicit StatusText(int status) {
    auto r = std::to_chars(buf, buf + sizeof buf, status);
    len = static_cast<size_t>(r.ptr - buf);
  }
  std::string_view view() const { return {buf, len}; }
  char buf[12];
  size_t len = 0;
};

}  // namespace

std::string_view ErrorClassOf(ErrorCode code, int http_status) {
  if (code == ErrorCode::kThrottling || http_status == 429) return "throttling";
  if (http_status < 400) return "ok";
  if (http_status == 401 || http_status == 403) return "auth";
  if (http_status < 500) return "client";
  return "server";
}

CallMetrics::CallMetrics(metrics::Registry& registry)
    : calls_(registry.AddCounterFamily(
          "openpca_api_requests_total",
          "AWS API calls by service, operation, HTTP status and error class.",
          {"service", "operation", "code", "error_class"})),
      call_seconds_(registry.AddHistogramFamily(
          "openpca_api_request_duration_seconds",
          "Latency of AWS API calls from the end of the request to the response, by service and "
          "operation.",
          {"service", "operation"}, metrics::LatencyBuckets())) {}

RouteMetrics::RouteMetrics(metrics::Registry& registry)
    : routes_(registry.AddCounterFamily(
          "openpca_http_requests_total",
          "Requests of raw routes (S3-style buckets, OCSP, CA certificates) by route and HTTP "
          "status.",
          {"route", "code"})),
      route_seconds_(registry.AddHistogramFamily("openpca_http_request_duration_seconds",
                                                 "Latency of raw-route requests by route.",
                                                 {"route"}, metrics::LatencyBuckets())) {}

void CallMetrics::RecordCall(const ServiceModel& service, std::string_view operation,
                             ErrorCode code, int http_status,
                             std::chrono::steady_clock::time_point started) {
  // WARNING: `operation` may come from the client (an unknown X-Amz-Target); only model names
  // become label values.
  if (operation.empty() || !service.HasOperation(operation)) operation = "unknown";
  const std::string_view name = service.signing_name();
  const StatusText status(http_status);
  calls_.With({name, operation, status.view(), ErrorClassOf(code, http_status)}).Inc();
  call_seconds_.With({name, operation}).Observe(SecondsSince(started));
}

RouteMetrics::Route RouteMetrics::ForRoute(std::string_view label) {
  Route r;
  r.label = label;
  r.duration = &route_seconds_.With({label});
  r.ok = &routes_.With({label, "200"});
  return r;
}

void RouteMetrics::RecordRoute(const Route& route, int http_status,
                               std::chrono::steady_clock::time_point started) {
  if (http_status == 200) {
    route.ok->Inc();
  } else {
    routes_.With({route.label, StatusText(http_status).view()}).Inc();
  }
  route.duration->Observe(SecondsSince(started));
}

}  // namespace openpca::api

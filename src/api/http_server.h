// ApiServer: the HTTP/1.1 (optionally TLS) front end of openpca.
//
// Serves the request pipeline (pipeline.h: every AWS service, by protocol) on `POST /`, the built-in
// `GET /health` → 200 {"status":"ok"}, and raw routes registered by path prefix (which do not
// get SigV4 or model validation; a raw handler that needs SigV4 builds its own SigV4Verifier, e.g.
// with service "s3"). I/O runs on `io_threads` threads, each with its own event loop and its
// share of the connections (round-robin); handlers run on a bounded worker pool; when `max_queued_requests` requests already wait for a worker, new ones get
// ThrottlingException at once. Keep-alive, one request at a time per connection; bodies over
// `max_body_bytes` get 413 RequestEntityTooLargeException without being read; idle and
// slow-header connections are closed.
//
// Inline handlers: a raw route may also have an InlineHandler (http_types.h), which runs on the
// I/O thread right after the request is read and either answers at once (a PreparedResponse,
// written without copying its body) or declines, and then the request goes to the worker pool
// like any other. It exists for answers that are a memory lookup, such as cached OCSP responses,
// where handing the request to a worker thread and back costs far more than the answer. Inline
// answers are counted per route, not logged one by one: every `inline_summary_interval`, and at
// Stop(), one line {"event":"api_inline_summary","action":"GET /ocsp","answered":N,...} per route
// that answered any. Declined requests are logged as usual.
//
// Routing: `GET /health` first; then, among raw routes of the request's method whose prefix
// starts the path and whose matcher (if any) accepts the request, the longest prefix wins, and at
// equal length a route with a matcher beats one without; otherwise `POST /` is the JSON protocol
// and anything else UnknownOperationException.
//
// Usage: Create(), Register*() (not thread-safe; before Start()), Start(), later Stop() from any
// thread that is not an I/O or worker thread, or Wait() until someone else stops it.
// Holds the Clock by reference; it must outlive the server. The destructor calls Stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <spdlog/logger.h>

#include "api/http_types.h"
#include "api/operation.h"
#include "common/clock.h"
#include "common/status.h"
#include "metrics/registry.h"

namespace openpca::api {

class Pipeline;

class ApiServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;              // 0: an ephemeral port, see port()
    std::string region = "us-east-1";  // SigV4 credential scope region (the default region)
    // Every region the endpoint serves; empty: just `region`.
    std::vector<std::string> regions;
    int io_threads = 2;
    int worker_threads = 64;
    size_t max_queued_requests = 4096;  // waiting for a worker; beyond → ThrottlingException
    size_t max_body_bytes = 1 << 20;    // beyond → 413
    std::chrono::seconds header_timeout{10};    // from a request's first byte to its last header
    std::chrono::seconds idle_timeout{60};      // keep-alive wait, body read, response write
    std::chrono::seconds shutdown_timeout{30};  // Stop() waits this long for in-flight requests
    // TLS (1.2+, ECDHE suites only) when both are set: PEM certificate chain and private key.
    std::string tls_cert_file;
    std::string tls_key_file;
    // Receives one JSON line per API request; null: spdlog::default_logger().
    std::shared_ptr<spdlog::logger> request_logger;
    // How often the count of inline answers per route is logged (0: only at Stop()).
    std::chrono::seconds inline_summary_interval{60};
    // Counts requests (pipeline and raw routes, request_metrics.h) and exposes the worker queue
    // depth here; must outlive the server. Null: no metrics.
    metrics::Registry* metrics = nullptr;
  };

  // A raw route: no SigV4, no model validation; the handler gets the request as received.
  struct Route {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path_prefix;  // "/ocsp"; "/" for every path
    RawHandler handler;       // required; on the worker pool
    // Optional: on the I/O thread first; declining hands the request to `handler`.
    InlineHandler inline_handler;
    // Optional: the route applies only to requests it accepts.
    RouteMatcher matcher;
    // For the log; empty: "<METHOD> <path_prefix>".
    std::string label;
  };

  // kInvalidArgs for unusable options; kInternal if the TLS files cannot be loaded.
  // `authorizer` (null: every authenticated call is allowed, for transport tests) must outlive the
  // server. The pipeline starts with acm-pca as its default service.
  static Result<std::unique_ptr<ApiServer>> Create(Options options, CredentialLookup lookup,
                                                   const Authorizer* authorizer,
                                                   const Clock& clock);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // `name` is a model operation ("IssueCertificate"); aborts otherwise.
  void RegisterOperation(std::string name, OperationHandler handler, ActionSpec action = {});
  // The request pipeline, to add other services (Pipeline::AddService/AddOperation) before Start().
  Pipeline& pipeline();
  // Requests with this method whose path starts with `path_prefix` (longest prefix wins) go to
  // `handler` instead of the JSON protocol.
  void RegisterRawRoute(boost::beast::http::verb method, std::string path_prefix,
                        RawHandler handler);
  // The general form (see Route and "Routing" above). Aborts without a handler, or with an inline
  // handler on HEAD (a prepared body would be sent).
  void AddRoute(Route route);

  // Binds, listens and starts the I/O and worker threads. kInternal if the address cannot be
  // bound.
  Status Start();
  uint16_t port() const;  // the bound port, after Start()

  // Graceful: stops accepting, closes idle connections, lets in-flight requests finish and their
  // responses be written (up to shutdown_timeout), then stops all threads. Idempotent.
  void Stop();
  // Blocks until Stop() has completed.
  void Wait();

 private:
  class Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openpca::api

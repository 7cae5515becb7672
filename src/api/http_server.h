// ApiServer: the HTTP/1.1 (optionally TLS) front end of openpca.
//
// Serves the AWS JSON 1.1 protocol (aws_json_protocol.h) on `POST /`, the built-in
// `GET /health` → 200 {"status":"ok"}, and raw routes registered by path prefix (which do not
// get SigV4 or model validation; a raw handler that needs SigV4 builds its own SigV4Verifier, e.g.
// with service "s3"). I/O runs on `io_threads` Asio threads; every handler runs on a bounded
// worker pool, never on an I/O thread; when `max_queued_requests` requests already wait for a
// worker, new ones get ThrottlingException at once. Keep-alive, one request at a time per
// connection; bodies over `max_body_bytes` get 413 RequestEntityTooLargeException without being
// read; idle and slow-header connections are closed.
//
// Usage: Create(), Register*() (not thread-safe; before Start()), Start(), later Stop() from any
// thread that is not an I/O or worker thread, or Wait() until someone else stops it.
// Holds the Clock by reference; it must outlive the server. The destructor calls Stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/beast/http/verb.hpp>
#include <spdlog/logger.h>

#include "api/http_types.h"
#include "api/operation.h"
#include "common/clock.h"
#include "common/status.h"

namespace openpca::api {

class ApiServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;              // 0: an ephemeral port, see port()
    std::string region = "us-east-1";  // SigV4 credential scope region
    int io_threads = 1;
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
  };

  // kInvalidArgs for unusable options; kInternal if the TLS files cannot be loaded.
  static Result<std::unique_ptr<ApiServer>> Create(Options options, CredentialLookup lookup,
                                                   AuthorizationHook hook, const Clock& clock);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // `name` is a model operation ("IssueCertificate"); aborts otherwise.
  void RegisterOperation(std::string name, OperationHandler handler);
  // Requests with this method whose path starts with `path_prefix` (longest prefix wins) go to
  // `handler` instead of the JSON protocol.
  void RegisterRawRoute(boost::beast::http::verb method, std::string path_prefix,
                        RawHandler handler);

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

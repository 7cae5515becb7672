// MetricsEndpoint: answers Prometheus scrapes (GET <path>) with the Registry's text exposition
// (Content-Type: text/plain; version=0.0.4). Optionally requires "Authorization: Bearer <token>",
// the token read once from a file; the comparison is of SHA-256 digests with CRYPTO_memcmp, so
// its time depends on neither the token nor the length of what was presented. A refused scrape
// gets 401 with WWW-Authenticate: Bearer and no metrics.
//
// Thread-safe (Registry::Expose serialises scrapes). Holds the Registry by reference.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/digest.h"
#include "api/http_types.h"
#include "common/status.h"
#include "metrics/registry.h"

namespace openpca::server {

class MetricsEndpoint {
 public:
  // `token_file` "" = no authentication. Errors: kInvalidArgs when the file cannot be read or
  // holds no token.
  static Result<std::unique_ptr<MetricsEndpoint>> Create(metrics::Registry& registry,
                                                         std::string path,
                                                         const std::string& token_file);

  // GET <path> exactly, not SigV4-signed: on the API listener, a signed GET /metrics is an S3
  // request (a bucket named like the path) and stays there.
  bool Matches(const api::HttpRequest& request) const;
  api::HttpResponse Serve(const api::HttpRequest& request) const;
  const std::string& path() const { return path_; }

 private:
  MetricsEndpoint(metrics::Registry& registry, std::string path,
                  std::optional<api::Sha256Digest> token)
      : registry_(registry), path_(std::move(path)), token_(token) {}
  // WARNING: the Authorization header is untrusted input.
  bool Authorized(const api::HttpRequest& request) const;

  metrics::Registry& registry_;
  const std::string path_;
  const std::optional<api::Sha256Digest> token_;  // SHA-256 of the token
};

}  // namespace openpca::server

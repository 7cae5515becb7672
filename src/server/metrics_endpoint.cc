#include "server/metrics_endpoint.h"

#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

#include "api/protocols/protocol.h"

namespace openpca::server {

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Create(metrics::Registry& registry,
                                                                 std::string path,
                                                                 const std::string& token_file) {
  std::optional<api::Sha256Digest> token;
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    if (!in) {
      return Status(ErrorCode::kInvalidArgs, "cannot read metrics bearer token file " + token_file);
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty() || value.find_first_of(" \t\r\n") != std::string::npos) {
      return Status(ErrorCode::kInvalidArgs,
                    "metrics bearer token file " + token_file + " holds no single token");
    }
    token = api::Sha256(value);
    OPENSSL_cleanse(value.data(), value.size());
  }
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(registry, std::move(path), token));
}

bool MetricsEndpoint::Matches(const api::HttpRequest& request) const {
  return request.path == path_ && !api::protocols::SigningServiceOf(request).has_value();
}

bool MetricsEndpoint::Authorized(const api::HttpRequest& request) const {
  if (!token_.has_value()) return true;
  std::string_view auth = request.Header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (auth.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {  // the scheme is case-insensitive
    if (std::tolower(static_cast<unsigned char>(auth[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return false;
    }
  }
  const api::Sha256Digest presented = api::Sha256(auth.substr(kScheme.size()));
  return CRYPTO_memcmp(presented.data(), token_->data(), presented.size()) == 0;
}

api::HttpResponse MetricsEndpoint::Serve(const api::HttpRequest& request) const {
  if (!Authorized(request)) {
    return api::HttpResponse{401,
                             {{"WWW-Authenticate", "Bearer realm=\"openpca metrics\""},
                              {"Content-Type", "text/plain; charset=utf-8"}},
                             "Unauthorized\n"};
  }
  api::HttpResponse res;
  res.headers.emplace_back("Content-Type", std::string(metrics::kContentType));
  res.headers.emplace_back("Cache-Control", "no-store");
  res.body = registry_.Expose();
  return res;
}

}  // namespace openpca::server

#include "api/handlers/ca_certificate_route.h"

namespace openpca::api {

HttpResponse ServeCaCertificate(store::Store& store, const HttpRequest& request) {
  constexpr std::string_view kPrefix = "/ca/";
  constexpr std::string_view kSuffix = ".crt";
  std::string_view path = request.path;
  HttpResponse not_found{404, {{"Content-Type", "text/plain"}}, "not found\n"};
  if (path.size() <= kPrefix.size() + kSuffix.size() ||
      path.substr(path.size() - kSuffix.size()) != kSuffix) {
    return not_found;
  }
  std::string_view id = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (id.size() != 36) return not_found;
  auto ca = store.GetCa(id);
  if (!ca.ok() || ca->certificate_der.empty() || ca->status == "DELETED") return not_found;
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "application/pkix-cert");
  r.headers.emplace_back("Cache-Control", "max-age=3600, public");
  r.body.assign(ca->certificate_der.begin(), ca->certificate_der.end());
  return r;
}

}  // namespace openpca::api

#include "server/ocsp_service.h"

#include <spdlog/spdlog.h>

#include "revocation/ocsp/ocsp_http.h"

namespace openpca::server {

OcspService::OcspService(store::Store& store, keys::KeyStore& keys, const Clock& clock)
    : store_(store), keys_(keys), clock_(clock), responder_(store, clock, directory_) {}

Status OcspService::LoadAll(const std::string& account_id) {
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(auto page, store_.ListCas(account_id, after, 100));
    for (const auto& ca : page) {
      after = ca.id;
      Refresh(ca.id);
    }
    if (page.size() < 100) return Status::Ok();
  }
}

void OcspService::Refresh(const std::string& ca_id) {
  auto ca = store_.GetCa(ca_id);
  if (!ca.ok() || ca->certificate_der.empty()) {
    directory_.Remove(ca_id);
    responder_.InvalidateIssuer(ca_id);
    return;
  }
  auto signer = keys_.Load(ca->key_id);
  if (!signer.ok()) {
    spdlog::error("OCSP: cannot load the key of CA {}: {}", ca_id, signer.status().message());
    directory_.Remove(ca_id);
    responder_.InvalidateIssuer(ca_id);
    return;
  }
  auto config = revocation::OcspIssuerConfigFromCaRecord(*ca, *signer);
  if (!config.ok()) {
    directory_.Remove(ca_id);
    responder_.InvalidateIssuer(ca_id);
    return;
  }
  // Status as relying parties see it: EXPIRED once the CA certificate has expired.
  if (ca->status != "DELETED" && ca->not_after_s.has_value() &&
      *ca->not_after_s < ToUnixSeconds(clock_.Now())) {
    config->ca_status = "EXPIRED";
  }
  auto issuer = revocation::OcspIssuer::Create(std::move(config).value());
  if (!issuer.ok()) {
    spdlog::error("OCSP: CA {}: {}", ca_id, issuer.status().message());
    return;
  }
  directory_.Add(std::move(issuer).value());
  responder_.InvalidateIssuer(ca_id);
}

api::HttpResponse OcspService::Answer(const revocation::OcspHttpResult& result) {
  api::HttpResponse r;
  // Shared HTTP caches keep a response at most an hour: a revocation reaches every relying
  // party within 60 minutes, as AWS promises, even though responses are valid for 24 hours.
  r.headers = revocation::OcspResponseHeaders(*result.response, clock_.Now(),
                                              std::chrono::seconds(3600));
  r.headers.emplace_back("Date", revocation::HttpDate(clock_.Now()));
  r.body = result.der();
  return r;
}

api::HttpResponse OcspService::Get(const api::HttpRequest& request) {
  constexpr std::string_view kPrefix = "/ocsp";
  std::string_view suffix = request.path.substr(std::min(kPrefix.size(), request.path.size()));
  auto result = responder_.RespondToGet(suffix);
  if (!result.ok()) return api::HttpResponse{500, {}, ""};
  return Answer(*result);
}

api::HttpResponse OcspService::Post(const api::HttpRequest& request) {
  auto result = responder_.Respond(AsSpan(request.body));
  if (!result.ok()) return api::HttpResponse{500, {}, ""};
  return Answer(*result);
}

}  // namespace openpca::server

#include "server/ocsp_service.h"

#include <boost/beast/core/string.hpp>
#include <spdlog/spdlog.h>

#include "common/thread_name.h"
#include "revocation/ocsp/ocsp_http.h"

namespace openpca::server {

OcspService::OcspService(store::Store& store, keys::KeyStore& keys, const Clock& clock,
                         Random& random, OcspServiceOptions options)
    : store_(store),
      keys_(keys),
      clock_(clock),
      responder_(store, clock, directory_, options.responder),
      options_(options) {
  if (options_.signer == OcspSigner::kDelegate) {
    delegates_ = std::make_unique<revocation::OcspDelegateIssuer>(store, clock, random,
                                                                  options_.delegate);
  }
  if (options_.metrics != nullptr) {
    metrics::Family<metrics::Counter>& responses = options_.metrics->AddCounterFamily(
        "openpca_ocsp_responses_total",
        "OCSP responses by the status of the certificate asked about (good, revoked, unknown) or "
        "error (malformedRequest, unauthorized, internalError).",
        {"status"});
    responses_ = {&responses.With({"good"}), &responses.With({"revoked"}),
                  &responses.With({"unknown"}), &responses.With({"error"})};
    cache_stats_ = options_.metrics->AddCollector(metrics::MakeCollector(
        [this](metrics::ExpositionWriter& out) { CollectCacheStats(out); }));
  }
}

void OcspService::CountResponse(const revocation::OcspResponseBody* body) {
  if (responses_[0] == nullptr) return;
  size_t i = 3;
  if (body != nullptr && body->status == revocation::OcspResponseStatus::kSuccessful) {
    switch (body->cert_status) {
      case revocation::OcspCertStatus::kGood:
        i = 0;
        break;
      case revocation::OcspCertStatus::kRevoked:
        i = 1;
        break;
      case revocation::OcspCertStatus::kUnknown:
        i = 2;
        break;
    }
  }
  responses_[i]->Inc();
}

void OcspService::CollectCacheStats(metrics::ExpositionWriter& out) const {
  using metrics::MetricType;
  const revocation::OcspResponderStats stats = responder_.stats();
  const revocation::OcspResponseCache& cache = responder_.cache();
  auto one = [&out](const char* name, const char* help, MetricType type, double value) {
    out.Begin(name, help, type);
    out.Sample(name, {}, value);
  };
  one("openpca_ocsp_requests_total", "OCSP requests answered (cache hits included).",
      MetricType::kCounter, static_cast<double>(stats.requests));
  one("openpca_ocsp_cache_hits_total",
      "OCSP requests answered with a cached pre-signed response (hit ratio: "
      "rate(openpca_ocsp_cache_hits_total) / rate(openpca_ocsp_requests_total)).",
      MetricType::kCounter, static_cast<double>(stats.cache_hits));
  one("openpca_ocsp_signed_responses_total", "OCSP responses signed.", MetricType::kCounter,
      static_cast<double>(stats.signed_responses));
  one("openpca_ocsp_cache_entries", "Slots of the OCSP response cache (both maps).",
      MetricType::kGauge, static_cast<double>(cache.size()));
  one("openpca_ocsp_cache_bytes", "Bytes charged to the OCSP response cache.",
      MetricType::kGauge, static_cast<double>(cache.bytes()));
}

OcspService::~OcspService() { Stop(); }

void OcspService::Start() {
  {
    std::lock_guard lock(rotation_mu_);
    stopping_ = false;
  }
  if (delegates_ != nullptr && !rotation_thread_.joinable()) {
    rotation_thread_ = std::thread([this] { RotationLoop(); });
  }
  if (options_.reload_interval.count() > 0 && !reload_thread_.joinable()) {
    reload_thread_ = std::thread([this] { ReloadLoop(); });
  }
}

void OcspService::Stop() {
  {
    std::lock_guard lock(rotation_mu_);
    stopping_ = true;
  }
  rotation_cv_.notify_all();
  if (rotation_thread_.joinable()) rotation_thread_.join();
  if (reload_thread_.joinable()) reload_thread_.join();
}

void OcspService::ReloadLoop() {
  NameThisThread("ocsp-reload");
  std::unique_lock lock(rotation_mu_);
  while (!rotation_cv_.wait_for(lock, options_.reload_interval, [this] { return stopping_; })) {
    lock.unlock();
    Result<int> reloaded = ReloadChanged(options_.account_id);
    if (!reloaded.ok()) {
      spdlog::warn("OCSP: reloading changed CAs failed: {}", reloaded.status().message());
    }
    lock.lock();
  }
}

Result<int> OcspService::ReloadChanged(const std::string& account_id) {
  std::vector<std::string> changed;
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(auto page, store_.ListCas(account_id, after, 100));
    {
      std::lock_guard lock(versions_mu_);
      for (const auto& ca : page) {
        after = ca.id;
        auto it = loaded_versions_.find(ca.id);
        if (it == loaded_versions_.end() || it->second != ca.version) changed.push_back(ca.id);
      }
    }
    if (page.size() < 100) break;
  }
  for (const std::string& id : changed) Refresh(id);
  return static_cast<int>(changed.size());
}

void OcspService::RotationLoop() {
  NameThisThread("ocsp-rotation");
  std::unique_lock lock(rotation_mu_);
  while (!rotation_cv_.wait_for(lock, options_.rotation_check_interval,
                                [this] { return stopping_; })) {
    lock.unlock();
    // Refresh issues the replacement and swaps the issuer; the directory retires the old one,
    // so responses the old delegate signed are no longer served from the cache.
    for (const std::string& ca_id : delegates_->Due()) Refresh(ca_id);
    lock.lock();
  }
}

void OcspService::Drop(const std::string& ca_id) {
  directory_.Remove(ca_id);
  responder_.InvalidateIssuer(ca_id);
  if (delegates_ != nullptr) delegates_->Forget(ca_id);
}

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
  if (ca.ok()) {
    std::lock_guard lock(versions_mu_);
    loaded_versions_[ca_id] = ca->version;
  }
  if (!ca.ok() || ca->certificate_der.empty()) {
    Drop(ca_id);
    return;
  }
  auto signer = keys_.Load(ca->key_id);
  if (!signer.ok()) {
    spdlog::error("OCSP: cannot load the key of CA {}: {}", ca_id, signer.status().message());
    Drop(ca_id);
    return;
  }
  auto config = revocation::OcspIssuerConfigFromCaRecord(*ca, *signer);
  if (!config.ok()) {
    Drop(ca_id);
    return;
  }
  // Status as relying parties see it: EXPIRED once the CA certificate has expired.
  if (ca->status != "DELETED" && ca->not_after_s.has_value() &&
      *ca->not_after_s < ToUnixSeconds(clock_.Now())) {
    config->ca_status = "EXPIRED";
  }
  if (delegates_ != nullptr) {
    // Only a CA that answers needs a delegate; the others answer unauthorized unsigned.
    if (config->ocsp_enabled &&
        (config->ca_status == "ACTIVE" || config->ca_status == "DISABLED")) {
      std::optional<revocation::IssuedOcspDelegate> before = delegates_->Get(ca_id);
      auto delegate = delegates_->Current(*ca, *signer, config->signing_algorithm);
      std::optional<revocation::IssuedOcspDelegate> after = delegates_->Get(ca_id);
      if (options_.service_events != nullptr && after.has_value() &&
          (!before.has_value() || before->serial_hex != after->serial_hex)) {
        options_.service_events->RecordServiceEvent(audit::ServiceEventOn(
            "RotateOCSPDelegateSigner", ca->arn,
            {{"delegateCertificateSerial", after->serial_hex},
             {"previousDelegateCertificateSerial",
              before.has_value() ? nlohmann::json(before->serial_hex) : nlohmann::json()}}));
      }
      if (delegate.ok()) {
        config->delegate = std::move(delegate).value();
      } else {
        spdlog::error("OCSP: CA {}: no delegated OCSP signing certificate, the CA key signs: {}",
                      ca_id, delegate.status().message());
      }
    } else {
      delegates_->Forget(ca_id);
    }
  }
  auto issuer = revocation::OcspIssuer::Create(std::move(config).value());
  if (!issuer.ok()) {
    spdlog::error("OCSP: CA {}: {}", ca_id, issuer.status().message());
    return;
  }
  directory_.Add(std::move(issuer).value());
  responder_.InvalidateIssuer(ca_id);
}

void OcspService::OnRevoked(const std::string& ca_id, const std::string& serial_hex) {
  if (delegates_ != nullptr) {
    std::optional<revocation::IssuedOcspDelegate> current = delegates_->Get(ca_id);
    if (current.has_value() && current->serial_hex == serial_hex) return Refresh(ca_id);
  }
  responder_.Invalidate(ca_id, serial_hex);
}

namespace {

// Shared HTTP caches keep a response at most an hour: a revocation reaches every relying party
// within 60 minutes, as AWS promises, even though responses are valid for 24 hours.
constexpr std::chrono::seconds kMaxAgeCap(3600);

// What follows the route in a GET path: "/ocsp/<b64>" or, at the root, "/<b64>".
std::string_view GetSuffix(std::string_view path) {
  constexpr std::string_view kPrefix = "/ocsp";
  return path.starts_with(kPrefix) ? path.substr(kPrefix.size()) : path;
}

}  // namespace

api::HttpResponse OcspService::Answer(const revocation::OcspHttpResult& result) {
  api::HttpResponse r;
  r.headers = revocation::OcspResponseHeaders(*result.response, clock_.Now(), kMaxAgeCap);
  r.headers.emplace_back("Date", revocation::HttpDate(clock_.Now()));
  r.body = result.der();
  CountResponse(result.response.get());
  return r;
}

api::PreparedResponse OcspService::Prepared(const revocation::OcspHttpResult& result) {
  api::PreparedResponse r;
  r.fields = revocation::OcspResponseHeaderLines(*result.response, clock_.Now(), kMaxAgeCap);
  r.body = result.der();
  r.body_owner = result.response;
  CountResponse(result.response.get());
  return r;
}

api::HttpResponse OcspService::Get(const api::HttpRequest& request) {
  auto result = responder_.RespondToGet(GetSuffix(request.path));
  if (!result.ok()) {
    CountResponse(nullptr);
    return api::HttpResponse{500, {}, ""};
  }
  return Answer(*result);
}

std::optional<api::PreparedResponse> OcspService::GetCached(const api::HttpRequest& request) {
  thread_local Bytes der;  // reused: no allocation per request on an I/O thread
  if (!revocation::DecodeOcspGetPathInto(GetSuffix(request.path), der)) return std::nullopt;
  std::optional<revocation::OcspHttpResult> hit = responder_.RespondFromCache(der);
  if (!hit.has_value()) return std::nullopt;
  return Prepared(*hit);
}

std::optional<api::PreparedResponse> OcspService::PostCached(const api::HttpRequest& request) {
  std::optional<revocation::OcspHttpResult> hit = responder_.RespondFromCache(AsSpan(request.body));
  if (!hit.has_value()) return std::nullopt;
  return Prepared(*hit);
}

bool OcspService::IsRootPost(const api::HttpRequest& request) {
  if (request.path != "/") return false;
  std::string_view type = request.Header("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return boost::beast::iequals(boost::beast::string_view(type.data(), type.size()),
                              boost::beast::string_view(revocation::kOcspRequestContentType.data(),
                                                        revocation::kOcspRequestContentType.size()));
}

bool OcspService::IsRootGet(const api::HttpRequest& request) {
  return request.path.size() > 2 && request.path[0] == '/' && request.path[1] == 'M' &&
         request.path[2] >= 'A' && request.path[2] <= 'P';
}

api::HttpResponse OcspService::Post(const api::HttpRequest& request) {
  auto result = responder_.Respond(AsSpan(request.body));
  if (!result.ok()) {
    CountResponse(nullptr);
    return api::HttpResponse{500, {}, ""};
  }
  return Answer(*result);
}

}  // namespace openpca::server

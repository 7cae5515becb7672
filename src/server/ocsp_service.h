// OcspService: the OCSP responder as served by openpca. Keeps the responder's issuer directory in
// step with the store (every CA with a certificate, its status and OCSP setting) and answers
// GET /ocsp/<base64 request> and POST /ocsp (RFC 6960 appendix A, RFC 5019). Responses are signed
// by the CA key or, with OcspSigner::kDelegate, by a delegated OCSP signing certificate that the
// service issues for each answering CA and replaces from a background thread (Start/Stop).
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/http_types.h"
#include "audit/service_event.h"
#include "common/clock.h"
#include "common/random.h"
#include "keys/key_store.h"
#include "metrics/registry.h"
#include "revocation/ocsp/ocsp_delegate_issuer.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "revocation/ocsp/ocsp_responder.h"
#include "store/store.h"

namespace openpca::server {

// Who signs OCSP responses (configuration "ocsp_signer").
enum class OcspSigner { kCa, kDelegate };

struct OcspServiceOptions {
  OcspSigner signer = OcspSigner::kCa;
  // With OcspSigner::kDelegate: the delegates' lifetime and rotation rule.
  revocation::OcspDelegateOptions delegate;
  // With OcspSigner::kDelegate: how often (real time) the rotation thread looks for delegates
  // that are due; OcspDelegateOptions::rotation_margin must exceed it.
  std::chrono::seconds rotation_check_interval = std::chrono::seconds(60);
  // Counts responses by certificate status and exposes the responder's cache statistics here
  // (docs/operations.md "Metrics"); must outlive the service. Null: no metrics.
  metrics::Registry* metrics = nullptr;
  // Receives a service event each time a CA gets a new delegated OCSP signer. Not owned.
  audit::ServiceEventSink* service_events = nullptr;
  // The responder's own options (cache bounds, max_cache_age for servers sharing a database).
  revocation::OcspResponderOptions responder;
  // Servers sharing a database: how often to look for CAs another server created or changed
  // (their record version moved) and re-read them. Zero: never (one server learns of its own
  // changes through Refresh()).
  std::chrono::seconds reload_interval{0};
  // The account whose CAs the periodic reload reads (LoadAll's).
  std::string account_id;
};

class OcspService {
 public:
  OcspService(store::Store& store, keys::KeyStore& keys, const Clock& clock, Random& random,
              OcspServiceOptions options = {});
  ~OcspService();  // Stop()

  // Starts the delegate rotation thread (OcspSigner::kDelegate) and the reload thread (with
  // reload_interval); nothing to start otherwise.
  void Start();
  // Stops and joins it; idempotent.
  void Stop();

  // Loads every CA of the account into the directory.
  Status LoadAll(const std::string& account_id);
  // Re-reads the CAs of the account whose record version differs from the one loaded (changed
  // or created by another server). Returns how many were re-read. Errors: those of the store.
  Result<int> ReloadChanged(const std::string& account_id);
  // Re-reads one CA (after a revocation, import, status or configuration change) and drops the
  // cached responses it affects.
  // With OcspSigner::kDelegate this also issues the CA's delegate when it has none or its current
  // one must be replaced (failing that, the CA key signs and the rotation thread retries).
  void Refresh(const std::string& ca_id);
  // A certificate of `ca_id` was revoked (durably): drops only the cached responses that report on
  // it, so the CA's other cached responses stay warm. When it is the CA's current delegated OCSP
  // signing certificate, Refresh() replaces the delegate instead.
  void OnRevoked(const std::string& ca_id, const std::string& serial_hex);

  // GET /ocsp/<base64 request> or, at the custom-name root, GET /<base64 request>; POST /ocsp or
  // POST /. On a worker thread (may sign).
  api::HttpResponse Get(const api::HttpRequest& request);
  api::HttpResponse Post(const api::HttpRequest& request);

  // Inline handlers (api::InlineHandler) for the same requests: the cached response when there
  // is a fresh one for exactly this request, else nullopt (then Get/Post on a worker). Never
  // block: a shard reader lock, no store, no signing.
  std::optional<api::PreparedResponse> GetCached(const api::HttpRequest& request);
  std::optional<api::PreparedResponse> PostCached(const api::HttpRequest& request);

  // Route matchers for a certificate whose AIA names http://<OcspCustomCname> (no path):
  // POST / with Content-Type application/ocsp-request, and GET /<segment> whose first segment is
  // base64 of a DER SEQUENCE: 'M' then one of 'A'-'P' (the first byte 0x30). An S3 bucket name
  // never starts so (lower case); a virtual-hosted CRL key could only if its CustomPath did.
  static bool IsRootPost(const api::HttpRequest& request);
  static bool IsRootGet(const api::HttpRequest& request);

 private:
  api::HttpResponse Answer(const revocation::OcspHttpResult& result);
  api::PreparedResponse Prepared(const revocation::OcspHttpResult& result);
  void Drop(const std::string& ca_id);
  // openpca_ocsp_responses_total{status}: good, revoked, unknown (of the first certificate asked
  // about) or error (any unsuccessful OCSP response, or none); `body` null for none.
  void CountResponse(const revocation::OcspResponseBody* body);
  void CollectCacheStats(metrics::ExpositionWriter& out) const;
  void RotationLoop();
  void ReloadLoop();

  store::Store& store_;
  keys::KeyStore& keys_;
  const Clock& clock_;
  revocation::StaticOcspIssuerDirectory directory_;
  revocation::OcspResponder responder_;
  const OcspServiceOptions options_;
  // Non-null with OcspSigner::kDelegate.
  std::unique_ptr<revocation::OcspDelegateIssuer> delegates_;
  std::mutex rotation_mu_;
  std::condition_variable rotation_cv_;
  bool stopping_ = false;  // guarded by rotation_mu_
  std::thread rotation_thread_;
  std::thread reload_thread_;
  std::mutex versions_mu_;
  std::map<std::string, int64_t> loaded_versions_;  // guarded by versions_mu_: ca id -> version
  // With OcspServiceOptions::metrics: good, revoked, unknown, error.
  std::array<metrics::Counter*, 4> responses_{};
  metrics::CollectorRegistration cache_stats_;
};

}  // namespace openpca::server

// OcspService: the OCSP responder as served by openpca. Keeps the responder's issuer directory in
// step with the store (every CA with a certificate, its status and OCSP setting) and answers
// GET /ocsp/<base64 request> and POST /ocsp (RFC 6960 appendix A, RFC 5019).
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "api/http_types.h"
#include "common/clock.h"
#include "keys/key_store.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "revocation/ocsp/ocsp_responder.h"
#include "store/store.h"

namespace openpca::server {

class OcspService {
 public:
  OcspService(store::Store& store, keys::KeyStore& keys, const Clock& clock);

  // Loads every CA of the account into the directory.
  Status LoadAll(const std::string& account_id);
  // Re-reads one CA (after a revocation, import, status or configuration change) and drops the
  // cached responses it affects.
  void Refresh(const std::string& ca_id);

  api::HttpResponse Get(const api::HttpRequest& request);
  api::HttpResponse Post(const api::HttpRequest& request);

 private:
  api::HttpResponse Answer(const revocation::OcspHttpResult& result);

  store::Store& store_;
  keys::KeyStore& keys_;
  const Clock& clock_;
  revocation::StaticOcspIssuerDirectory directory_;
  revocation::OcspResponder responder_;
};

}  // namespace openpca::server

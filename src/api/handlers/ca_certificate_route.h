// GET /ca/<CA id>.crt: the CA certificate, DER, as the caIssuers URI in issued certificates'
// AIA promises (RFC 5280 4.2.2.1). Unauthenticated: CA certificates are public. Thread-safe.
#pragma once

#include "api/http_types.h"
#include "store/store.h"

namespace openpca::api {

HttpResponse ServeCaCertificate(store::Store& store, const HttpRequest& request);

}  // namespace openpca::api

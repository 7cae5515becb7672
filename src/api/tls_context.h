// Server TLS configuration for ApiServer: TLS 1.2 and 1.3 only, ECDHE key exchange only
// (ECDHE-ECDSA/RSA with AES-GCM or ChaCha20-Poly1305; TLS 1.3 groups X25519, P-256, P-384),
// no compression, no renegotiation, server cipher preference.
//
// Boost.Asio's SSL headers (1.74) use OpenSSL APIs that OPENSSL_NO_DEPRECATED removes, so they are
// included only by tls_context.cc and http_session.cc, which CMake compiles without that macro.
// Everyone else sees only this forward declaration.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace openpca::api {

struct TlsContextDeleter {
  void operator()(boost::asio::ssl::context* ctx) const;
};
using TlsContextPtr = std::unique_ptr<boost::asio::ssl::context, TlsContextDeleter>;

// kInternal if the PEM chain or key cannot be loaded or do not match.
Result<TlsContextPtr> MakeServerTlsContext(const std::string& cert_chain_file,
                                           const std::string& key_file);

}  // namespace openpca::api

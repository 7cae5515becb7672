#include "api/tls_context.h"

#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace openpca::api {
namespace {

namespace ssl = boost::asio::ssl;

constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kGroups[] = "X25519:P-256:P-384";

Status TlsError(const std::string& what) {
  std::string detail;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  return InternalError("TLS setup: " + what + (detail.empty() ? "" : ": " + detail));
}

}  // namespace

void TlsContextDeleter::operator()(ssl::context* ctx) const { delete ctx; }

Result<TlsContextPtr> MakeServerTlsContext(const std::string& cert_chain_file,
                                           const std::string& key_file) {
  TlsContextPtr ctx(new ssl::context(ssl::context::tls_server));
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return TlsError("min protocol version");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) return TlsError("cipher list");
  if (SSL_CTX_set1_groups_list(native, kGroups) != 1) return TlsError("groups");
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_chain_file, ec);
  if (ec) return TlsError("certificate chain " + cert_chain_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return TlsError("private key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) return TlsError("key does not match certificate");
  return ctx;
}

}  // namespace openpca::api

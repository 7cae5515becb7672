#include "x509/rsa_public_key.h"

#include <openssl/x509.h>

#include "x509/ossl.h"

namespace openpca::x509 {

Result<Bytes> RsaPublicKeyPkcs1FromSpki(std::span<const uint8_t> spki_der) {
  const unsigned char* in = spki_der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &in, static_cast<long>(spki_der.size())));
  if (key == nullptr || in != spki_der.data() + spki_der.size()) {
    ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs, "not a DER SubjectPublicKeyInfo");
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Status(ErrorCode::kInvalidArgs, "not an RSA key");
  }
  // For RSA keys i2d_PublicKey writes the PKCS#1 RSAPublicKey structure.
  int len = i2d_PublicKey(key.get(), nullptr);
  if (len <= 0) return OsslError("i2d_PublicKey");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d_PublicKey(key.get(), &p) != len) return OsslError("i2d_PublicKey");
  return out;
}

}  // namespace openpca::x509

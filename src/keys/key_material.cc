#include "keys/key_material.h"

#include <memory>

#include <openssl/encoder.h>
#include <openssl/x509.h>

namespace openpca::keys {

using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, ossl::OsslDeleter<&OSSL_ENCODER_CTX_free>>;

Status EncodePkcs8(const EVP_PKEY& key, SecretBuffer& out) {
  EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(&key, OSSL_KEYMGMT_SELECT_KEYPAIR, "DER",
                                                  "PrivateKeyInfo", nullptr));
  if (ctx == nullptr || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0) {
    return ossl::OsslError("OSSL_ENCODER_CTX_new_for_pkey");
  }
  if (OSSL_ENCODER_to_data(ctx.get(), out.data_ptr(), out.size_ptr()) != 1) {
    return ossl::OsslError("OSSL_ENCODER_to_data");
  }
  return Status::Ok();
}

Result<ossl::EvpPkeyPtr> DecodePkcs8(std::span<const uint8_t> der, const char* what_on_error) {
  const unsigned char* in = der.data();
  ossl::EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &in, static_cast<long>(der.size())));
  if (key == nullptr || in != der.data() + der.size()) {
    ossl::ClearOsslErrors();
    return InternalError(what_on_error);
  }
  return key;
}

}  // namespace openpca::keys

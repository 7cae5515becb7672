#include "x509/csr.h"

#include <openssl/core_names.h>

#include <string>

#include "x509/pem.h"
#include "x509/signing.h"

namespace openpca::x509 {
namespace {

Status Malformed(std::string message) {
  ClearOsslErrors();
  return Status(ErrorCode::kMalformedCsr, std::move(message));
}

bool LooksLikePem(std::span<const uint8_t> in) {
  std::string_view text = AsStringView(in);
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text.substr(first).starts_with("-----BEGIN ");
}

Status CheckKeyStrength(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "RSA")) {
    int bits = EVP_PKEY_get_bits(&key);
    if (bits < kMinCsrRsaBits) {
      return Malformed("the CSR's RSA key has " + std::to_string(bits) + " bits; at least " +
                       std::to_string(kMinCsrRsaBits) + " are required");
    }
    if (bits > kMaxCsrRsaBits) {
      return Malformed("the CSR's RSA key has " + std::to_string(bits) + " bits; at most " +
                       std::to_string(kMaxCsrRsaBits) + " are allowed");
    }
    return Status::Ok();
  }
  // OpenSSL types a key on the SM2 curve as "SM2", not "EC".
  if (EVP_PKEY_is_a(&key, "SM2")) return Status::Ok();
  if (EVP_PKEY_is_a(&key, "EC")) {
    char group[80] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(&key, group, sizeof(group), &len) != 1) {
      return Malformed("the CSR's EC key does not use a named curve");
    }
    std::string name(group, len);
    if (name == "prime256v1" || name == "secp384r1" || name == "secp521r1" || name == "SM2") {
      return Status::Ok();
    }
    return Malformed("the CSR's EC key uses curve " + name +
                     "; only P-256, P-384, P-521 and SM2 are supported");
  }
  const char* type = EVP_PKEY_get0_type_name(&key);
  return Malformed(std::string("the CSR's public key type ") + (type != nullptr ? type : "?") +
                   " is not supported; use RSA or EC");
}

}  // namespace

Result<X509ReqPtr> ParseCsr(std::span<const uint8_t> pem_or_der) {
  Bytes der_storage;
  std::span<const uint8_t> der = pem_or_der;
  if (LooksLikePem(pem_or_der)) {
    // The block is parsed once, below (CsrPemToDer would parse it a second time).
    ASSIGN_OR_RETURN(der_storage, CsrPemBlockToDer(AsStringView(pem_or_der)));
    der = der_storage;
  }
  if (der.empty()) return Malformed("the CSR is empty");
  const unsigned char* in = der.data();
  X509ReqPtr req(d2i_X509_REQ(nullptr, &in, static_cast<long>(der.size())));
  if (req == nullptr) return Malformed("the CSR is neither a PEM nor a DER PKCS#10 request");
  if (in != der.data() + der.size()) return Malformed("the CSR has trailing data");
  return req;
}

Result<EvpPkeyPtr> CsrPublicKey(const X509_REQ& req) {
  // X509_REQ_get_pubkey decodes the key on each call and returns a new reference.
  EvpPkeyPtr key(X509_REQ_get_pubkey(const_cast<X509_REQ*>(&req)));
  if (key == nullptr) return Malformed("the CSR's public key cannot be decoded");
  return key;
}

Result<Bytes> CsrPublicKeyDer(const X509_REQ& req) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, CsrPublicKey(req));
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key.get(), &buf);
  if (len <= 0) return Malformed("the CSR's public key cannot be encoded");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Status VerifyCsr(const X509_REQ& req) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, CsrPublicKey(req));
  // Strength first: never spend a verification on a key we would reject anyway.
  RETURN_IF_ERROR(CheckKeyStrength(*key));
  // X509_REQ_verify only reads the request; its parameter is non-const for historical reasons.
  if (X509_REQ_verify(const_cast<X509_REQ*>(&req), key.get()) == 1) return Status::Ok();
  if (X509_REQ_get_signature_nid(&req) == NID_SM2_with_SM3) {
    // The above used an empty SM2 ID (what `openssl req` signs with unless told otherwise); the
    // X.509 default ID is the other one in use, and what BuildCaCsr signs with. The ID is a
    // verification parameter carried by the object, so set it on a copy.
    ClearOsslErrors();
    X509ReqPtr copy(X509_REQ_dup(&req));
    if (copy == nullptr) return OsslError("X509_REQ_dup");
    RETURN_IF_ERROR(UseSm2DefaultIdForVerification(*copy));
    if (X509_REQ_verify(copy.get(), key.get()) == 1) return Status::Ok();
  }
  return Malformed("the CSR's signature does not verify with its own public key");
}

Result<Bytes> BuildCaCsr(const X509_NAME& subject, const keys::Signer& signer, SigningAlgorithm alg,
                         STACK_OF(X509_EXTENSION) * extensions) {
  X509ReqPtr req(X509_REQ_new());
  if (req == nullptr) return OsslError("X509_REQ_new");
  if (X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
    return OsslError("X509_REQ_set_version");
  }
  if (X509_REQ_set_subject_name(req.get(), &subject) != 1) {
    return OsslError("X509_REQ_set_subject_name");
  }
  const Bytes& spki = signer.public_key_der();
  const unsigned char* in = spki.data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &in, static_cast<long>(spki.size())));
  if (pub == nullptr) return OsslError("d2i_PUBKEY");
  if (X509_REQ_set_pubkey(req.get(), pub.get()) != 1) return OsslError("X509_REQ_set_pubkey");
  if (extensions != nullptr && sk_X509_EXTENSION_num(extensions) > 0 &&
      X509_REQ_add_extensions(req.get(), extensions) != 1) {
    return OsslError("X509_REQ_add_extensions");
  }
  return SignCsr(*req, signer, alg);
}

}  // namespace openpca::x509

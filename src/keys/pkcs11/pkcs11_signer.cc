#include "keys/pkcs11/pkcs11_signer.h"

#include <string>

#include "keys/pkcs11/pkcs11_encoding.h"

namespace openpca::keys::pkcs11 {
namespace {

size_t MaxSignatureSize(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kRsa2048:
      return 256;
    case KeyAlgorithm::kRsa3072:
      return 384;
    case KeyAlgorithm::kRsa4096:
      return 512;
    default:
      return 2 * EcFieldBytes(a);
  }
}

}  // namespace

CK_RV FindObjectById(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, CK_OBJECT_CLASS object_class,
                     std::span<const uint8_t> id, CK_OBJECT_HANDLE& found) {
  found = CK_INVALID_HANDLE;
  CK_ATTRIBUTE tmpl[] = {
      {CKA_CLASS, &object_class, sizeof(object_class)},
      {CKA_ID, const_cast<uint8_t*>(id.data()), static_cast<CK_ULONG>(id.size())},
  };
  CK_RV rv = fn->C_FindObjectsInit(session, tmpl, 2);
  if (rv != CKR_OK) return rv;
  CK_OBJECT_HANDLE objects[2];
  CK_ULONG count = 0;
  rv = fn->C_FindObjects(session, objects, 2, &count);
  CK_RV final_rv = fn->C_FindObjectsFinal(session);
  if (rv != CKR_OK) return rv;
  if (final_rv != CKR_OK) return final_rv;
  // Two objects of one class with one CKA_ID would make the key ambiguous; use the first (ids are
  // 16 random bytes, so this only happens when someone copied objects by hand).
  if (count > 0) {
    found = objects[0];
    return CKR_OK;
  }
  if (object_class == CKO_PRIVATE_KEY) {
    // Private objects are invisible without a login: "not found" may mean "logged out" (another
    // part of the process called C_Logout, or the token dropped the login).
    CK_SESSION_INFO info{};
    rv = fn->C_GetSessionInfo(session, &info);
    if (rv != CKR_OK) return rv;
    if (info.state != CKS_RW_USER_FUNCTIONS && info.state != CKS_RO_USER_FUNCTIONS) {
      return CKR_USER_NOT_LOGGED_IN;
    }
  }
  return CKR_OK;
}

Pkcs11Signer::Pkcs11Signer(std::shared_ptr<Pkcs11Token> token, Bytes id, KeyAlgorithm algorithm,
                           Bytes public_key_der, RsaMechanisms rsa_mechanisms)
    : token_(std::move(token)),
      id_(std::move(id)),
      algorithm_(algorithm),
      public_key_der_(std::move(public_key_der)),
      rsa_mechanisms_(rsa_mechanisms),
      max_signature_size_(MaxSignatureSize(algorithm)) {}

CK_RV Pkcs11Signer::Handle(CK_SESSION_HANDLE session, bool refresh, CK_OBJECT_HANDLE& out) const {
  uint64_t epoch = token_->epoch();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!refresh && handle_ != CK_INVALID_HANDLE && handle_epoch_ == epoch) {
      out = handle_;
      return CKR_OK;
    }
  }
  CK_RV rv = FindObjectById(token_->fn(), session, CKO_PRIVATE_KEY, id_, out);
  if (rv != CKR_OK) return rv;
  std::lock_guard<std::mutex> lock(mu_);
  handle_ = out;
  handle_epoch_ = epoch;
  return CKR_OK;
}

Result<Bytes> Pkcs11Signer::Sign(SigningAlgorithm alg, std::span<const uint8_t> data) const {
  if (FamilyOf(alg) != FamilyOf(algorithm_)) {
    return Status(ErrorCode::kInvalidArgs, std::string(SigningAlgorithmName(alg)) +
                                               " does not fit a " +
                                               std::string(KeyAlgorithmName(algorithm_)) + " key");
  }
  CK_MECHANISM mechanism{CKM_ECDSA, nullptr, 0};
  Bytes input;
  std::span<const uint8_t> to_sign;
  if (FamilyOf(alg) == KeyFamily::kEc) {
    ASSIGN_OR_RETURN(input, MessageDigest(alg, data));
    to_sign = input;
  } else {
    bool on_token = (alg == SigningAlgorithm::kSha256WithRsa && rsa_mechanisms_.sha256) ||
                    (alg == SigningAlgorithm::kSha384WithRsa && rsa_mechanisms_.sha384) ||
                    (alg == SigningAlgorithm::kSha512WithRsa && rsa_mechanisms_.sha512);
    if (on_token) {
      mechanism.mechanism = alg == SigningAlgorithm::kSha256WithRsa   ? CKM_SHA256_RSA_PKCS
                            : alg == SigningAlgorithm::kSha384WithRsa ? CKM_SHA384_RSA_PKCS
                                                                      : CKM_SHA512_RSA_PKCS;
      to_sign = data;
    } else {
      mechanism.mechanism = CKM_RSA_PKCS;
      ASSIGN_OR_RETURN(Bytes digest, MessageDigest(alg, data));
      std::span<const uint8_t> prefix = DigestInfoPrefix(alg);
      input.assign(prefix.begin(), prefix.end());
      input.insert(input.end(), digest.begin(), digest.end());
      to_sign = input;
    }
  }

  Bytes signature(max_signature_size_);
  CK_ULONG signature_len = 0;
  bool missing = false;
  CK_RV rv = token_->Run([&](CK_SESSION_HANDLE session) -> CK_RV {
    for (int attempt = 0; attempt < 2; ++attempt) {
      CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
      CK_RV r = Handle(session, /*refresh=*/attempt > 0, key);
      if (r != CKR_OK) return r;
      if (key == CK_INVALID_HANDLE) {
        missing = true;
        return CKR_OK;
      }
      r = token_->fn()->C_SignInit(session, &mechanism, key);
      // A handle from before the key was re-created (or another process re-arranged the token's
      // objects) is looked up again once.
      if (r == CKR_KEY_HANDLE_INVALID || r == CKR_OBJECT_HANDLE_INVALID) continue;
      if (r != CKR_OK) return r;
      signature_len = static_cast<CK_ULONG>(signature.size());
      return token_->fn()->C_Sign(session, const_cast<uint8_t*>(to_sign.data()),
                                  static_cast<CK_ULONG>(to_sign.size()), signature.data(),
                                  &signature_len);
    }
    return CKR_KEY_HANDLE_INVALID;
  });
  if (missing || rv == CKR_KEY_HANDLE_INVALID) {
    return Status(ErrorCode::kResourceNotFound, "the key is no longer on the PKCS#11 token");
  }
  if (rv != CKR_OK) return Pkcs11Error("C_Sign", rv);
  signature.resize(signature_len);
  if (FamilyOf(alg) == KeyFamily::kEc) return EcdsaRawToDer(signature);
  return signature;
}

}  // namespace openpca::keys::pkcs11

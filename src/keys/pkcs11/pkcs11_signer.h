// Pkcs11Signer: a Signer whose private key is a token object, used through C_Sign.
//
// ECDSA: the message digest is computed here and signed with CKM_ECDSA; the token's r || s is
// returned as a DER ECDSA-Sig-Value. RSA: CKM_SHA{256,384,512}_RSA_PKCS over the message when the
// token offers it (and `rsa_digest_in_software` is false), else CKM_RSA_PKCS over the DER
// DigestInfo of a digest computed here; both give PKCS#1 v1.5 signatures.
//
// Ownership: shares the token (the Signer stays usable while the store is gone). Holds the key's
// CKA_ID and a cached object handle, looked up again after the token's epoch changes or when the
// token calls the handle invalid.
// Thread-safety: Sign() may be called from any number of threads at once; each call has a session
// of its own (Pkcs11Token::Run).
#pragma once

#include <memory>
#include <mutex>

#include "keys/pkcs11/pkcs11_token.h"
#include "keys/signer.h"

namespace openpca::keys::pkcs11 {

// Which RSA signing mechanisms the token offers, indexed like the RSA SigningAlgorithms.
struct RsaMechanisms {
  bool sha256 = false;  // CKM_SHA256_RSA_PKCS
  bool sha384 = false;
  bool sha512 = false;
};

class Pkcs11Signer final : public Signer {
 public:
  Pkcs11Signer(std::shared_ptr<Pkcs11Token> token, Bytes id, KeyAlgorithm algorithm,
               Bytes public_key_der, RsaMechanisms rsa_mechanisms);

  KeyAlgorithm algorithm() const override { return algorithm_; }
  const Bytes& public_key_der() const override { return public_key_der_; }

  // Errors: kInvalidArgs when `alg` does not fit the key family; kResourceNotFound when the key
  // is no longer on the token; kInternal (the token refused, or could not be reached again).
  Result<Bytes> Sign(SigningAlgorithm alg, std::span<const uint8_t> data) const override;

 private:
  // The private key's handle for `session`'s epoch, looked up by CKA_ID when not cached.
  CK_RV Handle(CK_SESSION_HANDLE session, bool refresh, CK_OBJECT_HANDLE& out) const;

  const std::shared_ptr<Pkcs11Token> token_;
  const Bytes id_;
  const KeyAlgorithm algorithm_;
  const Bytes public_key_der_;
  const RsaMechanisms rsa_mechanisms_;
  const size_t max_signature_size_;

  mutable std::mutex mu_;
  mutable CK_OBJECT_HANDLE handle_ = CK_INVALID_HANDLE;  // guarded by mu_
  mutable uint64_t handle_epoch_ = 0;                    // guarded by mu_
};

// Finds the one object of `object_class` with CKA_ID `id` on the session's token.
// Returns CKR_OK with `found` = CK_INVALID_HANDLE when there is none, and CKR_USER_NOT_LOGGED_IN
// when a private key is looked for on a session that is not logged in.
CK_RV FindObjectById(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, CK_OBJECT_CLASS object_class,
                     std::span<const uint8_t> id, CK_OBJECT_HANDLE& found);

}  // namespace openpca::keys::pkcs11

// Pkcs11KeyStore: a KeyStore whose CA keys live on one token of a PKCS#11 module (an HSM, or
// SoftHSM2 for tests and development).
//
// Keys are generated on the token (C_GenerateKeyPair) as token objects: the private key
// CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_EXTRACTABLE false, CKA_SIGN only; the public key a
// token object with CKA_VERIFY. Both halves share a random 16-byte CKA_ID and the CKA_LABEL
// "openpca-<hex id>". The key id is the RFC 7512 URI
// "pkcs11:token=<token label>;id=<CKA_ID>;object=<label>;type=private"; Load() finds the key by
// CKA_ID alone on the configured token, so servers sharing a token (or tokens holding the same
// keys, e.g. an HSM cluster's replicated partitions) sign for the same CAs under the same key id.
//
// Supported: RSA 2048/3072/4096 and EC P-256/P-384/P-521, as far as the token offers the
// mechanisms (checked with C_GetMechanismInfo); SM2 is not (PKCS#11 has no standard mechanism).
// The PIN is read from a file at Open() and kept in memory for re-login; it never appears in a
// Status message or a log line.
//
// Ownership: shares the token with the Signers it hands out (they stay usable after Destroy() of
// their key fails on use with kResourceNotFound). Borrows `random` (CKA_ID), which must outlive
// the store.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/random.h"
#include "keys/key_store.h"
#include "keys/pkcs11/pkcs11_signer.h"
#include "keys/pkcs11/pkcs11_token.h"
#include "ossl/ossl.h"

namespace openpca::keys::pkcs11 {

struct Pkcs11KeyStoreOptions {
  std::string module_path;  // the PKCS#11 module (.so) to dlopen
  std::string token_label;  // CKA_LABEL of the token (at most 32 bytes)
  std::string pin_file;     // the user PIN (trailing newline ignored); not group/other-writable
  int max_sessions = 32;    // sessions open at most (idle ones are kept for reuse)
  // The AWS KeyStorageSecurityStandard the operator vouches this token meets, or "" for none
  // (e.g. SoftHSM2). Only "FIPS_140_2_LEVEL_2_OR_HIGHER", "FIPS_140_2_LEVEL_3_OR_HIGHER" or
  // "CCPC_LEVEL_1_OR_HIGHER".
  std::string security_standard;
  // Sign RSA with CKM_RSA_PKCS over a DigestInfo even when the token offers CKM_SHA*_RSA_PKCS
  // (for tokens whose combined mechanisms are slow or missing; also lets tests cover both paths).
  bool rsa_digest_in_software = false;
};

class Pkcs11KeyStore final : public KeyStore {
 public:
  // Loads the module, finds the token, reads the PIN file and logs in.
  // Errors: kInvalidArgs (module not loadable, no such token, PIN file unreadable or writable by
  // group/other, PIN refused, unknown security_standard); kInternal.
  static Result<std::unique_ptr<Pkcs11KeyStore>> Open(const Pkcs11KeyStoreOptions& options,
                                                      Random& random);

  // Errors: kInvalidArgs (algorithm not supported by the token, or SM2); kInternal.
  Result<GeneratedKey> Generate(KeyAlgorithm algorithm) override;
  // Errors: kResourceNotFound (not a PKCS#11 URI, no private key with its CKA_ID on the token);
  // kInternal (unreadable public key, a key of a kind openpca does not use, token failure).
  Result<std::shared_ptr<const Signer>> Load(const std::string& key_id) override;
  // Destroys the private and the public key object. Errors: kResourceNotFound; kInternal.
  Status Destroy(const std::string& key_id) override;

  std::string GenerationSecurityStandard() const override { return security_standard_; }
  std::string SecurityStandardOf(const std::string& key_id) const override;

  // True when the token offers what `algorithm` needs (key pair generation of its size or curve
  // and its signing mechanism).
  bool Supports(KeyAlgorithm algorithm) const;

  // Copies a private key (RSA 2048/3072/4096, EC P-256/384/521) onto the token as a new key pair
  // with the same attributes Generate() sets (sensitive, not extractable), for moving a software
  // key into the token. The public key read back from the token must equal `key`'s.
  // WARNING: the caller holds the private key in memory; the token cannot vouch that no copy
  // remains outside (CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE stay false for such keys).
  // Errors: kInvalidArgs (unsupported key or algorithm); kInternal (the token refused the import).
  Result<GeneratedKey> Import(const EVP_PKEY& key);

  // Whether the private key may leave the token (CKA_EXTRACTABLE).
  // Errors: kResourceNotFound; kInternal.
  Result<bool> IsExtractable(const std::string& key_id);

  Pkcs11Token& token() { return *token_; }

 private:
  Pkcs11KeyStore(std::shared_ptr<Pkcs11Token> token, Random& random, std::string security_standard,
                 RsaMechanisms rsa_mechanisms);

  // The CKA_ID a key id names. Errors: kResourceNotFound (not a PKCS#11 URI, no id).
  Result<Bytes> IdOf(const std::string& key_id) const;
  // A fresh CKA_ID, its label and its key id.
  void NewIdentity(Bytes& id, std::string& label, std::string& key_id);
  // Reads the public key of `id` (from its public key object, or the RSA private key object) as
  // SPKI DER. Errors: kResourceNotFound; kInternal.
  Result<std::pair<KeyAlgorithm, Bytes>> ReadPublicKey(std::span<const uint8_t> id);

  const std::shared_ptr<Pkcs11Token> token_;
  const std::string security_standard_;
  const RsaMechanisms rsa_mechanisms_;
  std::mutex mu_;
  Random& random_;                                                        // guarded by mu_
  std::unordered_map<std::string, std::shared_ptr<const Signer>> cache_;  // guarded by mu_
};

// Reads a PIN file: at most 256 bytes, one trailing "\n" or "\r\n" removed, must not be empty.
// Errors: kInvalidArgs (missing, empty, too large, writable by group or other); kInternal.
Result<std::string> ReadPinFile(const std::string& path);

}  // namespace openpca::keys::pkcs11

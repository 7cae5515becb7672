// Conversions between PKCS#11 attribute values and the DER forms X.509 uses: EC curve
// parameters, SubjectPublicKeyInfo from CKA_EC_POINT or CKA_MODULUS/CKA_PUBLIC_EXPONENT, the raw
// r||s of CKM_ECDSA to a DER ECDSA-Sig-Value, PKCS#1 DigestInfo prefixes, and the components of
// an OpenSSL private key for C_CreateObject.
// Pure functions; thread-safe.
#pragma once

#include <p11-kit/pkcs11.h>

#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "ossl/ossl.h"

namespace openpca::keys::pkcs11 {

// CKA_EC_PARAMS (DER OBJECT IDENTIFIER of the named curve) of an EC algorithm; empty for others.
Bytes EcParamsDer(KeyAlgorithm algorithm);
// The EC algorithm of CKA_EC_PARAMS, nullopt for a curve openpca does not use.
std::optional<KeyAlgorithm> EcAlgorithmOf(std::span<const uint8_t> ec_params);
// The field size in octets of an EC algorithm's curve (32, 48, 66).
size_t EcFieldBytes(KeyAlgorithm algorithm);

// SubjectPublicKeyInfo DER of an EC public key. `ec_point` is CKA_EC_POINT: a DER OCTET STRING
// holding the uncompressed point (as PKCS#11 specifies), or the bare point (as some modules give).
// Errors: kInternal.
Result<Bytes> EcSpki(KeyAlgorithm algorithm, std::span<const uint8_t> ec_point);
// SubjectPublicKeyInfo DER of an RSA public key (big-endian modulus and exponent). Errors: kInternal.
Result<Bytes> RsaSpki(std::span<const uint8_t> modulus, std::span<const uint8_t> exponent);

// DER ECDSA-Sig-Value of a CKM_ECDSA signature (r || s, equal halves). Errors: kInternal.
Result<Bytes> EcdsaRawToDer(std::span<const uint8_t> raw);

// DER DigestInfo header of an RSA signing algorithm's digest (to be followed by the digest).
std::span<const uint8_t> DigestInfoPrefix(SigningAlgorithm alg);
// The message digest X.509 signs with `alg`. Errors: kInternal.
Result<Bytes> MessageDigest(SigningAlgorithm alg, std::span<const uint8_t> data);

// Attribute values of a key pair for C_CreateObject. The private values are cleansed when the
// object is destroyed.
struct KeyObjectValues {
  KeyObjectValues() = default;
  KeyObjectValues(const KeyObjectValues&) = delete;
  KeyObjectValues& operator=(const KeyObjectValues&) = delete;
  ~KeyObjectValues();

  KeyAlgorithm algorithm = KeyAlgorithm::kRsa2048;
  CK_KEY_TYPE key_type = CKK_RSA;
  std::vector<std::pair<CK_ATTRIBUTE_TYPE, Bytes>> public_values;   // n, e | params, point
  std::vector<std::pair<CK_ATTRIBUTE_TYPE, Bytes>> private_values;  // CRT values | params, d
};

// The values of an RSA (2048/3072/4096 bits) or EC (P-256/384/521) private key.
// Errors: kInvalidArgs for another key; kInternal.
Result<std::unique_ptr<KeyObjectValues>> KeyObjectValuesOf(const EVP_PKEY& key);

}  // namespace openpca::keys::pkcs11

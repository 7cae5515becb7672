// Ephemeral keys: a key pair generated in process memory and held only by the Signer returned.
// Nothing is written anywhere; the key is gone when the last reference to the Signer goes (and a
// restart never sees it again). For short-lived keys whose loss costs nothing but a re-issue, such
// as delegated OCSP signing certificates.
// Thread-safety: NewEphemeralSigner is thread-safe; the Signer is as thread-safe as every Signer.
#pragma once

#include <memory>

#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "ossl/ossl.h"

namespace openpca::keys {

// Generates a key pair of `algorithm` (RSA 2048/3072/4096 with e = 65537, EC P-256/P-384/P-521,
// SM2) in memory. Errors: kInternal.
Result<std::shared_ptr<const Signer>> NewEphemeralSigner(KeyAlgorithm algorithm);

// The key pair itself, for the key store's own use (keys/exportable_keys.cc seals it at once).
// Errors: kInternal.
Result<ossl::EvpPkeyPtr> GenerateKeyPair(KeyAlgorithm algorithm);

}  // namespace openpca::keys

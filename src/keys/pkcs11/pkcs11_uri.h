// RFC 7512 PKCS#11 URIs naming CA keys: "pkcs11:token=<label>;id=<bytes>;object=<label>;type=private".
//
// Only the path attributes openpca writes and reads are kept (token, id, object, type); other path
// attributes (manufacturer, serial, model, library-*, slot-*) are accepted and ignored, query
// attributes (after '?', e.g. pin-source) are ignored: the PIN always comes from the configured
// PIN file. Values are percent-decoded; Format() percent-encodes every byte of `id` and every
// character outside RFC 7512's unreserved set in the others, so Parse(Format(u)) == u.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace openpca::keys::pkcs11 {

inline constexpr std::string_view kUriScheme = "pkcs11:";

struct Pkcs11Uri {
  std::string token;   // CKA_LABEL of the token (informative: keys are found by id on the token
                       // the server is configured with)
  Bytes id;            // CKA_ID of the key pair: the key's identity
  std::string object;  // CKA_LABEL of the key objects
  std::string type;    // "private" for CA keys

  bool operator==(const Pkcs11Uri&) const = default;
};

// Errors: kInvalidArgs (not "pkcs11:", bad percent-encoding, an attribute given twice).
Result<Pkcs11Uri> ParsePkcs11Uri(std::string_view uri);

std::string FormatPkcs11Uri(const Pkcs11Uri& uri);

}  // namespace openpca::keys::pkcs11

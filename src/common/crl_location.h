// Where a CA's complete CRL lives inside its bucket: "<CustomPath or crl>/<CA id>.crl", the
// object key AWS Private CA uses. Shared by the authority (CDP URLs) and the CRL publisher.
#pragma once

#include <string>

namespace openpca {

inline std::string CrlObjectKey(const std::string& custom_path, const std::string& ca_id) {
  return (custom_path.empty() ? std::string("crl") : custom_path) + "/" + ca_id + ".crl";
}

}  // namespace openpca

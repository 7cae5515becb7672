// RevocationConfiguration checks beyond the model (the cross-field rules AWS documents) and the
// normal form openpca stores and describes. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace openpca::authority {

// Errors: kInvalidArgs, with AWS-like messages.
Status ValidateRevocationConfiguration(const nlohmann::json& config);

// What DescribeCertificateAuthority shows: the stored configuration, with CRL and OCSP reported
// as disabled when absent.
nlohmann::json DescribedRevocationConfiguration(const std::string& stored_json);

}  // namespace openpca::authority

// The acm-pca operations: each turns the model-validated JSON input into an Authority call and the
// result into the model's output shape. Stateless apart from the Authority reference; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "authority/authority.h"

namespace openpca::api {

// Every supported acm-pca operation by its AWS name ("IssueCertificate"), ready to register.
// A CA as DescribeCertificateAuthority and ListCertificateAuthorities return it.
nlohmann::json DescribeCaJson(const store::CaRecord& ca);

std::vector<std::pair<std::string, OperationHandler>> AcmPcaOperations(
    authority::Authority& authority);

}  // namespace openpca::api

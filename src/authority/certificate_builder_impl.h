// The two implementations behind PrepareCertificate (certificate_builder.h). Internal to
// authority/.
#pragma once

#include "authority/certificate_builder.h"

namespace openpca::authority {

Result<std::unique_ptr<PreparedCertificate>> PrepareWithOpenSsl(const CertificateInput& input);
Result<std::unique_ptr<PreparedCertificate>> PrepareDirect(const CertificateInput& input);

}  // namespace openpca::authority

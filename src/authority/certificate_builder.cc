#include "authority/certificate_builder.h"

#include "authority/certificate_builder_impl.h"

namespace openpca::authority {

Result<std::unique_ptr<PreparedCertificate>> PrepareCertificate(CertificateBuilder builder,
                                                                const CertificateInput& input) {
  OPENPCA_CHECK(input.tmpl != nullptr && input.issuer != nullptr);
  switch (builder) {
    case CertificateBuilder::kDirect:
      return PrepareDirect(input);
    case CertificateBuilder::kOpenSsl:
      return PrepareWithOpenSsl(input);
  }
  OPENPCA_CHECK(false);
  return InternalError("unreachable");
}

}  // namespace openpca::authority

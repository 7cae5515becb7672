#include "authority/issuer_context.h"

#include "x509/extensions.h"
#include "x509/tbs_certificate.h"

namespace openpca::authority {

Status IssuerContext::PrepareEncodings() {
  if (certificate == nullptr) return Status::Ok();
  ASSIGN_OR_RETURN(issuer_name_der, x509::NameDer(*X509_get_subject_name(certificate.get())));
  ASSIGN_OR_RETURN(x509::X509ExtensionPtr aki, x509::AuthorityKeyIdentifierExt(subject_key_id));
  ASSIGN_OR_RETURN(aki_extension_der, x509::ExtensionDer(*aki));
  for (size_t i = 0; i < signature_and_issuer.size(); ++i) {
    std::span<const uint8_t> alg = x509::SignatureAlgorithmDer(static_cast<SigningAlgorithm>(i));
    Bytes& out = signature_and_issuer[i];
    out.reserve(alg.size() + issuer_name_der.size());
    out.assign(alg.begin(), alg.end());
    out.insert(out.end(), issuer_name_der.begin(), issuer_name_der.end());
  }
  return Status::Ok();
}

}  // namespace openpca::authority

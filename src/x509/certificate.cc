#include "x509/certificate.h"

#include "x509/signing.h"

namespace openpca::x509 {
namespace {

Result<Asn1TimePtr> ToAsn1Time(TimePoint t) {
  // ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime after, as RFC 5280 requires.
  Asn1TimePtr at(ASN1_TIME_set(nullptr, static_cast<time_t>(ToUnixSeconds(t))));
  if (!at) return OsslError("ASN1_TIME_set", ErrorCode::kInvalidArgs);
  return at;
}

}  // namespace

Result<Bytes> BuildSignedCertificate(const CertificateContent& content,
                                     const keys::Signer& signer, SigningAlgorithm alg) {
  X509Ptr cert(X509_new());
  if (!cert) return OsslError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OsslError("X509_set_version");

  BignumPtr bn(BN_bin2bn(content.serial.data(), static_cast<int>(content.serial.size()), nullptr));
  if (!bn) return OsslError("BN_bin2bn");
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial || X509_set_serialNumber(cert.get(), serial.get()) != 1)
    return OsslError("X509_set_serialNumber");

  if (X509_set_issuer_name(cert.get(), content.issuer) != 1)
    return OsslError("X509_set_issuer_name");
  if (X509_set_subject_name(cert.get(), content.subject) != 1)
    return OsslError("X509_set_subject_name");
  if (X509_set_pubkey(cert.get(), content.subject_key) != 1) return OsslError("X509_set_pubkey");

  ASSIGN_OR_RETURN(Asn1TimePtr nb, ToAsn1Time(content.not_before));
  ASSIGN_OR_RETURN(Asn1TimePtr na, ToAsn1Time(content.not_after));
  if (X509_set1_notBefore(cert.get(), nb.get()) != 1) return OsslError("X509_set1_notBefore");
  if (X509_set1_notAfter(cert.get(), na.get()) != 1) return OsslError("X509_set1_notAfter");

  for (const auto& ext : content.extensions) {
    if (X509_add_ext(cert.get(), ext.get(), -1) != 1) return OsslError("X509_add_ext");
  }
  return SignCertificate(*cert, signer, alg);
}

}  // namespace openpca::x509

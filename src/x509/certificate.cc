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

// Copies algorithm and key bits of a SubjectPublicKeyInfo. X509_set_pubkey would decode and
// re-encode the key through OpenSSL 3.0's encoder, the dominant cost of issuance.
Status CopyPublicKey(const X509_PUBKEY& from, X509& to) {
  const unsigned char* key = nullptr;
  int key_len = 0;
  X509_ALGOR* alg = nullptr;
  if (X509_PUBKEY_get0_param(nullptr, &key, &key_len, &alg, &from) != 1 || alg == nullptr) {
    return OsslError("X509_PUBKEY_get0_param", ErrorCode::kMalformedCsr);
  }
  const ASN1_OBJECT* alg_oid = nullptr;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(&alg_oid, &param_type, &param, alg);
  void* param_copy = nullptr;
  if (param_type == V_ASN1_OBJECT) {
    param_copy = OBJ_dup(static_cast<const ASN1_OBJECT*>(param));
  } else if (param_type == V_ASN1_SEQUENCE) {
    param_copy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(param));
  } else if (param_type != V_ASN1_NULL && param_type != V_ASN1_UNDEF) {
    return Status(ErrorCode::kMalformedCsr, "unsupported public key parameters");
  }
  ASN1_OBJECT* oid_copy = OBJ_dup(alg_oid);
  auto* key_copy = static_cast<unsigned char*>(OPENSSL_memdup(key, static_cast<size_t>(key_len)));
  if (oid_copy == nullptr || key_copy == nullptr ||
      X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(&to), oid_copy, param_type, param_copy,
                             key_copy, key_len) != 1) {
    ASN1_OBJECT_free(oid_copy);
    OPENSSL_free(key_copy);
    if (param_type == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(param_copy));
    if (param_type == V_ASN1_SEQUENCE) ASN1_STRING_free(static_cast<ASN1_STRING*>(param_copy));
    return OsslError("X509_PUBKEY_set0_param");
  }
  return Status::Ok();
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
  RETURN_IF_ERROR(CopyPublicKey(*content.subject_key, *cert));

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

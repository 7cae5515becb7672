#include "x509/inspect.h"

#include <ctime>

#include "x509/extensions.h"
#include "x509/signing.h"

namespace openpca::x509 {

Result<X509Ptr> ParseCertificateDer(std::span<const uint8_t> der) {
  const unsigned char* in = der.data();
  X509Ptr cert(d2i_X509(nullptr, &in, static_cast<long>(der.size())));
  if (!cert || in != der.data() + der.size()) {
    return OsslError("d2i_X509", ErrorCode::kMalformedCertificate);
  }
  return cert;
}

Result<Bytes> CertificateDer(const X509& cert) {
  int len = i2d_X509(&cert, nullptr);
  if (len <= 0) return OsslError("i2d_X509");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_X509(&cert, &p);
  return out;
}

Result<Bytes> PublicKeyDer(const X509& cert) {
  const X509_PUBKEY* pub = X509_get_X509_PUBKEY(&cert);
  int len = i2d_X509_PUBKEY(pub, nullptr);
  if (len <= 0) return OsslError("i2d_X509_PUBKEY", ErrorCode::kMalformedCertificate);
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_X509_PUBKEY(pub, &p);
  return out;
}

Result<Bytes> PublicKeyDer(const EVP_PKEY& key) {
  int len = i2d_PUBKEY(&key, nullptr);
  if (len <= 0) return OsslError("i2d_PUBKEY");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_PUBKEY(&key, &p);
  return out;
}

Result<Bytes> PublicKeyDer(const X509_PUBKEY& pubkey) {
  int len = i2d_X509_PUBKEY(&pubkey, nullptr);
  if (len <= 0) return OsslError("i2d_X509_PUBKEY");
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d_X509_PUBKEY(&pubkey, &p);
  return out;
}

Result<Bytes> SubjectKeyId(const X509& cert) {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(&cert));
  if (ski != nullptr) {
    return Bytes(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
  }
  ASSIGN_OR_RETURN(Bytes spki, PublicKeyDer(cert));
  return KeyIdentifierFromSpki(spki);
}

BasicConstraintsInfo GetBasicConstraints(const X509& cert) {
  BasicConstraintsInfo info;
  int crit = -1;
  BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(&cert, NID_basic_constraints, &crit, nullptr)));
  if (!bc) {
    ClearOsslErrors();
    return info;
  }
  info.present = true;
  info.critical = crit == 1;
  info.ca = bc->ca != 0;
  if (bc->pathlen != nullptr) {
    long v = ASN1_INTEGER_get(bc->pathlen);
    if (v >= 0) info.path_len = static_cast<int>(v);
  }
  return info;
}

namespace {
TimePoint FromAsn1(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return FromUnixSeconds(timegm(&tm));
}
}  // namespace

TimePoint NotBefore(const X509& cert) { return FromAsn1(X509_get0_notBefore(&cert)); }
TimePoint NotAfter(const X509& cert) { return FromAsn1(X509_get0_notAfter(&cert)); }

std::string SerialHex(const X509& cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(&cert);
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out(hex ? hex : "");
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSelfSigned(const X509& cert) {
  if (X509_NAME_cmp(X509_get_subject_name(&cert), X509_get_issuer_name(&cert)) != 0) return false;
  EVP_PKEY* key = X509_get0_pubkey(&cert);
  if (key == nullptr) return false;
  // SM2 signatures verify only with the distinguishing id they were made with.
  if (!UseSm2DefaultIdForVerification(const_cast<X509&>(cert)).ok()) return false;
  bool ok = X509_verify(const_cast<X509*>(&cert), key) == 1;
  ClearOsslErrors();
  return ok;
}

}  // namespace openpca::x509

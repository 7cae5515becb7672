#include "x509/cert_facts.h"

#include <openssl/x509v3.h>

#include "x509/inspect.h"
#include "x509/name.h"

namespace openpca::x509 {
namespace {

std::string ColonSerial(const std::string& minimal_hex) {
  std::string hex = minimal_hex.size() % 2 == 1 ? "0" + minimal_hex : minimal_hex;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

std::string SignatureAlgorithmName(int nid) {
  switch (nid) {
    case NID_sha256WithRSAEncryption:
      return "SHA256WITHRSA";
    case NID_sha384WithRSAEncryption:
      return "SHA384WITHRSA";
    case NID_sha512WithRSAEncryption:
      return "SHA512WITHRSA";
    case NID_sha1WithRSAEncryption:
      return "SHA1WITHRSA";
    case NID_ecdsa_with_SHA256:
      return "SHA256WITHECDSA";
    case NID_ecdsa_with_SHA384:
      return "SHA384WITHECDSA";
    case NID_ecdsa_with_SHA512:
      return "SHA512WITHECDSA";
    case NID_SM2_with_SM3:
      return "SM3WITHSM2";
    default:
      return OBJ_nid2sn(nid) != nullptr ? OBJ_nid2sn(nid) : "UNKNOWN";
  }
}

std::string EkuName(const std::string& oid) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"1.3.6.1.5.5.7.3.1", "TLS_WEB_SERVER_AUTHENTICATION"},
      {"1.3.6.1.5.5.7.3.2", "TLS_WEB_CLIENT_AUTHENTICATION"},
      {"1.3.6.1.5.5.7.3.3", "CODE_SIGNING"},
      {"1.3.6.1.5.5.7.3.4", "EMAIL_PROTECTION"},
      {"1.3.6.1.5.5.7.3.5", "IPSEC_END_SYSTEM"},
      {"1.3.6.1.5.5.7.3.6", "IPSEC_TUNNEL"},
      {"1.3.6.1.5.5.7.3.7", "IPSEC_USER"},
      {"1.3.6.1.5.5.7.3.8", "TIME_STAMPING"},
      {"1.3.6.1.5.5.7.3.9", "OCSP_SIGNING"},
      {"2.5.29.37.0", "ANY"},
  };
  for (const auto& [o, name] : kNames) {
    if (oid == o) return name;
  }
  return "CUSTOM";
}

std::string OidText(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  return n > 0 ? std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1))
               : std::string();
}

std::string FirstCommonName(const X509_NAME* name) {
  if (name == nullptr) return {};
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    ClearOsslErrors();
    return {};
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

Result<CertificateFacts> FactsOf(const X509& cert) {
  CertificateFacts f;
  const X509_NAME* subject = X509_get_subject_name(&cert);
  const X509_NAME* issuer = X509_get_issuer_name(&cert);
  if (subject != nullptr) f.subject = NameToString(*subject);
  if (issuer != nullptr) {
    f.issuer = NameToString(*issuer);
    f.has_issuer = X509_NAME_entry_count(issuer) > 0;
  }
  f.common_name = FirstCommonName(subject);
  f.serial = ColonSerial(SerialHex(cert));
  f.signature_algorithm = SignatureAlgorithmName(X509_get_signature_nid(&cert));
  f.not_before_s = ToUnixSeconds(NotBefore(cert));
  f.not_after_s = ToUnixSeconds(NotAfter(cert));
  ASSIGN_OR_RETURN(f.public_key_der, PublicKeyDer(cert));

  X509* mutable_cert = const_cast<X509*>(&cert);  // X509_get_ext_d2i takes const in 3.x
  GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(mutable_cert, NID_subject_alt_name, nullptr, nullptr)));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
      if (gn->type != GEN_DNS) continue;
      const ASN1_IA5STRING* dns = gn->d.dNSName;
      f.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                               static_cast<size_t>(ASN1_STRING_length(dns)));
    }
  }

  if ((X509_get_extension_flags(mutable_cert) & EXFLAG_KUSAGE) != 0) {
    uint32_t ku = X509_get_key_usage(mutable_cert);
    static const std::pair<uint32_t, const char*> kBits[] = {
        {KU_DIGITAL_SIGNATURE, "DIGITAL_SIGNATURE"}, {KU_NON_REPUDIATION, "NON_REPUDIATION"},
        {KU_KEY_ENCIPHERMENT, "KEY_ENCIPHERMENT"},   {KU_DATA_ENCIPHERMENT, "DATA_ENCIPHERMENT"},
        {KU_KEY_AGREEMENT, "KEY_AGREEMENT"},         {KU_KEY_CERT_SIGN, "CERTIFICATE_SIGNING"},
        {KU_CRL_SIGN, "CRL_SIGNING"},                {KU_ENCIPHER_ONLY, "ENCIPHER_ONLY"},
        {KU_DECIPHER_ONLY, "DECIPHER_ONLY"},
    };
    for (const auto& [bit, name] : kBits) {
      if ((ku & bit) != 0) f.key_usages.emplace_back(name);
    }
  }

  ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(mutable_cert, NID_ext_key_usage, nullptr, nullptr)));
  if (eku != nullptr) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
      std::string oid = OidText(sk_ASN1_OBJECT_value(eku.get(), i));
      f.extended_key_usages.emplace_back(EkuName(oid), oid);
    }
  }
  ClearOsslErrors();
  return f;
}

}  // namespace openpca::x509

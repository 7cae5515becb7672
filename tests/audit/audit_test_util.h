// Helpers for the audit report tests: real certificates with chosen subjects and serials.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "common/bytes.h"
#include "x509/ossl.h"

namespace openpca::audit::testing {

// DER of a self-signed EC P-256 certificate whose subject is CN=`cn`, O=`o` (O first in the DER)
// and whose serial is `serial_hex`.
inline Bytes MakeCertificateDer(const std::string& cn, const std::string& o,
                                const std::string& serial_hex) {
  x509::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  x509::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, serial_hex.c_str());
  x509::BignumPtr serial(bn);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  x509::X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), name.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  int len = i2d_X509(cert.get(), nullptr);
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(cert.get(), &p);
  return der;
}

}  // namespace openpca::audit::testing

// RAII ownership of OpenSSL objects. Every OpenSSL object in openpca is held by one of these
// aliases; no bare *_free calls elsewhere. OsslError() turns the thread's OpenSSL error queue into
// a Status (and empties it).
//
// A library of its own (openpca_ossl) so that keys/ (which signs bytes) and x509/ (which encodes
// X.509 and uses keys::Signer) both use it without depending on each other: x509 -> keys -> ossl.
// x509/ossl.h re-exports these names into openpca::x509 for the code that spells them so.
#pragma once

#include <memory>
#include <string>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/status.h"

namespace openpca::ossl {

template <auto kFree>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using X509Ptr = std::unique_ptr<X509, OsslDeleter<&X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OsslDeleter<&X509_REQ_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<&X509_CRL_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OsslDeleter<&X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OsslDeleter<&X509_EXTENSION_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, OsslDeleter<&X509_ALGOR_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<&X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<&EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<&EVP_CIPHER_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<&BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OsslDeleter<&ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OsslDeleter<&ASN1_TIME_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<&ASN1_OBJECT_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<&ASN1_OCTET_STRING_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, OsslDeleter<&ASN1_STRING_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OsslDeleter<&GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<&GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, OsslDeleter<&BASIC_CONSTRAINTS_free>>;
using ExtendedKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, OsslDeleter<&EXTENDED_KEY_USAGE_free>>;
using CertificatePoliciesPtr = std::unique_ptr<CERTIFICATEPOLICIES, OsslDeleter<&CERTIFICATEPOLICIES_free>>;
using PolicyInfoPtr = std::unique_ptr<POLICYINFO, OsslDeleter<&POLICYINFO_free>>;
using PolicyQualInfoPtr = std::unique_ptr<POLICYQUALINFO, OsslDeleter<&POLICYQUALINFO_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, OsslDeleter<&AUTHORITY_KEYID_free>>;
using AuthorityInfoAccessPtr = std::unique_ptr<AUTHORITY_INFO_ACCESS, OsslDeleter<&AUTHORITY_INFO_ACCESS_free>>;
using AccessDescriptionPtr = std::unique_ptr<ACCESS_DESCRIPTION, OsslDeleter<&ACCESS_DESCRIPTION_free>>;
using DistPointPtr = std::unique_ptr<DIST_POINT, OsslDeleter<&DIST_POINT_free>>;
using CrlDistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, OsslDeleter<&CRL_DIST_POINTS_free>>;
using OtherNamePtr = std::unique_ptr<OTHERNAME, OsslDeleter<&OTHERNAME_free>>;
using EdiPartyNamePtr = std::unique_ptr<EDIPARTYNAME, OsslDeleter<&EDIPARTYNAME_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509)* s) {
                                       sk_X509_pop_free(s, X509_free);
                                     })>;
using X509ExtStackPtr =
    std::unique_ptr<STACK_OF(X509_EXTENSION), decltype([](STACK_OF(X509_EXTENSION)* s) {
                      sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
                    })>;
using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, OsslDeleter<&OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, OsslDeleter<&OCSP_RESPONSE_free>>;
using OcspBasicRespPtr = std::unique_ptr<OCSP_BASICRESP, OsslDeleter<&OCSP_BASICRESP_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, OsslDeleter<&OCSP_CERTID_free>>;

// Builds a Status with `code` whose message names `fn` and the drained OpenSSL error queue.
Status OsslError(const char* fn, ErrorCode code = ErrorCode::kInternal);

// Clears the thread's OpenSSL error queue (after an expected, handled failure).
void ClearOsslErrors();

}  // namespace openpca::ossl

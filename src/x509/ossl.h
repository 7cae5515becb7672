// The OpenSSL RAII aliases and OsslError() of ossl/ossl.h, under the names x509/ code (and code
// written against x509/) uses: openpca::x509::X509Ptr is openpca::ossl::X509Ptr.
#pragma once

#include "ossl/ossl.h"

namespace openpca::x509 {

using ossl::OsslDeleter;
using ossl::X509Ptr;
using ossl::X509ReqPtr;
using ossl::X509CrlPtr;
using ossl::X509NamePtr;
using ossl::X509ExtensionPtr;
using ossl::X509AlgorPtr;
using ossl::X509StorePtr;
using ossl::X509StoreCtxPtr;
using ossl::EvpPkeyPtr;
using ossl::EvpPkeyCtxPtr;
using ossl::EvpMdCtxPtr;
using ossl::EvpCipherCtxPtr;
using ossl::BioPtr;
using ossl::BignumPtr;
using ossl::Asn1IntegerPtr;
using ossl::Asn1TimePtr;
using ossl::Asn1ObjectPtr;
using ossl::Asn1OctetStringPtr;
using ossl::Asn1StringPtr;
using ossl::GeneralNamePtr;
using ossl::GeneralNamesPtr;
using ossl::BasicConstraintsPtr;
using ossl::ExtendedKeyUsagePtr;
using ossl::CertificatePoliciesPtr;
using ossl::PolicyInfoPtr;
using ossl::PolicyQualInfoPtr;
using ossl::AuthorityKeyIdPtr;
using ossl::AuthorityInfoAccessPtr;
using ossl::AccessDescriptionPtr;
using ossl::DistPointPtr;
using ossl::CrlDistPointsPtr;
using ossl::OtherNamePtr;
using ossl::EdiPartyNamePtr;
using ossl::X509StackPtr;
using ossl::X509ExtStackPtr;
using ossl::OcspRequestPtr;
using ossl::OcspResponsePtr;
using ossl::OcspBasicRespPtr;
using ossl::OcspCertIdPtr;
using ossl::ClearOsslErrors;
using ossl::OsslError;

}  // namespace openpca::x509

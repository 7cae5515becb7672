// Builders for the X.509 v3 extensions openpca puts into certificates and CSRs. Each returns an
// owned X509_EXTENSION with the criticality given. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "x509/name.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// Key usage bits in RFC 5280 order (bit 0 = digitalSignature).
enum KeyUsageBit : uint16_t {
  kDigitalSignature = 1 << 0,
  kNonRepudiation = 1 << 1,
  kKeyEncipherment = 1 << 2,
  kDataEncipherment = 1 << 3,
  kKeyAgreement = 1 << 4,
  kKeyCertSign = 1 << 5,
  kCrlSign = 1 << 6,
  kEncipherOnly = 1 << 7,
  kDecipherOnly = 1 << 8,
};

struct GeneralNameSpec {
  enum class Kind {
    kOtherName,
    kRfc822Name,
    kDnsName,
    kDirectoryName,
    kEdiPartyName,
    kUri,
    kIpAddress,
    kRegisteredId,
  };
  Kind kind = Kind::kDnsName;
  std::string value;                          // text value, OID for kRegisteredId
  std::string type_id;                        // kOtherName: OID
  std::vector<NameAttribute> directory_name;  // kDirectoryName
  std::string name_assigner;                  // kEdiPartyName (optional)
};

struct PolicySpec {
  std::string policy_oid;
  std::vector<std::string> cps_uris;
};

// Errors (all builders): kInvalidArgs for values that cannot be encoded (bad OID, bad IP text).
Result<X509ExtensionPtr> BasicConstraintsExt(bool ca, std::optional<int> path_len, bool critical);
Result<X509ExtensionPtr> KeyUsageExt(uint16_t bits, bool critical);
Result<X509ExtensionPtr> ExtendedKeyUsageExt(const std::vector<std::string>& oids, bool critical);
Result<X509ExtensionPtr> SubjectKeyIdentifierExt(std::span<const uint8_t> key_id);
Result<X509ExtensionPtr> AuthorityKeyIdentifierExt(std::span<const uint8_t> key_id);
Result<X509ExtensionPtr> SubjectAltNameExt(const std::vector<GeneralNameSpec>& names);
Result<X509ExtensionPtr> CertificatePoliciesExt(const std::vector<PolicySpec>& policies);
// CRL distribution point with one fullName URI.
Result<X509ExtensionPtr> CrlDistributionPointExt(const std::string& uri);
// Authority information access: OCSP and/or caIssuers URIs (either may be empty).
Result<X509ExtensionPtr> AuthorityInfoAccessExt(const std::string& ocsp_uri,
                                                const std::string& ca_issuers_uri);
// Subject information access: (access method OID, location) pairs.
Result<X509ExtensionPtr> SubjectInfoAccessExt(
    const std::vector<std::pair<std::string, GeneralNameSpec>>& descriptions);
// A raw extension: `value_der` is the DER of extnValue's content.
Result<X509ExtensionPtr> RawExtension(const std::string& oid, std::span<const uint8_t> value_der,
                                      bool critical);

// The dotted OID of an extension ("2.5.29.19").
std::string ExtensionOid(const X509_EXTENSION& ext);
// SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 method 1) of a DER SubjectPublicKeyInfo.
Result<Bytes> KeyIdentifierFromSpki(std::span<const uint8_t> spki_der);
// The same from an already parsed SubjectPublicKeyInfo, without decoding the key (fast path).
Result<Bytes> KeyIdentifierFromPubkey(const X509_PUBKEY& pubkey);

}  // namespace openpca::x509

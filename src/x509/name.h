// Distinguished names: building an X509_NAME from attribute lists in the order AWS emits them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::x509 {

struct NameAttribute {
  std::string oid;    // dotted OID, e.g. "2.5.4.3"
  std::string value;  // UTF-8
};

// Builds a name with one attribute per RDN, in the given order.
// Errors: kInvalidArgs for a bad OID or a value OpenSSL rejects (e.g. a non-printable Country).
Result<X509NamePtr> BuildName(const std::vector<NameAttribute>& attributes);

// RFC 2253-ish one-line form for messages and logs.
std::string NameToString(const X509_NAME& name);

}  // namespace openpca::x509

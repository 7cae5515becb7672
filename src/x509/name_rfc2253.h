// A distinguished name as an RFC 2253 string, the way AWS Private CA's audit reports print
// subjects (those of Java's X500Principal.getName(RFC2253)):
//   * RDNs most specific first (the reverse of their order in the DER), separated by ',';
//     the attributes of a multi-valued RDN joined by '+', in their DER order;
//   * only RFC 2253's keywords by name: CN, C, L, ST, O, OU, STREET, DC, UID; every other type as
//     its dotted OID, e.g. 2.5.4.5 (serialNumber) or 1.2.840.113549.1.9.1 (emailAddress);
//   * a value under a dotted OID, or of a type that is not a string (PrintableString,
//     TeletexString, IA5String, GeneralString, UTF8String, BMPString), as '#' followed by the
//     lower-case hex of its DER encoding (tag, length, contents);
//   * otherwise the value as UTF-8 with ',', '=', '+', '<', '>', '#', ';', '"' and '\' escaped by
//     a backslash, and leading and trailing spaces escaped too.
// OpenSSL's X509_NAME_print_ex(XN_FLAG_RFC2253) differs in the second point (it names every type
// it knows: "emailAddress=", "serialNumber=", "GN=" ...), hence this function.
// Pure; thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// Errors: kInternal when an attribute cannot be encoded (a name OpenSSL parsed always can).
Result<std::string> NameToRfc2253(const X509_NAME& name);

}  // namespace openpca::x509

#include "x509/name_rfc2253.h"

#include <array>
#include <memory>
#include <string_view>
#include <utility>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "common/bytes.h"

namespace openpca::x509 {
namespace {

// RFC 2253 section 2.3's keywords, by NID.
std::string_view KeywordOf(int nid) {
  static constexpr std::array<std::pair<int, std::string_view>, 9> kKeywords{{
      {NID_commonName, "CN"},
      {NID_countryName, "C"},
      {NID_localityName, "L"},
      {NID_stateOrProvinceName, "ST"},
      {NID_organizationName, "O"},
      {NID_organizationalUnitName, "OU"},
      {NID_streetAddress, "STREET"},
      {NID_domainComponent, "DC"},
      {NID_userId, "UID"},
  }};
  for (const auto& [id, keyword] : kKeywords) {
    if (id == nid) return keyword;
  }
  return {};
}

// Buffers OpenSSL allocates for the caller (ASN1_STRING_to_UTF8).
struct OsslBufferFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

bool IsStringType(int type) {
  switch (type) {
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_T61STRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_GENERALSTRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_BMPSTRING:
      return true;
    default:
      return false;
  }
}

Result<std::string> DottedOid(const ASN1_OBJECT& object) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), &object, /*no_name=*/1);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return OsslError("OBJ_obj2txt");
  return std::string(buf, static_cast<size_t>(n));
}

// '#' + hex of the value's DER (tag, length, contents).
Result<std::string> HexDer(const ASN1_STRING& value) {
  int len = i2d_ASN1_PRINTABLE(&value, nullptr);
  if (len <= 0) return OsslError("i2d_ASN1_PRINTABLE");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ASN1_PRINTABLE(&value, &p) != len) return OsslError("i2d_ASN1_PRINTABLE");
  return "#" + HexEncode(der);
}

// RFC 2253 section 2.4 escaping, with '=' and '#' escaped anywhere, as Java does.
std::string Escape(std::string_view utf8) {
  std::string escaped;
  escaped.reserve(utf8.size());
  for (char c : utf8) {
    if (std::string_view(",=+<>#;\"\\").find(c) != std::string_view::npos) escaped.push_back('\\');
    escaped.push_back(c);
  }
  // Leading and trailing blanks (space, CR) keep their meaning only when escaped.
  size_t lead = 0;
  while (lead < escaped.size() && (escaped[lead] == ' ' || escaped[lead] == '\r')) ++lead;
  size_t trail = escaped.size();
  while (trail > lead && (escaped[trail - 1] == ' ' || escaped[trail - 1] == '\r')) --trail;
  std::string out;
  out.reserve(escaped.size() + 4);
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (i < lead || i >= trail) out.push_back('\\');
    out.push_back(escaped[i]);
  }
  return out;
}

Result<std::string> Attribute(const X509_NAME_ENTRY& entry) {
  const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(&entry);
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(&entry);
  if (object == nullptr || value == nullptr) return InternalError("name attribute without value");
  std::string_view keyword = KeywordOf(OBJ_obj2nid(object));
  if (keyword.empty() || !IsStringType(ASN1_STRING_type(value))) {
    std::string type;
    if (keyword.empty()) {
      ASSIGN_OR_RETURN(type, DottedOid(*object));
    } else {
      type = std::string(keyword);
    }
    ASSIGN_OR_RETURN(std::string hex, HexDer(*value));
    return type + "=" + hex;
  }
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0) return OsslError("ASN1_STRING_to_UTF8");
  std::unique_ptr<unsigned char, OsslBufferFree> owned(utf8);
  return std::string(keyword) + "=" +
         Escape(std::string_view(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len)));
}

}  // namespace

Result<std::string> NameToRfc2253(const X509_NAME& name) {
  const int count = X509_NAME_entry_count(&name);
  std::string out;
  // From the last entry back to the first; entries of one RDN (same set number) are adjacent
  // and keep their DER order, joined by '+'.
  int i = count - 1;
  while (i >= 0) {
    const int set = X509_NAME_ENTRY_set(X509_NAME_get_entry(&name, i));
    int first = i;
    while (first > 0 && X509_NAME_ENTRY_set(X509_NAME_get_entry(&name, first - 1)) == set) --first;
    if (!out.empty()) out.push_back(',');
    for (int j = first; j <= i; ++j) {
      ASSIGN_OR_RETURN(std::string attribute, Attribute(*X509_NAME_get_entry(&name, j)));
      if (j > first) out.push_back('+');
      out += attribute;
    }
    i = first - 1;
  }
  return out;
}

}  // namespace openpca::x509

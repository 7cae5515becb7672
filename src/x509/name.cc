#include "x509/name.h"

namespace openpca::x509 {

Result<X509NamePtr> BuildName(const std::vector<NameAttribute>& attributes) {
  X509NamePtr name(X509_NAME_new());
  if (!name) return OsslError("X509_NAME_new");
  for (const auto& a : attributes) {
    Asn1ObjectPtr obj(OBJ_txt2obj(a.oid.c_str(), 1));
    if (!obj) {
      ClearOsslErrors();
      return Status(ErrorCode::kInvalidArgs, "invalid attribute object identifier " + a.oid);
    }
    // Country, serialNumber and dnQualifier are PrintableString by definition; OpenSSL picks
    // PrintableString for them and UTF8String for the rest (default string mask).
    if (X509_NAME_add_entry_by_OBJ(name.get(), obj.get(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(a.value.data()),
                                   static_cast<int>(a.value.size()), -1, 0) != 1) {
      ClearOsslErrors();
      return Status(ErrorCode::kInvalidArgs,
                    "subject attribute " + a.oid + " has a value that cannot be encoded");
    }
  }
  return name;
}

std::string NameToString(const X509_NAME& name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), &name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace openpca::x509

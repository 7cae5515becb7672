// NameToRfc2253 against AWS's audit report examples and Java's X500Principal RFC 2253 rules.
#include "x509/name_rfc2253.h"

#include <gtest/gtest.h>

#include <string>

#include <openssl/x509.h>

namespace openpca::x509 {
namespace {

// Appends one attribute; `same_rdn` puts it in the previous RDN (a multi-valued RDN).
void Add(X509_NAME* name, const char* type, const std::string& value, bool same_rdn = false,
         int string_type = MBSTRING_UTF8) {
  ASSERT_EQ(X509_NAME_add_entry_by_txt(name, type, string_type,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), -1, same_rdn ? -1 : 0),
            1)
      << type;
}

std::string Rfc2253(const X509_NAME& name) {
  Result<std::string> out = NameToRfc2253(name);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

// What OpenSSL's own RFC 2253 printer says, for comparison.
std::string OpenSslRfc2253(const X509_NAME& name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), &name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

TEST(NameToRfc2253Test, MostSpecificFirstWithRfc2253Keywords) {
  X509NamePtr name(X509_NAME_new());
  Add(name.get(), "C", "US");
  Add(name.get(), "ST", "Washington");
  Add(name.get(), "L", "Seattle");
  Add(name.get(), "O", "Example Company");
  Add(name.get(), "OU", "Sales");
  Add(name.get(), "CN", "www.example1.com");
  EXPECT_EQ(Rfc2253(*name), "CN=www.example1.com,OU=Sales,O=Example Company,L=Seattle,"
                            "ST=Washington,C=US");
}

// AWS's published JSON report shows emailAddress this way; OpenSSL's printer names it instead.
TEST(NameToRfc2253Test, TypesWithoutAnRfc2253KeywordAreOidAndHexDer) {
  X509NamePtr name(X509_NAME_new());
  Add(name.get(), "C", "US");
  Add(name.get(), "OU", "Sales");
  Add(name.get(), "emailAddress", "sales@example.com", false, MBSTRING_ASC);
  EXPECT_EQ(Rfc2253(*name),
            "1.2.840.113549.1.9.1=#161173616c6573406578616d706c652e636f6d,OU=Sales,C=US");
  EXPECT_EQ(OpenSslRfc2253(*name), "emailAddress=sales@example.com,OU=Sales,C=US");
}

TEST(NameToRfc2253Test, SerialNumberGivenNameAndAnUnknownOid) {
  X509NamePtr name(X509_NAME_new());
  Add(name.get(), "CN", "host");
  Add(name.get(), "serialNumber", "012345678901", false, MBSTRING_ASC);  // PrintableString
  Add(name.get(), "GN", "Ann");                                       // givenName, UTF8String
  Add(name.get(), "1.3.6.1.4.1.99999.7", "x");                        // unknown to OpenSSL
  EXPECT_EQ(Rfc2253(*name),
            "1.3.6.1.4.1.99999.7=#0c0178,2.5.4.42=#0c03416e6e,"
            "2.5.4.5=#130c303132333435363738393031,CN=host");
}

TEST(NameToRfc2253Test, MultiValuedRdnJoinedByPlusInDerOrder) {
  X509NamePtr name(X509_NAME_new());
  Add(name.get(), "C", "US");
  Add(name.get(), "OU", "Sales");
  Add(name.get(), "CN", "Ann", /*same_rdn=*/true);
  Add(name.get(), "UID", "ann1");
  ASSERT_EQ(X509_NAME_entry_count(name.get()), 4);
  EXPECT_EQ(Rfc2253(*name), "UID=ann1,OU=Sales+CN=Ann,C=US");
}

TEST(NameToRfc2253Test, SpecialCharactersAreEscaped) {
  X509NamePtr name(X509_NAME_new());
  Add(name.get(), "O", "Example, Inc. <a+b=c;#1> \"q\" \\");
  Add(name.get(), "CN", " padded ");
  Add(name.get(), "OU", "#first");
  EXPECT_EQ(Rfc2253(*name),
            "OU=\\#first,CN=\\ padded\\ ,"
            "O=Example\\, Inc. \\<a\\+b\\=c\\;\\#1\\> \\\"q\\\" \\\\");
}

TEST(NameToRfc2253Test, NonAsciiValuesAreUtf8WhateverTheirStringType) {
  X509NamePtr name(X509_NAME_new());
  Add(name.get(), "O", "Zoë", false, MBSTRING_UTF8);
  const std::string bmp("\x00Z\x00o\x00\xeb", 6);  // "Zoë" as a BMPString
  ASSERT_EQ(X509_NAME_add_entry_by_txt(name.get(), "CN", V_ASN1_BMPSTRING,
                                       reinterpret_cast<const unsigned char*>(bmp.data()), 6, -1,
                                       0),
            1);
  EXPECT_EQ(Rfc2253(*name), "CN=Zoë,O=Zoë");
}

TEST(NameToRfc2253Test, EmptyName) {
  X509NamePtr name(X509_NAME_new());
  EXPECT_EQ(Rfc2253(*name), "");
}

}  // namespace
}  // namespace openpca::x509

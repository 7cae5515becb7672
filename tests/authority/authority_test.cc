#include <gtest/gtest.h>

#include <thread>
#include <vector>
#include <openssl/sha.h>

#include "authority/templates.h"
#include "test_authority.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/pem.h"

namespace openpca::authority::testing {
namespace {

using json = nlohmann::json;

struct ExtFacts {
  bool present = false;
  bool critical = false;
};

ExtFacts Ext(const X509& cert, int nid) {
  int idx = X509_get_ext_by_NID(&cert, nid, -1);
  if (idx < 0) return {};
  return {true, X509_EXTENSION_get_critical(X509_get_ext(&cert, idx)) == 1};
}

uint32_t KeyUsage(const X509& cert) { return X509_get_key_usage(const_cast<X509*>(&cert)); }

std::vector<int> EkuNids(const X509& cert) {
  std::vector<int> out;
  x509::ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(&cert, NID_ext_key_usage, nullptr, nullptr)));
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
    out.push_back(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i)));
  return out;
}

Bytes Aki(const X509& cert) {
  const ASN1_OCTET_STRING* id = X509_get0_authority_key_id(const_cast<X509*>(&cert));
  if (id == nullptr) return {};
  return Bytes(ASN1_STRING_get0_data(id), ASN1_STRING_get0_data(id) + ASN1_STRING_length(id));
}

x509::X509Ptr CaCert(TestAuthority& t, const std::string& arn) {
  auto c = t.authority().GetCertificateAuthorityCertificate(t.caller(), arn);
  EXPECT_TRUE(c.ok());
  return std::move(x509::ParseCertificateDer(*x509::CertificatePemToDer(c->certificate_pem)))
      .value();
}

TEST(TemplateCatalogTest, HasAllSixtyOneTemplates) {
  EXPECT_EQ(AllTemplates().size(), 61u);
  EXPECT_NE(FindTemplate("EndEntityCertificate/V1"), nullptr);
  EXPECT_NE(FindTemplate("BlankRootCACertificate_PathLen3_APIPassthrough/V1"), nullptr);
  EXPECT_NE(FindTemplate("SubordinateCACertificate_PathLen2_APICSRPassthrough/V1"), nullptr);
  EXPECT_EQ(FindTemplate("BlankRootCACertificate_CSRPassthrough/V1"), nullptr);
  EXPECT_EQ(FindTemplate("RootCACertificate_CSRPassthrough/V1"), nullptr);
}

TEST(AuthorityTest, RootFlowActivatesCaWithSelfSignedCaCertificate) {
  TestAuthority t;
  std::string arn = t.MakeActiveRoot();
  auto ca = t.authority().DescribeCertificateAuthority(t.caller(), arn);
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(ca->status, "ACTIVE");
  EXPECT_FALSE(ca->serial_hex.empty());
  x509::X509Ptr cert = CaCert(t, arn);
  EXPECT_TRUE(x509::IsSelfSigned(*cert));
  auto bc = x509::GetBasicConstraints(*cert);
  EXPECT_TRUE(bc.present && bc.critical && bc.ca);
  EXPECT_FALSE(bc.path_len.has_value());
  EXPECT_TRUE(Ext(*cert, NID_key_usage).critical);
  EXPECT_EQ(KeyUsage(*cert), uint32_t(KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_FALSE(Ext(*cert, NID_authority_key_identifier).present);
  EXPECT_TRUE(Ext(*cert, NID_subject_key_identifier).present);
  auto root_only = t.authority().GetCertificateAuthorityCertificate(t.caller(), arn);
  EXPECT_TRUE(root_only->chain_pem.empty());
}

TEST(AuthorityTest, EndEntityCertificateHasExactlyTheTemplateExtensions) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  TestCsr csr = MakeCsr("leaf.example", 0, "leaf.example", /*extra_extension=*/true);
  auto leaf = t.Issue(root, csr.pem);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  x509::X509Ptr ca = CaCert(t, root);

  EXPECT_EQ(X509_verify(leaf->get(), X509_get0_pubkey(ca.get())), 1);
  auto bc = x509::GetBasicConstraints(**leaf);
  EXPECT_TRUE(bc.present);
  EXPECT_FALSE(bc.critical);
  EXPECT_FALSE(bc.ca);
  EXPECT_TRUE(Ext(**leaf, NID_key_usage).critical);
  EXPECT_EQ(KeyUsage(**leaf), uint32_t(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_FALSE(Ext(**leaf, NID_ext_key_usage).critical);
  EXPECT_EQ(EkuNids(**leaf), (std::vector<int>{NID_server_auth, NID_client_auth}));
  EXPECT_TRUE(Ext(**leaf, NID_subject_alt_name).present);
  EXPECT_FALSE(Ext(**leaf, NID_netscape_comment).present) << "base templates drop CSR extensions";
  EXPECT_EQ(Aki(**leaf), *x509::SubjectKeyId(*ca));
  Bytes spki = *x509::PublicKeyDer(**leaf);
  EXPECT_EQ(*x509::SubjectKeyId(**leaf), *x509::KeyIdentifierFromSpki(spki));
  // Default NotBefore is issuance time minus 60 minutes; NotAfter 30 days after issuance.
  EXPECT_EQ(ToUnixSeconds(x509::NotBefore(**leaf)), ToUnixSeconds(t.clock().Now()) - 3600);
  EXPECT_EQ(ToUnixSeconds(x509::NotAfter(**leaf)), ToUnixSeconds(t.clock().Now()) + 30 * 86400);
  // Serial: positive, 16 bytes.
  EXPECT_EQ(x509::SerialHex(**leaf).size(), 32u);
}

TEST(AuthorityTest, CsrPassthroughCopiesOtherCsrExtensions) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  TestCsr csr = MakeCsr("leaf.example", 0, "", true);
  auto leaf = t.Issue(root, csr.pem, "EndEntityCertificate_CSRPassthrough/V1");
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_TRUE(Ext(**leaf, NID_netscape_comment).present);
}

TEST(AuthorityTest, ApiPassthroughIsUsedOnlyByApiVarieties) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  TestCsr csr = MakeCsr("leaf.example", 0, "csr.example");
  json api = {{"Subject", {{"CommonName", "api.example"}, {"Country", "DE"}}},
              {"Extensions",
               {{"KeyUsage", {{"DigitalSignature", true}, {"NonRepudiation", true}}},
                {"ExtendedKeyUsage", json::array({{{"ExtendedKeyUsageType", "SMART_CARD_LOGIN"}}})},
                {"SubjectAlternativeNames", json::array({{{"DnsName", "api.example"}}})}}}};
  auto blank = t.Issue(root, csr.pem, "BlankEndEntityCertificate_APIPassthrough/V1",
                       "SHA256WITHECDSA", {"DAYS", 10}, api);
  ASSERT_TRUE(blank.ok()) << blank.status().ToString();
  EXPECT_EQ(KeyUsage(**blank), uint32_t(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  EXPECT_EQ(EkuNids(**blank), (std::vector<int>{NID_ms_smartcard_login}));
  EXPECT_EQ(x509::NameToString(*X509_get_subject_name(blank->get())), "CN=api.example,C=DE");
  x509::GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(blank->get(), NID_subject_alt_name, nullptr, nullptr)));
  ASSERT_EQ(sk_GENERAL_NAME_num(sans.get()), 1);
  const ASN1_STRING* dns = sk_GENERAL_NAME_value(sans.get(), 0)->d.dNSName;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns))), "api.example");

  // The template's fixed EKU wins over the API's.
  auto client = t.Issue(root, csr.pem, "EndEntityClientAuthCertificate_APIPassthrough/V1",
                        "SHA256WITHECDSA", {"DAYS", 10}, api);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(EkuNids(**client), (std::vector<int>{NID_client_auth}));

  // A base template ignores ApiPassthrough entirely.
  auto base = t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA", {"DAYS", 10},
                      api);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(x509::NameToString(*X509_get_subject_name(base->get())), "CN=leaf.example");
}

TEST(AuthorityTest, PathLengthAndDepthAreEnforced) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  std::string sub1 = t.MakeActiveSubordinate(root, "SubordinateCACertificate_PathLen1/V1");
  std::string sub0 = t.MakeActiveSubordinate(sub1, "SubordinateCACertificate_PathLen0/V1",
                                         "EC_prime256v1", 3);
  x509::X509Ptr sub0_cert = CaCert(t, sub0);
  EXPECT_EQ(x509::GetBasicConstraints(*sub0_cert).path_len, 0);
  auto chain = t.authority().GetCertificateAuthorityCertificate(t.caller(), sub0);
  EXPECT_EQ(x509::CertificateBundlePemToDer(chain->chain_pem)->size(), 2u);

  // AWS answers a path-length violation with ValidationException (user guide, RFC compliance);
  // nothing is stored.
  TestCsr csr = MakeCsr("another ca");
  const auto commits_before = t.store().commit_count();
  auto denied = t.Issue(sub0, csr.pem, "SubordinateCACertificate_PathLen0/V1");
  EXPECT_EQ(denied.status().code(), ErrorCode::kValidation);
  for (const char* tmpl : {"SubordinateCACertificate_PathLen1/V1",
                           "BlankSubordinateCACertificate_PathLen0_APIPassthrough/V1",
                           "SubordinateCACertificate_PathLen0_CSRPassthrough/V1"}) {
    EXPECT_EQ(t.Issue(sub0, csr.pem, tmpl).status().code(), ErrorCode::kValidation) << tmpl;
  }
  auto denied_same = t.Issue(sub1, csr.pem, "SubordinateCACertificate_PathLen1/V1");
  EXPECT_EQ(denied_same.status().code(), ErrorCode::kValidation);
  EXPECT_EQ(t.store().commit_count(), commits_before);
  auto leaf = t.Issue(sub0, csr.pem);
  EXPECT_TRUE(leaf.ok()) << leaf.status().ToString();
}

TEST(AuthorityTest, ValidityIsCappedByTheIssuingCa) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();  // 10 years
  TestCsr csr = MakeCsr("leaf.example");
  EXPECT_EQ(t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA", {"YEARS", 11})
                .status()
                .code(),
            ErrorCode::kValidation);
  // A CA certificate must end strictly before its issuer.
  EXPECT_EQ(t.Issue(root, csr.pem, "SubordinateCACertificate_PathLen0/V1", "SHA256WITHECDSA",
                    {"YEARS", 10})
                .status()
                .code(),
            ErrorCode::kValidation);
  auto end_date = t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA",
                          {"END_DATE", 301231235959});
  ASSERT_TRUE(end_date.ok()) << end_date.status().ToString();
  EXPECT_EQ(ToUnixSeconds(x509::NotAfter(**end_date)), 1924991999);  // 2030-12-31T23:59:59Z
}

TEST(AuthorityTest, ShortLivedCaIssuesUpToSevenDays) {
  TestAuthority t;
  // The root's own 10-year certificate is not subject to the 7-day limit.
  std::string root = t.MakeActiveRoot("EC_prime256v1", "SHA256WITHECDSA",
                                      "SHORT_LIVED_CERTIFICATE");
  x509::X509Ptr root_cert = CaCert(t, root);
  EXPECT_GT(ToUnixSeconds(x509::NotAfter(*root_cert)) - ToUnixSeconds(t.clock().Now()),
            int64_t{9} * 365 * 86400);
  TestCsr csr = MakeCsr("short.example");
  const int64_t now_s = ToUnixSeconds(t.clock().Now());
  auto seven = t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA", {"DAYS", 7});
  ASSERT_TRUE(seven.ok()) << seven.status().ToString();
  EXPECT_EQ(ToUnixSeconds(x509::NotAfter(**seven)), now_s + 7 * 86400);
  EXPECT_EQ(ToUnixSeconds(x509::NotBefore(**seven)), now_s - 3600);  // backdating is allowed
  auto exact = t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA",
                       {"ABSOLUTE", now_s + 7 * 86400});
  EXPECT_TRUE(exact.ok()) << exact.status().ToString();

  const auto commits_before = t.store().commit_count();
  EXPECT_EQ(t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA", {"DAYS", 8})
                .status()
                .code(),
            ErrorCode::kValidation);
  EXPECT_EQ(t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHECDSA",
                    {"ABSOLUTE", now_s + 7 * 86400 + 1})
                .status()
                .code(),
            ErrorCode::kValidation);
  EXPECT_EQ(t.store().commit_count(), commits_before);
}

TEST(AuthorityTest, RejectedIssuanceStoresNothing) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  auto before = t.store().commit_count();
  TestCsr csr = MakeCsr("leaf.example");
  EXPECT_EQ(t.Issue(root, csr.pem, "EndEntityCertificate/V1", "SHA256WITHRSA").status().code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(t.Issue(root, "not a csr").status().code(), ErrorCode::kMalformedCsr);
  TestCsr weak = MakeCsr("weak.example", 1024);
  EXPECT_EQ(t.Issue(root, weak.pem).status().code(), ErrorCode::kMalformedCsr);
  EXPECT_EQ(t.Issue(root, csr.pem, "NoSuchTemplate/V1").status().code(), ErrorCode::kInvalidArgs);
  TestCsr empty = MakeCsr("");
  EXPECT_EQ(t.Issue(root, empty.pem).status().code(), ErrorCode::kMalformedCsr);
  EXPECT_EQ(t.store().commit_count(), before);
}

TEST(AuthorityTest, PendingOrDisabledCaCannotIssue) {
  TestAuthority t;
  CreateCaRequest req;
  req.type = "SUBORDINATE";
  req.configuration = {{"KeyAlgorithm", "EC_prime256v1"},
                       {"SigningAlgorithm", "SHA256WITHECDSA"},
                       {"Subject", {{"CommonName", "pending"}}}};
  auto pending = t.authority().CreateCertificateAuthority(t.caller(), req);
  ASSERT_TRUE(pending.ok());
  TestCsr csr = MakeCsr("leaf.example");
  EXPECT_EQ(t.Issue(*pending, csr.pem).status().code(), ErrorCode::kInvalidState);

  std::string root = t.MakeActiveRoot();
  ASSERT_TRUE(t.authority().UpdateCertificateAuthority(t.caller(), {root, "DISABLED", {}}).ok());
  EXPECT_EQ(t.Issue(root, csr.pem).status().code(), ErrorCode::kInvalidState);
  ASSERT_TRUE(t.authority().UpdateCertificateAuthority(t.caller(), {root, "ACTIVE", {}}).ok());
  EXPECT_TRUE(t.Issue(root, csr.pem).ok());
}

TEST(AuthorityTest, IdempotencyTokenReturnsTheSameCertificateWithinFiveMinutes) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  TestCsr csr = MakeCsr("leaf.example");
  IssueRequest req;
  req.ca_arn = root;
  req.csr = ToBytes(csr.pem);
  req.signing_algorithm = "SHA256WITHECDSA";
  req.validity = {"DAYS", 1};
  req.idempotency_token = "token-1";
  auto a = t.authority().IssueCertificate(t.caller(), req);
  auto b = t.authority().IssueCertificate(t.caller(), req);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  t.clock().Advance(std::chrono::minutes(6));
  auto c = t.authority().IssueCertificate(t.caller(), req);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
}

TEST(AuthorityTest, ConcurrentRequestsWithOneTokenGetOneCertificate) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  TestCsr csr = MakeCsr("leaf.example");
  IssueRequest req;
  req.ca_arn = root;
  req.csr = ToBytes(csr.pem);
  req.signing_algorithm = "SHA256WITHECDSA";
  req.validity = {"DAYS", 1};
  req.idempotency_token = "racing";
  constexpr int kRequests = 8;
  std::vector<Result<std::string>> answers(kRequests, InternalError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] { answers[i] = t.authority().IssueCertificate(t.caller(), req); });
  }
  for (std::thread& th : threads) th.join();
  for (const auto& a : answers) {
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(*a, *answers[0]);  // every caller is told of the same certificate...
  }
  auto got = t.authority().GetCertificate(t.caller(), root, *answers[0]);
  EXPECT_TRUE(got.ok()) << got.status().ToString();  // ...which is stored
}

TEST(AuthorityTest, ImportRejectsAForeignKeyAndLeavesTheCaPending) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  CreateCaRequest req;
  req.type = "ROOT";
  req.configuration = {{"KeyAlgorithm", "EC_prime256v1"},
                       {"SigningAlgorithm", "SHA256WITHECDSA"},
                       {"Subject", {{"CommonName", "second"}}}};
  auto second = t.authority().CreateCertificateAuthority(t.caller(), req);
  ASSERT_TRUE(second.ok());
  auto first_cert = t.authority().GetCertificateAuthorityCertificate(t.caller(), root);
  Status st = t.authority().ImportCertificateAuthorityCertificate(
      t.caller(), {*second, ToBytes(first_cert->certificate_pem), std::nullopt});
  EXPECT_EQ(st.code(), ErrorCode::kCertificateMismatch);
  EXPECT_EQ(t.authority().DescribeCertificateAuthority(t.caller(), *second)->status,
            "PENDING_CERTIFICATE");
  EXPECT_EQ(t.authority()
                .ImportCertificateAuthorityCertificate(t.caller(),
                                                       {*second, ToBytes("garbage"), std::nullopt})
                .code(),
            ErrorCode::kMalformedCertificate);
}

TEST(AuthorityTest, DeleteAndRestoreFollowTheStateRules) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  EXPECT_EQ(t.authority().DeleteCertificateAuthority(t.caller(), root, 7).code(),
            ErrorCode::kInvalidState);
  ASSERT_TRUE(t.authority().UpdateCertificateAuthority(t.caller(), {root, "DISABLED", {}}).ok());
  ASSERT_TRUE(t.authority().DeleteCertificateAuthority(t.caller(), root, 7).ok());
  auto deleted = t.authority().DescribeCertificateAuthority(t.caller(), root);
  EXPECT_EQ(deleted->status, "DELETED");
  EXPECT_EQ(*deleted->restorable_until_ms, ToUnixMillis(t.clock().Now()) + 7LL * 86400 * 1000);
  ASSERT_TRUE(t.authority().RestoreCertificateAuthority(t.caller(), root).ok());
  EXPECT_EQ(t.authority().DescribeCertificateAuthority(t.caller(), root)->status, "DISABLED");
  ASSERT_TRUE(t.authority().DeleteCertificateAuthority(t.caller(), root, 7).ok());
  t.clock().Advance(std::chrono::hours(24 * 8));
  EXPECT_EQ(t.authority().RestoreCertificateAuthority(t.caller(), root).code(),
            ErrorCode::kResourceNotFound);
}

TEST(AuthorityTest, MalformedArnsAndOtherAccountsAreDistinguished) {
  TestAuthority t;
  EXPECT_EQ(t.authority().DescribeCertificateAuthority(t.caller(), "arn:aws:acm:us-east-1:1:x")
                .status()
                .code(),
            ErrorCode::kInvalidArn);
  EXPECT_EQ(t.authority()
                .DescribeCertificateAuthority(
                    t.caller(),
                    "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/"
                    "11111111-2222-4333-8444-555555555555")
                .status()
                .code(),
            ErrorCode::kResourceNotFound);
}

TEST(AuthorityTest, ArnsUseTheRegionsPartition) {
  AuthorityOptions options;
  options.region = "us-gov-west-1";
  TestAuthority t(options);
  std::string root = t.MakeActiveRoot();
  EXPECT_EQ(root.rfind("arn:aws-us-gov:acm-pca:us-gov-west-1:123456789012:certificate-authority/",
                       0),
            0u)
      << root;
  TestCsr csr = MakeCsr("gov.example");
  IssueRequest req;
  req.ca_arn = root;
  req.csr = ToBytes(csr.pem);
  req.signing_algorithm = "SHA256WITHECDSA";
  req.template_arn = "arn:aws-us-gov:acm-pca:::template/EndEntityCertificate/V1";
  req.validity = {"DAYS", 10};
  auto cert_arn = t.authority().IssueCertificate(t.caller(), req);
  ASSERT_TRUE(cert_arn.ok()) << cert_arn.status().ToString();
  EXPECT_EQ(cert_arn->rfind(root + "/certificate/", 0), 0u);
  // The same id under another partition names no CA here.
  std::string other = "arn:aws" + root.substr(std::string("arn:aws-us-gov").size());
  EXPECT_EQ(t.authority().DescribeCertificateAuthority(t.caller(), other).status().code(),
            ErrorCode::kResourceNotFound);
}

TEST(AuthorityTest, TagsMergeUntagAndPaginate) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  ASSERT_TRUE(t.authority()
                  .TagCertificateAuthority(t.caller(), root,
                                           {{"a", "1"}, {"b", "2"}, {"c", std::nullopt}})
                  .ok());
  ASSERT_TRUE(t.authority().TagCertificateAuthority(t.caller(), root, {{"a", "9"}}).ok());
  ASSERT_TRUE(t.authority().UntagCertificateAuthority(t.caller(), root, {{"b", "nope"}}).ok());
  ASSERT_TRUE(t.authority().UntagCertificateAuthority(t.caller(), root, {{"c", std::nullopt}}).ok());
  auto page = t.authority().ListTags(t.caller(), root, 1, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->tags.size(), 1u);
  EXPECT_EQ(page->tags[0].key, "a");
  EXPECT_EQ(*page->tags[0].value, "9");
  auto next = t.authority().ListTags(t.caller(), root, 1, page->next_token);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->tags[0].key, "b");
  EXPECT_TRUE(next->next_token.empty());
  std::vector<store::Tag> many;
  for (int i = 0; i < 49; ++i) many.push_back({"k" + std::to_string(i), "v"});
  EXPECT_EQ(t.authority().TagCertificateAuthority(t.caller(), root, many).code(),
            ErrorCode::kTooManyTags);
  EXPECT_EQ(t.authority().TagCertificateAuthority(t.caller(), root, {{"aws:x", "v"}}).code(),
            ErrorCode::kInvalidTag);
  EXPECT_EQ(t.authority().TagCertificateAuthority(t.caller(), root, {{"AWS:x", "v"}}).code(),
            ErrorCode::kInvalidTag);
}

TEST(AuthorityTest, UntagRefusesReservedKeysAndChangesNothing) {
  TestAuthority t;
  std::string root = t.MakeActiveRoot();
  ASSERT_TRUE(t.authority().TagCertificateAuthority(t.caller(), root, {{"keep", "1"}}).ok());
  const auto commits_before = t.store().commit_count();
  for (const char* key : {"aws:x", "AWS:x", "aWs:"}) {
    EXPECT_EQ(t.authority()
                  .UntagCertificateAuthority(t.caller(), root, {{"keep", std::nullopt},
                                                                {key, std::nullopt}})
                  .code(),
              ErrorCode::kInvalidTag)
        << key;
  }
  EXPECT_EQ(t.store().commit_count(), commits_before);
  auto page = t.authority().ListTags(t.caller(), root, 10, "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->tags.size(), 1u);
  EXPECT_EQ(page->tags[0].key, "keep");
  // "aws" without the colon is an ordinary key.
  EXPECT_TRUE(t.authority().UntagCertificateAuthority(t.caller(), root, {{"awsx", std::nullopt}})
                  .ok());
}

}  // namespace
}  // namespace openpca::authority::testing

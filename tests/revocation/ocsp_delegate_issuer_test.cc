// Delegated OCSP signing certificates that openpca issues to itself: the certificate's content
// (extensions, issuer, names, key, validity), checked with OpenSSL's parsers and X509_verify; its
// record in the store; rotation under a FakeClock (half-life, remaining lifetime, CA certificate
// and key changes, revocation, the CA's notAfter); responses signed by the delegate, verified with
// OCSP_basic_verify and only the CA as trust anchor.
#include "revocation/ocsp/ocsp_delegate_issuer.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <string>
#include <tuple>

#include "ocsp_test_util.h"
#include "x509/extensions.h"
#include "x509/inspect.h"
#include "x509/name.h"
#include "x509/signing.h"

namespace openpca::revocation {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FindStatus;
using testing::MakeRequest;
using testing::OcspWorld;

constexpr char kLeafSerial[] = "4a1b2c3d4e5f60718293a4b5c6d7e8f9";

std::string CommonName(const X509_NAME& name) {
  int i = X509_NAME_get_index_by_NID(&name, NID_commonName, -1);
  if (i < 0) return "";
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(&name, i)));
  OPENPCA_CHECK(len >= 0);
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

// "C=US,O=Example,CN=..." in encoding order.
std::string TextOf(const X509_NAME& name) {
  std::string out;
  for (int i = 0; i < X509_NAME_entry_count(&name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(&name, i);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    OPENPCA_CHECK(len >= 0);
    if (!out.empty()) out += ",";
    out += OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)));
    out += "=" + std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

Bytes KeyIdOf(const Bytes& spki) {
  Result<Bytes> id = x509::KeyIdentifierFromSpki(spki);
  OPENPCA_CHECK(id.ok());
  return *id;
}

// A delegate issuer over the world's store and clock.
struct DelegateWorld {
  explicit DelegateWorld(KeyAlgorithm key = KeyAlgorithm::kEcP256,
                         SigningAlgorithm alg = SigningAlgorithm::kSha256WithEcdsa,
                         OcspDelegateOptions options = {})
      : w(key, alg), issuer(w.db(), w.clock, random, options) {}

  Result<OcspDelegate> Current() {
    return issuer.Current(w.ca_record, w.ca.shared_signer(), w.ca.alg());
  }
  OcspDelegate MustCurrent() {
    Result<OcspDelegate> d = Current();
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    OPENPCA_CHECK(d.ok());
    return std::move(d).value();
  }
  std::string SerialOfCurrent() {
    std::optional<IssuedOcspDelegate> d = issuer.Get(OcspWorld::kCaId);
    return d.has_value() ? d->serial_hex : "";
  }

  OcspWorld w;
  OpenSslRandom random;
  OcspDelegateIssuer issuer;
};

TEST(OcspDelegateIssuerTest, CertificateIsAnOcspSigningCertificateOfTheCa) {
  DelegateWorld d;
  OcspDelegate delegate = d.MustCurrent();
  x509::X509Ptr cert = testing::ParseCert(delegate.certificate_der);
  ASSERT_NE(cert, nullptr);
  const X509& ca = d.w.ca.cert();

  // Issued and signed by the CA key, with the CA's signing algorithm.
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(&ca)), 0);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(&ca)), 1);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(delegate.signing_algorithm, SigningAlgorithm::kSha256WithEcdsa);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);

  // The key is the delegate Signer's, of the CA key's algorithm, and not the CA's.
  Result<Bytes> key = x509::PublicKeyDer(*cert);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, delegate.signer->public_key_der());
  EXPECT_NE(*key, d.w.ca.signer().public_key_der());
  EXPECT_EQ(delegate.signer->algorithm(), KeyAlgorithm::kEcP256);

  // Subject: the CA's, with " OCSP Responder" after its common name.
  EXPECT_EQ(CommonName(*X509_get_subject_name(cert.get())), "OCSP Test Root OCSP Responder");
  EXPECT_EQ(TextOf(*X509_get_subject_name(cert.get())),
            "O=openpca tests,CN=OCSP Test Root OCSP Responder");

  // Extensions.
  X509_check_purpose(cert.get(), -1, 0);
  uint32_t flags = X509_get_extension_flags(cert.get());
  EXPECT_TRUE(flags & EXFLAG_BCONS);
  EXPECT_FALSE(flags & EXFLAG_CA);
  EXPECT_TRUE(flags & EXFLAG_XKUSAGE);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_OCSP_SIGN));
  EXPECT_TRUE(flags & EXFLAG_KUSAGE);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  int ku = X509_get_ext_by_NID(cert.get(), NID_key_usage, -1);
  ASSERT_GE(ku, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(cert.get(), ku)), 1);
  int bc = X509_get_ext_by_NID(cert.get(), NID_basic_constraints, -1);
  ASSERT_GE(bc, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(cert.get(), bc)), 1);
  int nocheck = X509_get_ext_by_NID(cert.get(), NID_id_pkix_OCSP_noCheck, -1);
  ASSERT_GE(nocheck, 0);
  const ASN1_OCTET_STRING* nocheck_value =
      X509_EXTENSION_get_data(X509_get_ext(cert.get(), nocheck));
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(nocheck_value),
                  ASN1_STRING_get0_data(nocheck_value) + ASN1_STRING_length(nocheck_value)),
            (Bytes{0x05, 0x00}));  // NULL
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
  ASSERT_NE(ski, nullptr);
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski)),
            KeyIdOf(delegate.signer->public_key_der()));
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert.get());
  ASSERT_NE(aki, nullptr);
  Result<Bytes> ca_key_id = x509::SubjectKeyId(ca);
  ASSERT_TRUE(ca_key_id.ok());
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(aki), ASN1_STRING_get0_data(aki) + ASN1_STRING_length(aki)),
            *ca_key_id);
  EXPECT_EQ(X509_get_ext_count(cert.get()), 6);

  // Serial: 16 octets, positive.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);
  EXPECT_EQ(ASN1_STRING_length(serial), 16);

  // Validity: an hour back, seven days ahead.
  int64_t now = ToUnixSeconds(d.w.clock.Now());
  EXPECT_EQ(ToUnixSeconds(x509::NotBefore(*cert)), now - 3600);
  EXPECT_EQ(ToUnixSeconds(x509::NotAfter(*cert)), now + 7 * 86400);

  // Recorded in the store as a certificate of the CA.
  std::string serial_hex = x509::SerialHex(*cert);
  EXPECT_EQ(d.SerialOfCurrent(), serial_hex);
  Result<store::CertificateRecord> record = d.w.db().GetCertificate(OcspWorld::kCaId, serial_hex);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->der, delegate.certificate_der);
  EXPECT_EQ(record->template_arn, kOcspDelegateTemplateArn);
  EXPECT_EQ(record->not_before_s, now - 3600);
  EXPECT_EQ(record->not_after_s, now + 7 * 86400);
  EXPECT_FALSE(record->revoked_at_ms.has_value());

  // OcspIssuer accepts it as a delegate (issued by the CA, id-kp-OCSPSigning, key fits).
  OcspIssuerConfig config = d.w.Config();
  config.delegate = delegate;
  EXPECT_TRUE(OcspIssuer::Create(config).ok());
}

class OcspDelegateAlgorithmTest
    : public ::testing::TestWithParam<std::tuple<KeyAlgorithm, SigningAlgorithm>> {};

TEST_P(OcspDelegateAlgorithmTest, KeyOfTheCaAlgorithmSignedWithTheCaSigningAlgorithm) {
  auto [key_alg, alg] = GetParam();
  DelegateWorld d(key_alg, alg);
  OcspDelegate delegate = d.MustCurrent();
  EXPECT_EQ(delegate.signer->algorithm(), key_alg);
  EXPECT_EQ(delegate.signing_algorithm, alg);
  Result<x509::X509Ptr> cert = x509::ParseCertificateDer(delegate.certificate_der);
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(x509::UseSm2DefaultIdForVerification(**cert).ok());
  EXPECT_EQ(X509_verify(cert->get(), X509_get0_pubkey(&d.w.ca.cert())), 1);
  // The certificate's signature algorithm is exactly the CA's configured one.
  x509::EvpPkeyPtr ca_key(X509_get_pubkey(const_cast<X509*>(&d.w.ca.cert())));
  Result<bool> verified = x509::VerifySignedDer(delegate.certificate_der, *ca_key, alg);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(*verified);

  OcspIssuerConfig config = d.w.Config();
  config.delegate = delegate;
  ASSERT_TRUE(d.w.SetIssuer(config).ok());
  x509::X509Ptr leaf = d.w.Issue(kLeafSerial);
  Result<OcspHttpResult> r = d.w.responder->Respond(MakeRequest({leaf.get()}, d.w.ca.cert()));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status(), OcspResponseStatus::kSuccessful);
  if (FamilyOf(alg) != KeyFamily::kSm2) {  // OCSP_basic_verify cannot apply the SM2 ID
    x509::OcspBasicRespPtr basic = testing::VerifiedBasic(r->der(), d.w.ca.cert());
    ASSERT_NE(basic, nullptr);
    EXPECT_EQ(FindStatus(basic.get(), *leaf, d.w.ca.cert())->status, V_OCSP_CERTSTATUS_GOOD);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, OcspDelegateAlgorithmTest,
    ::testing::Values(std::make_tuple(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha256WithRsa),
                      std::make_tuple(KeyAlgorithm::kRsa2048, SigningAlgorithm::kSha512WithRsa),
                      std::make_tuple(KeyAlgorithm::kEcP384, SigningAlgorithm::kSha384WithEcdsa),
                      std::make_tuple(KeyAlgorithm::kEcP521, SigningAlgorithm::kSha512WithEcdsa),
                      std::make_tuple(KeyAlgorithm::kSm2, SigningAlgorithm::kSm3WithSm2)));

TEST(OcspDelegateIssuerTest, ResponsesSignedByTheDelegateVerifyWithOnlyTheCaTrusted) {
  DelegateWorld d;
  OcspDelegate delegate = d.MustCurrent();
  OcspIssuerConfig config = d.w.Config();
  config.delegate = delegate;
  ASSERT_TRUE(d.w.SetIssuer(config).ok());
  x509::X509Ptr leaf = d.w.Issue(kLeafSerial);
  ASSERT_TRUE(d.w.Revoke(kLeafSerial, 1, ToUnixMillis(d.w.clock.Now())).ok());

  Result<OcspHttpResult> r = d.w.responder->Respond(MakeRequest({leaf.get()}, d.w.ca.cert()));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status(), OcspResponseStatus::kSuccessful);
  x509::OcspResponsePtr resp = testing::ParseResponse(r->der());
  x509::OcspBasicRespPtr basic(OCSP_response_get1_basic(resp.get()));
  ASSERT_NE(basic, nullptr);
  ASSERT_EQ(sk_X509_num(OCSP_resp_get0_certs(basic.get())), 1);
  x509::X509Ptr in_response(X509_dup(sk_X509_value(OCSP_resp_get0_certs(basic.get()), 0)));
  EXPECT_EQ(testing::DerOf(*in_response), delegate.certificate_der);
  x509::X509StorePtr trust(X509_STORE_new());
  X509_STORE_add_cert(trust.get(), const_cast<X509*>(&d.w.ca.cert()));
  EXPECT_EQ(OCSP_basic_verify(basic.get(), nullptr, trust.get(), 0), 1)
      << x509::OsslError("OCSP_basic_verify").ToString();
  // The ResponderID names the delegate's key: the signature is the delegate's, not the CA's.
  const ASN1_OCTET_STRING* key_hash = nullptr;
  const X509_NAME* name = nullptr;
  ASSERT_EQ(OCSP_resp_get0_id(basic.get(), &key_hash, &name), 1);
  ASSERT_NE(key_hash, nullptr);
  unsigned char md[20];
  unsigned int md_len = 0;
  ASSERT_EQ(X509_pubkey_digest(in_response.get(), EVP_sha1(), md, &md_len), 1);
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(key_hash), ASN1_STRING_get0_data(key_hash) + 20),
            Bytes(md, md + md_len));
  // Offered only the CA certificate as signer (the response's certs ignored), OpenSSL finds none.
  x509::X509StackPtr ca_only(sk_X509_new_null());
  X509_up_ref(const_cast<X509*>(&d.w.ca.cert()));
  sk_X509_push(ca_only.get(), const_cast<X509*>(&d.w.ca.cert()));
  EXPECT_NE(
      OCSP_basic_verify(basic.get(), ca_only.get(), trust.get(), OCSP_NOINTERN | OCSP_TRUSTOTHER),
      1);
  x509::ClearOsslErrors();
  auto s = FindStatus(basic.get(), *leaf, d.w.ca.cert());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(s->reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
}

TEST(OcspDelegateIssuerTest, SameDelegateUntilHalfItsLifetimeHasPassed) {
  DelegateWorld d;
  OcspDelegate first = d.MustCurrent();
  std::string first_serial = d.SerialOfCurrent();
  EXPECT_TRUE(d.issuer.Due().empty());

  d.w.clock.Advance(hours(24 * 3));
  EXPECT_TRUE(d.issuer.Due().empty());
  OcspDelegate again = d.MustCurrent();
  EXPECT_EQ(again.certificate_der, first.certificate_der);
  EXPECT_EQ(again.signer, first.signer);

  d.w.clock.Advance(hours(12) + seconds(1));  // 3.5 days after issuance
  EXPECT_EQ(d.issuer.Due(), std::vector<std::string>{OcspWorld::kCaId});
  OcspDelegate second = d.MustCurrent();
  EXPECT_NE(second.certificate_der, first.certificate_der);
  EXPECT_NE(second.signer->public_key_der(), first.signer->public_key_der());
  EXPECT_NE(d.SerialOfCurrent(), first_serial);
  EXPECT_TRUE(d.issuer.Due().empty());
  x509::X509Ptr cert = testing::ParseCert(second.certificate_der);
  EXPECT_EQ(ToUnixSeconds(x509::NotAfter(*cert)), ToUnixSeconds(d.w.clock.Now()) + 7 * 86400);
  // Both stay in the CA's records.
  EXPECT_TRUE(d.w.db().GetCertificate(OcspWorld::kCaId, first_serial).ok());
  EXPECT_TRUE(d.w.db().GetCertificate(OcspWorld::kCaId, d.SerialOfCurrent()).ok());
}

TEST(OcspDelegateIssuerTest, ReplacedBeforeLessThanAResponseValidityRemains) {
  // With a two-day lifetime, the 24 h response validity plus the one-hour margin comes before
  // half-life: the delegate is replaced 23 h after issuance.
  OcspDelegateOptions options;
  options.lifetime = hours(48);
  DelegateWorld d(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa, options);
  std::string first = (d.MustCurrent(), d.SerialOfCurrent());
  d.w.clock.Advance(hours(23) - minutes(1));
  EXPECT_TRUE(d.issuer.Due().empty());
  d.MustCurrent();
  EXPECT_EQ(d.SerialOfCurrent(), first);
  d.w.clock.Advance(minutes(2));
  EXPECT_EQ(d.issuer.Due().size(), 1u);
  d.MustCurrent();
  EXPECT_NE(d.SerialOfCurrent(), first);
}

TEST(OcspDelegateIssuerTest, ValidityNeverPassesTheCaCertificate) {
  OcspDelegateOptions options;
  options.lifetime = hours(24 * 365 * 20);  // beyond the test CA's ten years
  DelegateWorld d(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa, options);
  OcspDelegate delegate = d.MustCurrent();
  x509::X509Ptr cert = testing::ParseCert(delegate.certificate_der);
  TimePoint ca_not_after = x509::NotAfter(d.w.ca.cert());
  EXPECT_EQ(x509::NotAfter(*cert), ca_not_after);
  std::string serial = d.SerialOfCurrent();
  // Half of the lifetime has passed, but a new delegate would end where this one does: no churn.
  d.w.clock.Set(ca_not_after - hours(2));
  EXPECT_TRUE(d.issuer.Due().empty());
  d.MustCurrent();
  EXPECT_EQ(d.SerialOfCurrent(), serial);
  // Once the CA certificate has expired, there is no delegate to be had.
  d.w.clock.Set(ca_not_after + seconds(1));
  EXPECT_EQ(d.Current().status().code(), ErrorCode::kInvalidState);
  EXPECT_EQ(d.issuer.Due(), std::vector<std::string>{OcspWorld::kCaId});
}

TEST(OcspDelegateIssuerTest, ReplacedWhenTheCaCertificateOrKeyChanges) {
  DelegateWorld d;
  d.MustCurrent();
  std::string first = d.SerialOfCurrent();

  // A new CA certificate and key (same subject).
  testing::OcspTestCa other(d.w.keys, KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa);
  d.w.ca_record.certificate_der = other.der();
  d.w.ca_record.key_id = "soft:other";
  Result<OcspDelegate> second = d.issuer.Current(d.w.ca_record, other.shared_signer(),
                                                 SigningAlgorithm::kSha256WithEcdsa);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(d.SerialOfCurrent(), first);
  x509::X509Ptr cert = testing::ParseCert(second->certificate_der);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(&other.cert())), 1);
  EXPECT_NE(X509_verify(cert.get(), X509_get0_pubkey(&d.w.ca.cert())), 1);
  x509::ClearOsslErrors();

  // The key reference alone.
  std::string second_serial = d.SerialOfCurrent();
  d.w.ca_record.key_id = "soft:renamed";
  ASSERT_TRUE(d.issuer.Current(d.w.ca_record, other.shared_signer(),
                               SigningAlgorithm::kSha256WithEcdsa)
                  .ok());
  EXPECT_NE(d.SerialOfCurrent(), second_serial);
}

TEST(OcspDelegateIssuerTest, ReplacedOnceRevoked) {
  DelegateWorld d;
  OcspDelegate first = d.MustCurrent();
  std::string serial = d.SerialOfCurrent();
  ASSERT_TRUE(d.w.Revoke(serial, 1, ToUnixMillis(d.w.clock.Now())).ok());
  OcspDelegate second = d.MustCurrent();
  EXPECT_NE(second.certificate_der, first.certificate_der);
  EXPECT_NE(d.SerialOfCurrent(), serial);
}

TEST(OcspDelegateIssuerTest, ForgetDropsTheDelegate) {
  DelegateWorld d;
  d.MustCurrent();
  std::string first = d.SerialOfCurrent();
  d.issuer.Forget(OcspWorld::kCaId);
  EXPECT_FALSE(d.issuer.Get(OcspWorld::kCaId).has_value());
  EXPECT_TRUE(d.issuer.Due().empty());
  d.MustCurrent();
  EXPECT_NE(d.SerialOfCurrent(), first);
}

TEST(OcspDelegateIssuerTest, RejectsWhatCannotBeIssued) {
  DelegateWorld d;
  store::CaRecord pending = d.w.ca_record;
  pending.certificate_der.clear();
  EXPECT_EQ(d.issuer.Current(pending, d.w.ca.shared_signer(), d.w.ca.alg()).status().code(),
            ErrorCode::kInvalidState);
  EXPECT_EQ(d.issuer.Current(d.w.ca_record, d.w.ca.shared_signer(),
                             SigningAlgorithm::kSha256WithRsa)
                .status()
                .code(),
            ErrorCode::kInvalidArgs);
  // Nothing was recorded for the failures; the CA is named for a retry.
  EXPECT_FALSE(d.issuer.Get(OcspWorld::kCaId).has_value());
  EXPECT_EQ(d.issuer.Due(), std::vector<std::string>{OcspWorld::kCaId});
}

TEST(OcspDelegateSubjectTest, CommonNameSuffixedOrAdded) {
  auto name_of = [](std::vector<x509::NameAttribute> attributes) {
    Result<x509::X509NamePtr> ca = x509::BuildName(attributes);
    OPENPCA_CHECK(ca.ok());
    Result<x509::X509NamePtr> subject = OcspDelegateSubject(**ca);
    OPENPCA_CHECK(subject.ok());
    return TextOf(**subject);
  };
  EXPECT_EQ(name_of({{"2.5.4.6", "US"}, {"2.5.4.10", "Example"}}),
            "C=US,O=Example,CN=OCSP Responder");
  EXPECT_EQ(name_of({{"2.5.4.3", "Root"}, {"2.5.4.10", "Example"}}),
            "CN=Root OCSP Responder,O=Example");
  // The last common name is the one replaced.
  EXPECT_EQ(name_of({{"2.5.4.3", "a"}, {"2.5.4.3", "b"}}), "CN=a,CN=b OCSP Responder");
  EXPECT_EQ(name_of({}), "CN=OCSP Responder");

  // 64 characters at most: the CA's name is cut, on a character boundary.
  std::string long_cn;
  for (int i = 0; i < 60; ++i) long_cn += "\xc3\xa9";  // é, two octets
  Result<x509::X509NamePtr> ca = x509::BuildName({{"2.5.4.3", long_cn}});
  ASSERT_TRUE(ca.ok());
  Result<x509::X509NamePtr> subject = OcspDelegateSubject(**ca);
  ASSERT_TRUE(subject.ok());
  std::string cn = CommonName(**subject);
  std::string expected;
  for (int i = 0; i < 49; ++i) expected += "\xc3\xa9";
  EXPECT_EQ(cn, expected + " OCSP Responder");
}

}  // namespace
}  // namespace openpca::revocation

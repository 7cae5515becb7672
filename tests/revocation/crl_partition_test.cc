// Partition CRLs: the 1 MB bound with worst-case entries at full capacity, and the CrlPublisher
// writing every CRL of a CA (each partition at its own key with a critical Issuing Distribution
// Point equal to its certificates' CDP, listing only its own certificates; the complete CRL only
// while certificates name it), one CRL at a time, and the permission test key.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/crl_location.h"
#include "crl_test_util.h"
#include "objects/bucket_store.h"
#include "revocation/crl/crl_builder.h"
#include "revocation/crl/crl_publisher.h"
#include "store/sqlite/sqlite_store.h"

namespace openpca::revocation {
namespace {

using testing::CertDer;
using testing::TempDir;
using testing::TestCa;
using IssuingDistPointPtr =
    std::unique_ptr<ISSUING_DIST_POINT, x509::OsslDeleter<&ISSUING_DIST_POINT_free>>;
using DistPointsPtr =
    std::unique_ptr<STACK_OF(DIST_POINT), x509::OsslDeleter<&CRL_DIST_POINTS_free>>;

constexpr int64_t kNow = 1'700'000'000;

x509::X509CrlPtr ParseCrl(std::span<const uint8_t> der) {
  const unsigned char* in = der.data();
  x509::X509CrlPtr crl(d2i_X509_CRL(nullptr, &in, static_cast<long>(der.size())));
  EXPECT_NE(crl, nullptr);
  return crl;
}

std::string UriOf(const GENERAL_NAME* name) {
  EXPECT_EQ(name->type, GEN_URI);
  const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                     static_cast<size_t>(ASN1_STRING_length(uri)));
}

// The IDP's fullName URI, or "" when absent; `critical` gets its criticality.
std::string IdpUri(const X509_CRL& crl, int* critical) {
  IssuingDistPointPtr idp(static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(&crl, NID_issuing_distribution_point, critical, nullptr)));
  if (idp == nullptr || idp->distpoint == nullptr || idp->distpoint->type != 0) return "";
  EXPECT_EQ(sk_GENERAL_NAME_num(idp->distpoint->name.fullname), 1);
  return UriOf(sk_GENERAL_NAME_value(idp->distpoint->name.fullname, 0));
}

std::string CdpUri(const X509& cert) {
  DistPointsPtr points(static_cast<STACK_OF(DIST_POINT)*>(
      X509_get_ext_d2i(&cert, NID_crl_distribution_points, nullptr, nullptr)));
  if (points == nullptr || sk_DIST_POINT_num(points.get()) != 1) return "";
  const DIST_POINT* dp = sk_DIST_POINT_value(points.get(), 0);
  return UriOf(sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0));
}

std::vector<std::string> RevokedSerials(X509_CRL& crl) {
  std::vector<std::string> out;
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(&crl);
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    x509::BignumPtr bn(ASN1_INTEGER_to_BN(
        X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i)), nullptr));
    char* hex = BN_bn2hex(bn.get());
    std::string s(hex);
    OPENSSL_free(hex);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A Name of `count` custom attributes (a private OID) of `length` characters: a CA subject far
// larger than any real one (AWS allows up to 150 custom attributes of up to 256 characters).
Bytes LargeName(int count, int length) {
  x509::X509NamePtr name(X509_NAME_new());
  for (int i = 0; i < count; ++i) {
    std::string value(static_cast<size_t>(length), static_cast<char>('a' + i % 26));
    X509_NAME_add_entry_by_txt(name.get(), "1.3.6.1.4.1.55555.1.1", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  }
  unsigned char* der = nullptr;
  int len = i2d_X509_NAME(name.get(), &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// kMaxCrlPartitionCapacity entries, each as large as an entry can be (a 20-octet serial with the
// top bit set, so 21 octets with the sign pad; a GeneralizedTime revocation date, i.e. after 2049;
// a reasonCode), from the largest key openpca offers (RSA-4096, SHA-512), with a ~40 KB issuer
// name and a 2 KB IDP URI: the CRL stays within 1 MB, and each entry takes kMaxCrlEntryBytes.
TEST(CrlPartitionSizeTest, AFullPartitionOfWorstCaseEntriesStaysWithinOneMegabyte) {
  TestCa ca(KeyAlgorithm::kRsa4096, SigningAlgorithm::kSha512WithRsa);
  Result<CrlIssuer> issuer = CrlIssuerOf(ca.cert());
  ASSERT_TRUE(issuer.ok());
  CrlInput in;
  in.issuer_name_der = LargeName(150, 256);
  ASSERT_GT(in.issuer_name_der.size(), 40'000u);
  in.authority_key_id = issuer->key_id;
  in.this_update = FromUnixSeconds(kNow);
  in.next_update = FromUnixSeconds(kNow + 5000LL * 86400);
  in.crl_number = INT64_MAX;
  in.issuing_distribution_point_uri =
      "http://" + std::string(253, 'c') + "/" + std::string(1700, 'p') + "/x.crl";
  const int64_t year_2100_ms = 4'102'444'800'000;
  std::vector<store::RevokedEntry> entries;
  for (int64_t i = 0; i < kMaxCrlPartitionCapacity; ++i) {
    char tail[40];
    std::snprintf(tail, sizeof(tail), "%038llx", static_cast<unsigned long long>(i));
    entries.push_back({std::string("ff") + tail, year_2100_ms + i, 10, 0});
  }
  auto source = [&entries](size_t n) {
    return [&entries, n](const RevokedVisitor& visit) -> Status {
      for (size_t i = 0; i < n; ++i) RETURN_IF_ERROR(visit(entries[i]));
      return Status::Ok();
    };
  };
  Result<Bytes> empty = BuildCrl(in, ca.signer(), ca.alg(), source(0));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  Result<Bytes> full = BuildCrl(in, ca.signer(), ca.alg(), source(entries.size()));
  ASSERT_TRUE(full.ok()) << full.status().ToString();

  EXPECT_LE(static_cast<int64_t>(full->size()), kMaxPartitionCrlBytes);
  EXPECT_LE(static_cast<int64_t>(empty->size()), kPartitionCrlFixedBudget)
      << "the fixed part outgrew its budget";
  // Every entry took the worst case the capacity was computed from (the length headers around
  // the list grow by a few octets once it is non-empty).
  const int64_t growth = static_cast<int64_t>(full->size() - empty->size());
  EXPECT_GE(growth, kMaxCrlPartitionCapacity * kMaxCrlEntryBytes);
  EXPECT_LE(growth, kMaxCrlPartitionCapacity * kMaxCrlEntryBytes + 16);
  x509::X509CrlPtr crl = ParseCrl(*full);
  ASSERT_NE(crl, nullptr);
  EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), kMaxCrlPartitionCapacity);
  x509::EvpPkeyPtr key = ca.public_key();
  EXPECT_EQ(X509_CRL_verify(crl.get(), key.get()), 1);
}

// --- CrlPublisher ---

class CrlPublisherPartitionTest : public ::testing::Test {
 protected:
  CrlPublisherPartitionTest()
      : ca_(KeyAlgorithm::kEcP256, SigningAlgorithm::kSha256WithEcdsa),
        clock_(FromUnixSeconds(kNow)),
        buckets_(dir_.File("buckets"), clock_) {
    store_ = std::move(store::SqliteStore::Open(dir_.File("db"))).value();
    publisher_ = std::make_unique<CrlPublisher>(*store_, ca_.key_store(), buckets_, clock_,
                                                CrlPublisherOptions{});
  }

  void AddCa(const std::string& crl_type) {
    store::CaRecord ca;
    ca.id = kCaId;
    ca.arn = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/" + ca.id;
    ca.account_id = "111122223333";
    ca.type = "ROOT";
    ca.status = "ACTIVE";
    ca.configuration_json = R"({"SigningAlgorithm":"SHA256WITHECDSA"})";
    ca.revocation_json = nlohmann::json{{"CrlConfiguration",
                                         {{"Enabled", true},
                                          {"S3BucketName", "now-crls"},
                                          {"ExpirationInDays", 7},
                                          {"CrlType", crl_type}}}}
                             .dump();
    ca.key_storage_security_standard = "FIPS_140_2_LEVEL_3_OR_HIGHER";
    ca.usage_mode = "GENERAL_PURPOSE";
    ca.key_id = ca_.key_id();
    ca.certificate_der = CertDer(ca_.cert());
    ca.not_after_s = kNow + 3650LL * 86400;
    ca.created_at_ms = kNow * 1000;
    ca.last_state_change_at_ms = kNow * 1000;
    ASSERT_TRUE(store_->InsertCa(ca, {}, std::nullopt).ok());
  }

  store::CrlPartitionRecord AddPartition(const std::string& id) {
    store::CrlPartitionRecord p;
    p.ca_id = kCaId;
    p.partition_id = id;
    p.bucket = "old-crls";  // fixed when opened, whatever the configuration says now
    p.object_key = CrlPartitionObjectKey("", kCaId, id);
    p.uri = "http://127.0.0.1:9/old-crls/" + p.object_key;
    p.capacity = 3;
    p.created_at_ms = kNow * 1000;
    EXPECT_TRUE(store_->InsertCrlPartition(p).ok());
    return p;
  }

  // A certificate of the CA bound to `partition` whose CDP is `cdp_uri`, revoked if asked.
  x509::X509Ptr AddCertificate(const std::string& serial, const std::string& partition,
                               const std::string& cdp_uri, bool revoke) {
    x509::X509Ptr leaf = ca_.IssueLeaf(serial, cdp_uri);
    store::CertificateRecord cert;
    cert.ca_id = kCaId;
    cert.serial_hex = serial;
    cert.der = CertDer(*leaf);
    cert.not_before_s = kNow - 3600;
    cert.not_after_s = kNow + 86400;
    cert.issued_at_ms = kNow * 1000;
    cert.template_arn = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
    cert.crl_partition = partition;
    EXPECT_TRUE(store_->InsertCertificate(cert, std::nullopt).ok());
    if (revoke) {
      EXPECT_TRUE(store_->RevokeCertificate(kCaId, serial, kNow * 1000, 1).ok());
    }
    return leaf;
  }

  x509::X509CrlPtr ReadCrl(const std::string& bucket, const std::string& key) {
    Result<std::string> data = buckets_.Read(bucket, key);
    if (!data.ok()) return nullptr;
    return ParseCrl(AsSpan(*data));
  }

  static constexpr char kCaId[] = "0b9a4f0e-5d6c-4b7a-8e9f-0a1b2c3d4e5f";
  TestCa ca_;
  TempDir dir_;
  FakeClock clock_;
  objects::BucketStore buckets_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<CrlPublisher> publisher_;
};

TEST_F(CrlPublisherPartitionTest, EveryPartitionGetsItsOwnCrlWithACriticalIdpEqualToTheCdp) {
  AddCa("PARTITIONED");
  store::CrlPartitionRecord a = AddPartition("aaaaaaaa-0000-4000-8000-000000000001");
  store::CrlPartitionRecord b = AddPartition("bbbbbbbb-0000-4000-8000-000000000002");
  store::CrlPartitionRecord empty = AddPartition("cccccccc-0000-4000-8000-000000000003");
  x509::X509Ptr a1 = AddCertificate("0a01", a.partition_id, a.uri, /*revoke=*/true);
  AddCertificate("0a02", a.partition_id, a.uri, /*revoke=*/false);
  AddCertificate("0b01", b.partition_id, b.uri, /*revoke=*/true);
  AddCertificate("0b02", b.partition_id, b.uri, /*revoke=*/true);

  ASSERT_TRUE(publisher_->PublishNow(kCaId).ok());

  x509::EvpPkeyPtr key = ca_.public_key();
  struct Want {
    const store::CrlPartitionRecord* partition;
    std::vector<std::string> serials;
  };
  for (const Want& want : {Want{&a, {"0a01"}}, Want{&b, {"0b01", "0b02"}}, Want{&empty, {}}}) {
    SCOPED_TRACE(want.partition->partition_id);
    x509::X509CrlPtr crl = ReadCrl("old-crls", want.partition->object_key);
    ASSERT_NE(crl, nullptr);
    EXPECT_EQ(X509_CRL_verify(crl.get(), key.get()), 1);
    int critical = -1;
    EXPECT_EQ(IdpUri(*crl, &critical), want.partition->uri);
    EXPECT_EQ(critical, 1);
    EXPECT_EQ(RevokedSerials(*crl), want.serials);
  }
  EXPECT_EQ(IdpUri(*ReadCrl("old-crls", a.object_key), nullptr), CdpUri(*a1))
      << "IDP and the certificate's CDP, byte for byte";
  // Nothing names the complete CRL of a CA partitioned from the start: it is not written.
  EXPECT_FALSE(buckets_.Read("now-crls", CrlObjectKey("", kCaId)).ok());
  EXPECT_FALSE(buckets_.BucketExists("now-crls"));
}

TEST_F(CrlPublisherPartitionTest, TheCompleteCrlStaysWhileCertificatesNameItAndListsEverything) {
  AddCa("PARTITIONED");
  store::CrlPartitionRecord a = AddPartition("aaaaaaaa-0000-4000-8000-000000000001");
  store::CrlPartitionRecord complete;
  complete.ca_id = kCaId;
  ASSERT_TRUE(store_->InsertCrlPartition(complete).ok());
  const std::string complete_uri = "http://127.0.0.1:9/now-crls/" + CrlObjectKey("", kCaId);
  AddCertificate("0c01", "", complete_uri, /*revoke=*/true);
  AddCertificate("0a01", a.partition_id, a.uri, /*revoke=*/true);

  ASSERT_TRUE(publisher_->PublishNow(kCaId).ok());
  x509::X509CrlPtr full = ReadCrl("now-crls", CrlObjectKey("", kCaId));
  ASSERT_NE(full, nullptr);
  EXPECT_EQ(IdpUri(*full, nullptr), "") << "a complete CRL has no IDP";
  EXPECT_EQ(RevokedSerials(*full), (std::vector<std::string>{"0a01", "0c01"}));
  x509::X509CrlPtr part = ReadCrl("old-crls", a.object_key);
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(RevokedSerials(*part), (std::vector<std::string>{"0a01"}));
}

TEST_F(CrlPublisherPartitionTest, OneCrlAtATimeWithIncreasingNumbers) {
  AddCa("PARTITIONED");
  store::CrlPartitionRecord a = AddPartition("aaaaaaaa-0000-4000-8000-000000000001");
  store::CrlPartitionRecord b = AddPartition("bbbbbbbb-0000-4000-8000-000000000002");
  ASSERT_TRUE(publisher_->PublishNow(kCaId).ok());
  Result<std::string> b_before = buckets_.Read("old-crls", b.object_key);
  ASSERT_TRUE(b_before.ok());
  auto number = [](const X509_CRL& crl) {
    std::unique_ptr<ASN1_INTEGER, x509::OsslDeleter<&ASN1_INTEGER_free>> n(
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(&crl, NID_crl_number, nullptr, nullptr)));
    return ASN1_INTEGER_get(n.get());
  };
  const long a_before = number(*ReadCrl("old-crls", a.object_key));

  AddCertificate("0a01", a.partition_id, a.uri, /*revoke=*/true);
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(publisher_->PublishCrlNow(kCaId, a.partition_id).ok());
  x509::X509CrlPtr a_after = ReadCrl("old-crls", a.object_key);
  EXPECT_EQ(RevokedSerials(*a_after), (std::vector<std::string>{"0a01"}));
  EXPECT_GT(number(*a_after), a_before);
  EXPECT_EQ(buckets_.Read("old-crls", b.object_key).value(), *b_before)
      << "regenerating one partition rewrote another";
  EXPECT_EQ(publisher_->PublishCrlNow(kCaId, "no-such-partition").code(),
            ErrorCode::kResourceNotFound);
}

TEST_F(CrlPublisherPartitionTest, AnExpiredCertificateStaysOneCrlPeriodThenDropsOff) {
  AddCa("COMPLETE");
  const std::string uri = "http://127.0.0.1:9/now-crls/" + CrlObjectKey("", kCaId);
  AddCertificate("0d01", "", uri, /*revoke=*/true);  // notAfter kNow + 1 day
  auto listed = [&] {
    EXPECT_TRUE(publisher_->PublishNow(kCaId).ok());
    x509::X509CrlPtr crl = ReadCrl("now-crls", CrlObjectKey("", kCaId));
    EXPECT_NE(crl, nullptr);
    return crl == nullptr ? std::vector<std::string>{} : RevokedSerials(*crl);
  };
  const std::vector<std::string> just_it{"0d01"};
  EXPECT_EQ(listed(), just_it);
  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));  // expired
  EXPECT_EQ(listed(), just_it) << "a CRL issued after the expiry must still list it";
  clock_.Advance(std::chrono::hours(24) * 7 - std::chrono::seconds(2));  // ExpirationInDays 7
  EXPECT_EQ(listed(), just_it);
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(listed(), std::vector<std::string>{});
}

TEST_F(CrlPublisherPartitionTest, ProbeWritesThePermissionTestKey) {
  ASSERT_TRUE(publisher_->ProbeBucket("probe-crls", /*public_read=*/false).ok());
  Result<objects::ObjectInfo> info = buckets_.Head("probe-crls", kPermissionTestKey);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(std::string(kPermissionTestKey), "acm-pca-permission-test-key");
  EXPECT_FALSE(info->public_read);
  EXPECT_GT(info->size, 0);
  EXPECT_FALSE(publisher_->ProbeBucket("Not_A_Bucket", true).ok());
}

}  // namespace
}  // namespace openpca::revocation

// PARTITIONED CRLs in the authority: each certificate's CDP names one partition, a partition never
// holds more than its capacity (also under concurrent issuance), partitions are durable rows whose
// URI is the CDP, subordinate CA certificates are partitioned too, a revocation names its
// partition; and the CRL bucket probe of Create/UpdateCertificateAuthority.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/crl_location.h"
#include "test_authority.h"
#include "x509/inspect.h"

namespace openpca::authority::testing {
namespace {

using json = nlohmann::json;
using DistPointsPtr = std::unique_ptr<STACK_OF(DIST_POINT), x509::OsslDeleter<&CRL_DIST_POINTS_free>>;

constexpr char kPublicUrl[] = "http://pki.test:8080";
constexpr char kBucket[] = "part-crls";

// The fullName URIs of the certificate's CRL distribution points (empty when it has none).
std::vector<std::string> CdpUris(const X509& cert) {
  std::vector<std::string> uris;
  DistPointsPtr points(static_cast<STACK_OF(DIST_POINT)*>(
      X509_get_ext_d2i(&cert, NID_crl_distribution_points, nullptr, nullptr)));
  if (points == nullptr) return uris;
  for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(points.get(), i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;
    for (int j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); ++j) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);
      if (gn->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = gn->d.uniformResourceIdentifier;
      uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                        static_cast<size_t>(ASN1_STRING_length(uri)));
    }
  }
  return uris;
}

json PartitionedCrl(const std::string& extra_path = "") {
  json crl = {{"Enabled", true}, {"S3BucketName", kBucket}, {"CrlType", "PARTITIONED"}};
  if (!extra_path.empty()) crl["CustomPath"] = extra_path;
  return {{"CrlConfiguration", crl}};
}

AuthorityOptions Options(int64_t capacity) {
  AuthorityOptions options;
  options.public_url = kPublicUrl;
  options.crl_partition_capacity = capacity;
  return options;
}

// The partition id a partition CDP URI names: ".../crl/<ca>/<id>.crl" → "<id>".
std::string PartitionIdOf(const std::string& uri) {
  size_t slash = uri.rfind('/');
  return uri.substr(slash + 1, uri.size() - slash - 1 - 4);
}

class CrlPartitionTest : public ::testing::Test {
 protected:
  explicit CrlPartitionTest(int64_t capacity = 3) : t_(Options(capacity)) {
    CrlHooks hooks;
    hooks.partition_opened = [this](const store::CrlPartitionRecord& p) {
      std::lock_guard<std::mutex> lock(mu_);
      opened_.push_back(p);
    };
    hooks.probe_bucket = [this](const std::string& bucket, bool public_read, const std::string&,
                                const std::string&) -> Status {
      std::lock_guard<std::mutex> lock(mu_);
      probes_.emplace_back(bucket, public_read);
      return probe_result_;
    };
    t_.authority().SetCrlHooks(std::move(hooks));
  }

  std::string PartitionedRoot() {
    std::string root = t_.MakeActiveRoot();
    EXPECT_TRUE(t_.authority()
                    .UpdateCertificateAuthority(t_.caller(), {root, std::nullopt, PartitionedCrl()})
                    .ok());
    return root;
  }

  x509::X509Ptr IssueLeaf(const std::string& ca, const std::string& name) {
    auto cert = t_.Issue(ca, MakeCsr(name).pem);
    EXPECT_TRUE(cert.ok()) << cert.status().ToString();
    return cert.ok() ? std::move(cert).value() : nullptr;
  }

  TestAuthority t_;
  std::mutex mu_;
  std::vector<store::CrlPartitionRecord> opened_;
  std::vector<std::pair<std::string, bool>> probes_;
  Status probe_result_ = Status::Ok();
};

TEST_F(CrlPartitionTest, CdpNamesAPartitionAndAPartitionHoldsAtMostItsCapacity) {
  std::string root = PartitionedRoot();
  const std::string ca_id = ParseCaArn(root)->ca_id;
  std::map<std::string, std::vector<std::string>> serials_by_uri;
  std::vector<std::string> order;
  for (int i = 0; i < 7; ++i) {
    x509::X509Ptr leaf = IssueLeaf(root, "leaf" + std::to_string(i) + ".example");
    ASSERT_NE(leaf, nullptr);
    std::vector<std::string> uris = CdpUris(*leaf);
    ASSERT_EQ(uris.size(), 1u);
    if (serials_by_uri.count(uris[0]) == 0) order.push_back(uris[0]);
    serials_by_uri[uris[0]].push_back(x509::SerialHex(*leaf));
  }
  // Filled in turn: 3, 3, 1.
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(serials_by_uri[order[0]].size(), 3u);
  EXPECT_EQ(serials_by_uri[order[1]].size(), 3u);
  EXPECT_EQ(serials_by_uri[order[2]].size(), 1u);

  Result<std::vector<store::CrlPartitionRecord>> rows = t_.store().ListCrlPartitions(ca_id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u) << "no complete-CRL row: nothing names the complete CRL";
  ASSERT_EQ(opened_.size(), 3u);
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string& uri = order[i];
    const std::string id = PartitionIdOf(uri);
    EXPECT_EQ(uri, std::string(kPublicUrl) + "/" + kBucket + "/crl/" + ca_id + "/" + id + ".crl");
    Result<store::CrlPartitionRecord> row = t_.store().GetCrlPartition(ca_id, id);
    ASSERT_TRUE(row.ok()) << uri;
    EXPECT_EQ(row->uri, uri) << "the IDP the CRL will carry must equal the CDP byte for byte";
    EXPECT_EQ(row->bucket, kBucket);
    EXPECT_EQ(row->object_key, "crl/" + ca_id + "/" + id + ".crl");
    EXPECT_EQ(row->capacity, 3);
    EXPECT_EQ(opened_[i].partition_id, id) << "the hook hears of each partition as it opens";
    for (const std::string& serial : serials_by_uri[uri]) {
      EXPECT_EQ(t_.store().GetCertificate(ca_id, serial)->crl_partition, id);
    }
  }
}

TEST_F(CrlPartitionTest, ConcurrentIssuanceNeverOverfillsAPartition) {
  std::string root = PartitionedRoot();
  const std::string ca_id = ParseCaArn(root)->ca_id;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10;
  std::vector<std::string> csrs;
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    csrs.push_back(MakeCsr("c" + std::to_string(i) + ".example").pem);
  }
  std::mutex mu;
  std::map<std::string, int> per_uri;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto cert = t_.Issue(root, csrs[static_cast<size_t>(t * kPerThread + i)]);
        std::lock_guard<std::mutex> lock(mu);
        if (!cert.ok()) {
          failures.push_back(cert.status().ToString());
          continue;
        }
        for (const std::string& uri : CdpUris(**cert)) ++per_uri[uri];
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(failures.empty()) << failures.front();
  int total = 0;
  for (const auto& [uri, count] : per_uri) {
    EXPECT_LE(count, 3) << uri;
    total += count;
    EXPECT_TRUE(t_.store().GetCrlPartition(ca_id, PartitionIdOf(uri)).ok()) << uri;
  }
  EXPECT_EQ(total, kThreads * kPerThread);
  EXPECT_GE(per_uri.size(), static_cast<size_t>((kThreads * kPerThread + 2) / 3));
  EXPECT_EQ(t_.store().ListCrlPartitions(ca_id)->size(), per_uri.size())
      << "every partition opened is named by a certificate";
  EXPECT_EQ(opened_.size(), per_uri.size());
}

TEST_F(CrlPartitionTest, SubordinateCaCertificatesArePartitionedToo) {
  std::string root = PartitionedRoot();
  std::string sub = t_.MakeActiveSubordinate(root, "SubordinateCACertificate_PathLen0/V1");
  auto described = t_.authority().DescribeCertificateAuthority(t_.caller(), sub);
  ASSERT_TRUE(described.ok());
  Result<x509::X509Ptr> sub_cert = x509::ParseCertificateDer(described->certificate_der);
  ASSERT_TRUE(sub_cert.ok());
  std::vector<std::string> uris = CdpUris(**sub_cert);
  ASSERT_EQ(uris.size(), 1u);
  const std::string root_id = ParseCaArn(root)->ca_id;
  EXPECT_EQ(t_.store().GetCertificate(root_id, described->serial_hex)->crl_partition,
            PartitionIdOf(uris[0]));
  EXPECT_NE(uris[0].find("/crl/" + root_id + "/"), std::string::npos) << uris[0];
}

TEST_F(CrlPartitionTest, RejectedRequestsTakeNoPlaceAndOpenNoPartition) {
  std::string root = PartitionedRoot();
  IssueRequest req;
  req.ca_arn = root;
  req.csr = ToBytes(MakeCsr("late.example").pem);
  req.signing_algorithm = "SHA256WITHECDSA";
  req.validity = {"YEARS", 50};  // beyond the CA's validity
  EXPECT_FALSE(t_.authority().IssueCertificate(t_.caller(), req).ok());
  EXPECT_TRUE(t_.store().ListCrlPartitions(ParseCaArn(root)->ca_id)->empty());
  EXPECT_TRUE(opened_.empty());
}

TEST_F(CrlPartitionTest, ANewLocationOpensANewPartitionAndOldOnesStay) {
  std::string root = PartitionedRoot();
  const std::string ca_id = ParseCaArn(root)->ca_id;
  x509::X509Ptr first = IssueLeaf(root, "a.example");
  ASSERT_TRUE(t_.authority()
                  .UpdateCertificateAuthority(t_.caller(),
                                              {root, std::nullopt, PartitionedCrl("pki/crls")})
                  .ok());
  x509::X509Ptr second = IssueLeaf(root, "b.example");
  std::string a = CdpUris(*first).at(0);
  std::string b = CdpUris(*second).at(0);
  EXPECT_NE(PartitionIdOf(a), PartitionIdOf(b)) << "the first partition had room left";
  EXPECT_NE(b.find("/pki/crls/" + ca_id + "/"), std::string::npos) << b;
  // The first partition keeps its location: its certificate's CDP stays true.
  EXPECT_EQ(t_.store().GetCrlPartition(ca_id, PartitionIdOf(a))->uri, a);
}

TEST_F(CrlPartitionTest, CompleteCrlIssuanceIsRecordedAndSwitchingKeepsCertificatesBound) {
  std::string root = t_.MakeActiveRoot();
  const std::string ca_id = ParseCaArn(root)->ca_id;
  json complete = {{"CrlConfiguration", {{"Enabled", true}, {"S3BucketName", kBucket}}}};
  ASSERT_TRUE(
      t_.authority().UpdateCertificateAuthority(t_.caller(), {root, std::nullopt, complete}).ok());
  x509::X509Ptr old_leaf = IssueLeaf(root, "old.example");
  EXPECT_EQ(CdpUris(*old_leaf),
            (std::vector<std::string>{std::string(kPublicUrl) + "/" + kBucket + "/crl/" + ca_id +
                                      ".crl"}));
  EXPECT_EQ(t_.store().GetCertificate(ca_id, x509::SerialHex(*old_leaf))->crl_partition, "");
  auto rows = t_.store().ListCrlPartitions(ca_id);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].partition_id, "") << "the complete CRL is named by a certificate";

  ASSERT_TRUE(t_.authority()
                  .UpdateCertificateAuthority(t_.caller(), {root, std::nullopt, PartitionedCrl()})
                  .ok());
  x509::X509Ptr new_leaf = IssueLeaf(root, "new.example");
  EXPECT_NE(t_.store().GetCertificate(ca_id, x509::SerialHex(*new_leaf))->crl_partition, "");
  EXPECT_EQ(t_.store().GetCertificate(ca_id, x509::SerialHex(*old_leaf))->crl_partition, "");
  EXPECT_EQ(t_.store().ListCrlPartitions(ca_id)->size(), 2u);
}

TEST_F(CrlPartitionTest, RevocationNamesTheCertificatesPartition) {
  std::string root = PartitionedRoot();
  std::vector<CaChange> changes;
  t_.authority().SetChangeListener([&](const CaChange& c) { changes.push_back(c); });
  x509::X509Ptr leaf = IssueLeaf(root, "r.example");
  ASSERT_TRUE(t_.authority()
                  .RevokeCertificate(t_.caller(), root, x509::SerialHex(*leaf), "KEY_COMPROMISE")
                  .ok());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ca_id, ParseCaArn(root)->ca_id);
  EXPECT_EQ(changes[0].revoked_in_partition, PartitionIdOf(CdpUris(*leaf).at(0)));
  // Any other change names no partition: every CRL of the CA is concerned.
  ASSERT_TRUE(t_.authority().UpdateCertificateAuthority(t_.caller(), {root, "DISABLED", {}}).ok());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[1].revoked_in_partition.has_value());
}

TEST_F(CrlPartitionTest, OmitExtensionStillBindsToAPartition) {
  std::string root = t_.MakeActiveRoot();
  json config = PartitionedCrl();
  config["CrlConfiguration"]["CrlDistributionPointExtensionConfiguration"] = {
      {"OmitExtension", true}};
  ASSERT_TRUE(
      t_.authority().UpdateCertificateAuthority(t_.caller(), {root, std::nullopt, config}).ok());
  x509::X509Ptr leaf = IssueLeaf(root, "omit.example");
  EXPECT_TRUE(CdpUris(*leaf).empty());
  const std::string ca_id = ParseCaArn(root)->ca_id;
  std::string partition = t_.store().GetCertificate(ca_id, x509::SerialHex(*leaf))->crl_partition;
  EXPECT_FALSE(partition.empty()) << "its revocation must still land on a bounded CRL";
  EXPECT_TRUE(t_.store().GetCrlPartition(ca_id, partition).ok());
}

// --- The CRL bucket probe (acm-pca-permission-test-key). ---

CreateCaRequest RootRequest(std::optional<json> revocation) {
  CreateCaRequest req;
  req.type = "ROOT";
  req.configuration = {{"KeyAlgorithm", "EC_prime256v1"},
                       {"SigningAlgorithm", "SHA256WITHECDSA"},
                       {"Subject", {{"CommonName", "probe"}}}};
  req.revocation = std::move(revocation);
  return req;
}

TEST_F(CrlPartitionTest, CreateAndUpdateProbeTheCrlBucket) {
  json private_crl = {{"CrlConfiguration",
                       {{"Enabled", true},
                        {"S3BucketName", "probe-crls"},
                        {"S3ObjectAcl", "BUCKET_OWNER_FULL_CONTROL"}}}};
  auto arn = t_.authority().CreateCertificateAuthority(t_.caller(), RootRequest(private_crl));
  ASSERT_TRUE(arn.ok()) << arn.status().ToString();
  ASSERT_EQ(probes_.size(), 1u);
  EXPECT_EQ(probes_[0], std::make_pair(std::string("probe-crls"), false));

  // Public by default; a disabled CRL or an OCSP-only configuration names no bucket.
  std::string root = t_.MakeActiveRoot();
  ASSERT_TRUE(t_.authority().UpdateCertificateAuthority(t_.caller(),
                                                        {root, std::nullopt, PartitionedCrl()})
                  .ok());
  ASSERT_EQ(probes_.size(), 2u);
  EXPECT_EQ(probes_[1], std::make_pair(std::string(kBucket), true));
  json off = {{"CrlConfiguration", {{"Enabled", false}}},
              {"OcspConfiguration", {{"Enabled", true}}}};
  ASSERT_TRUE(
      t_.authority().UpdateCertificateAuthority(t_.caller(), {root, std::nullopt, off}).ok());
  ASSERT_TRUE(t_.authority().CreateCertificateAuthority(t_.caller(), RootRequest(off)).ok());
  EXPECT_EQ(probes_.size(), 2u);
}

TEST_F(CrlPartitionTest, AnUnwritableBucketFailsTheCallAndChangesNothing) {
  std::string root = t_.MakeActiveRoot();
  auto before = t_.authority().DescribeCertificateAuthority(t_.caller(), root);
  ASSERT_TRUE(before.ok());
  const int64_t cas_before = t_.store().CountCas(kAccount).value();

  probe_result_ = InternalError("disk full");
  auto created = t_.authority().CreateCertificateAuthority(t_.caller(), RootRequest(PartitionedCrl()));
  EXPECT_EQ(created.status().code(), ErrorCode::kValidation);
  EXPECT_EQ(t_.store().CountCas(kAccount).value(), cas_before) << "a CA was created";

  EXPECT_EQ(t_.authority()
                .UpdateCertificateAuthority(t_.caller(), {root, "DISABLED", PartitionedCrl()})
                .code(),
            ErrorCode::kValidation);
  auto after = t_.authority().DescribeCertificateAuthority(t_.caller(), root);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->revocation_json, before->revocation_json);
  EXPECT_EQ(after->status, "ACTIVE");
  EXPECT_EQ(after->version, before->version);
}

}  // namespace
}  // namespace openpca::authority::testing

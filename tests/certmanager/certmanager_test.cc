// CertificateManager over a real Authority (temporary SQLite, software keys, fixed clock): private
// certificate requests, export, managed renewal, expiry events and refused requests.
#include "certmanager/certificate_manager.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <mutex>

#include "certmanager/domain_names.h"
#include "certmanager/expiry_monitor.h"
#include "store/sqlite/sqlite_acm_store.h"
#include "store/sqlite/sqlite_sharing_store.h"
#include "test_authority.h"
#include "x509/cert_facts.h"
#include "x509/inspect.h"
#include "x509/pem.h"

namespace openpca::certmanager {
namespace {

using authority::testing::kAccount;
using authority::testing::TestAuthority;
using std::chrono::hours;

constexpr int64_t kDay = 86400;

class RecordingSink final : public events::EventSink {
 public:
  void Publish(events::Event event) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }
  std::vector<events::Event> Of(const std::string& detail_type) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<events::Event> out;
    for (const auto& e : events_) {
      if (e.detail_type == detail_type) out.push_back(e);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<events::Event> events_;
};

class CertManagerTest : public ::testing::Test {
 protected:
  CertManagerTest()
      : acm_store_(ta_.store()),
        sharing_(ta_.store()),
        box_(std::move(keys::SecretBox::Create(Bytes(32, 9))).value()),
        keys_(box_),
        manager_(acm_store_, sharing_, ta_.authority(), keys_, ta_.clock(), random_, sink_,
                 ManagerOptions{}) {}

  Requester Who() { return Requester{kAccount, "us-east-1", nullptr}; }

  std::string Root(const std::string& key_alg = "EC_prime256v1",
                   const std::string& sig = "SHA256WITHECDSA") {
    return ta_.MakeActiveRoot(key_alg, sig);
  }

  void GrantAcm(const std::string& ca_arn) {
    store::CaPermissionRecord p;
    p.ca_id = ParseCaArn(ca_arn)->ca_id;
    p.principal = kAcmServicePrincipal;
    p.actions = {"IssueCertificate", "GetCertificate", "ListPermissions"};
    p.created_at_ms = ToUnixMillis(ta_.clock().Now());
    ASSERT_TRUE(sharing_.InsertCaPermission(p).ok());
  }

  std::string RequestOk(const std::string& ca, const std::string& alg = "EC_prime256v1") {
    RequestSpec spec;
    spec.domain_name = "www.example.com";
    spec.sans = {"api.example.com"};
    spec.ca_arn = ca;
    spec.key_algorithm = alg;
    auto arn = manager_.Request(Who(), spec);
    EXPECT_TRUE(arn.ok()) << arn.status().ToString();
    return arn.ok() ? *arn : "";
  }

  store::AcmCertificateRecord Get(const std::string& arn) {
    return std::move(acm_store_.GetCertificate(arn)).value();
  }

  TestAuthority ta_;
  OpenSslRandom random_;
  store::SqliteAcmStore acm_store_;
  store::SqliteSharingStore sharing_;
  std::shared_ptr<const keys::SecretBox> box_;
  keys::ExportableKeys keys_;
  RecordingSink sink_;
  CertificateManager manager_;
};

TEST_F(CertManagerTest, RequestIssuesA395DayCertificateWithTheNamesAsAcmSetsThem) {
  std::string ca = Root();
  std::string arn = RequestOk(ca);
  store::AcmCertificateRecord r = Get(arn);
  EXPECT_EQ(r.status, "ISSUED");
  EXPECT_EQ(r.type, "PRIVATE");
  EXPECT_EQ(r.sans, (std::vector<std::string>{"www.example.com", "api.example.com"}));
  auto cert = x509::ParseCertificateDer(r.certificate_der);
  ASSERT_TRUE(cert.ok());
  auto facts = x509::FactsOf(**cert);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->subject, "CN=www.example.com");
  EXPECT_EQ(facts->dns_names, r.sans);
  EXPECT_EQ(*r.not_after_s - ToUnixSeconds(ta_.clock().Now()), 395 * kDay);
  ASSERT_EQ(facts->extended_key_usages.size(), 2u);
  EXPECT_EQ(facts->extended_key_usages[0].first, "TLS_WEB_SERVER_AUTHENTICATION");
  EXPECT_EQ(facts->extended_key_usages[1].first, "TLS_WEB_CLIENT_AUTHENTICATION");
  EXPECT_EQ(facts->signature_algorithm, "SHA256WITHECDSA");
  EXPECT_EQ(sink_.Of("ACM Certificate Available").size(), 1u);
  // The CA's own record names ACM as the service that asked (audit reports show it).
  const std::string serial =
      r.pca_certificate_arn.substr(r.pca_certificate_arn.rfind('/') + 1);
  auto issued = ta_.store().GetCertificate(ParseCaArn(ca)->ca_id, serial);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->requested_by_service_principal, "acm.amazonaws.com");
}

TEST_F(CertManagerTest, ExportGivesAnEncryptedPkcs8KeyThatMatchesTheCertificate) {
  std::string arn = RequestOk(Root());
  std::string pass = "correct horse";
  auto exported = manager_.Export(Who(), arn, AsSpan(pass));
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_TRUE(exported->private_key_pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  EXPECT_FALSE(exported->chain_pem.empty());

  x509::BioPtr bio(BIO_new_mem_buf(exported->private_key_pem.data(),
                                   static_cast<int>(exported->private_key_pem.size())));
  x509::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, pass.data()));
  ASSERT_NE(key, nullptr);
  auto cert = x509::ParseCertificateDer(Get(arn).certificate_der);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(X509_check_private_key(cert->get(), key.get()), 1);

  x509::BioPtr bio2(BIO_new_mem_buf(exported->private_key_pem.data(),
                                    static_cast<int>(exported->private_key_pem.size())));
  std::string wrong = "wrong pass";
  x509::EvpPkeyPtr none(PEM_read_bio_PrivateKey(bio2.get(), nullptr, nullptr, wrong.data()));
  EXPECT_EQ(none, nullptr);
  ERR_clear_error();

  store::AcmCertificateRecord r = Get(arn);
  EXPECT_TRUE(r.exported);
  EXPECT_EQ(*r.next_renewal_s, *r.not_after_s - 60 * kDay);
}

TEST_F(CertManagerTest, RefusedExportsChangeNothing) {
  std::string ca = Root();
  RequestSpec spec;
  spec.domain_name = "noexport.example.com";
  spec.ca_arn = ca;
  spec.key_algorithm = "EC_prime256v1";
  spec.export_option = "DISABLED";
  std::string arn = *manager_.Request(Who(), spec);
  EXPECT_EQ(manager_.Export(Who(), arn, AsSpan(std::string("abcd"))).status().code(),
            ErrorCode::kValidation);
  std::string ok_arn = RequestOk(ca);
  EXPECT_EQ(manager_.Export(Who(), ok_arn, AsSpan(std::string("abc"))).status().code(),
            ErrorCode::kValidation);
  EXPECT_FALSE(Get(arn).exported);
  EXPECT_FALSE(Get(ok_arn).exported);
  EXPECT_EQ(Get(ok_arn).version, 1);
}

TEST_F(CertManagerTest, CaRefusalsFailTheCertificateWithAcmsReasons) {
  std::string ca = Root();  // EC
  std::string rsa_on_ec = RequestOk(ca, "RSA_2048");
  EXPECT_EQ(Get(rsa_on_ec).status, "FAILED");
  EXPECT_EQ(Get(rsa_on_ec).failure_reason, "PCA_INVALID_ARGS");

  RequestSpec spec;
  spec.domain_name = "denied.example.com";
  spec.ca_arn = ca;
  spec.key_algorithm = "EC_prime256v1";
  Requester who = Who();
  who.may_issue = [](const std::string&) {
    return Status(ErrorCode::kAccessDenied, "not allowed");
  };
  std::string denied = *manager_.Request(who, spec);
  EXPECT_EQ(Get(denied).status, "FAILED");
  EXPECT_EQ(Get(denied).failure_reason, "PCA_ACCESS_DENIED");
  EXPECT_EQ(manager_.GetCertificate(Who(), denied).status().code(),
            ErrorCode::kRequestInProgress);

  spec.ca_arn = "arn:aws:acm-pca:us-east-1:" + std::string(kAccount) +
                ":certificate-authority/00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(Get(*manager_.Request(Who(), spec)).failure_reason, "PCA_RESOURCE_NOT_FOUND");
}

TEST_F(CertManagerTest, BadRequestsStoreNothing) {
  std::string ca = Root();
  RequestSpec spec;
  spec.ca_arn = ca;
  spec.key_algorithm = "EC_prime256v1";
  spec.domain_name = "-bad-.example.com";
  EXPECT_EQ(manager_.Request(Who(), spec).status().code(), ErrorCode::kValidation);
  spec.domain_name = "www.example.com";
  spec.key_algorithm = "RSA_4096";
  EXPECT_EQ(manager_.Request(Who(), spec).status().code(), ErrorCode::kInvalidParameter);
  spec.key_algorithm = "EC_prime256v1";
  for (int i = 0; i < 10; ++i) spec.sans.push_back("n" + std::to_string(i) + ".example.com");
  EXPECT_EQ(manager_.Request(Who(), spec).status().code(), ErrorCode::kLimitExceeded);
  spec.sans.clear();
  spec.domain_validation_options = {{"other.example.com", "example.com"}};
  EXPECT_EQ(manager_.Request(Who(), spec).status().code(),
            ErrorCode::kInvalidParameterCombination);
  spec.domain_validation_options.clear();
  spec.tags = {{"aws:reserved", "x"}};
  EXPECT_EQ(manager_.Request(Who(), spec).status().code(), ErrorCode::kInvalidTag);
  spec.tags.clear();
  spec.ca_arn = "arn:aws:acm-pca:us-east-1:123:nope";
  EXPECT_EQ(manager_.Request(Who(), spec).status().code(), ErrorCode::kInvalidArn);
  EXPECT_TRUE(manager_.List(Who())->empty());
}

TEST_F(CertManagerTest, IdempotencyTokenReturnsTheSameArnForAnHour) {
  std::string ca = Root();
  RequestSpec spec;
  spec.domain_name = "idem.example.com";
  spec.ca_arn = ca;
  spec.key_algorithm = "EC_prime256v1";
  spec.idempotency_token = "tok1";
  std::string first = *manager_.Request(Who(), spec);
  ta_.clock().Advance(std::chrono::minutes(59));
  EXPECT_EQ(*manager_.Request(Who(), spec), first);
  ta_.clock().Advance(std::chrono::minutes(2));
  EXPECT_NE(*manager_.Request(Who(), spec), first);
  EXPECT_EQ(manager_.List(Who())->size(), 2u);
}

TEST_F(CertManagerTest, ManagedRenewalRuns60DaysBeforeExpiryOnceWithANewSerial) {
  std::string ca = Root();
  GrantAcm(ca);
  std::string arn = RequestOk(ca);
  ASSERT_TRUE(manager_.Export(Who(), arn, AsSpan(std::string("passphrase"))).ok());
  store::AcmCertificateRecord before = Get(arn);
  ta_.clock().Set(FromUnixSeconds(*before.not_after_s - 60 * kDay - 60));
  EXPECT_EQ(*manager_.RenewDue(100), 0);
  ta_.clock().Advance(std::chrono::seconds(120));
  EXPECT_EQ(*manager_.RenewDue(100), 1);
  store::AcmCertificateRecord after = Get(arn);
  EXPECT_NE(after.serial_hex, before.serial_hex);
  EXPECT_EQ(after.arn, before.arn);
  EXPECT_EQ(after.renewal_status, "SUCCESS");
  EXPECT_GT(*after.not_after_s, *before.not_after_s);
  EXPECT_FALSE(after.exported);
  EXPECT_NE(after.sealed_key, before.sealed_key);
  EXPECT_EQ(*manager_.RenewDue(100), 0);  // once
  ta_.clock().Advance(hours(24 * 30));
  EXPECT_EQ(*manager_.RenewDue(100), 0);
  EXPECT_EQ(Get(arn).serial_hex, after.serial_hex);
}

TEST_F(CertManagerTest, RenewalWithoutAcmPermissionFailsVisiblyAndRetriesAt45Days) {
  std::string ca = Root();  // no CreatePermission for acm.amazonaws.com
  std::string arn = RequestOk(ca);
  ASSERT_TRUE(manager_.Export(Who(), arn, AsSpan(std::string("passphrase"))).ok());
  store::AcmCertificateRecord before = Get(arn);
  ta_.clock().Set(FromUnixSeconds(*before.not_after_s - 59 * kDay));
  EXPECT_EQ(*manager_.RenewDue(100), 1);
  store::AcmCertificateRecord failed = Get(arn);
  EXPECT_EQ(failed.renewal_status, "FAILED");
  EXPECT_EQ(failed.renewal_reason, "PCA_ACCESS_DENIED");
  EXPECT_EQ(failed.serial_hex, before.serial_hex);
  EXPECT_EQ(*failed.next_renewal_s, *before.not_after_s - 45 * kDay);
  auto action = sink_.Of("ACM Certificate Renewal Action Required");
  ASSERT_EQ(action.size(), 1u);
  EXPECT_EQ(action[0].detail["RenewalStatusReason"], "PCA_ACCESS_DENIED");
  EXPECT_EQ(*manager_.RenewDue(100), 0);
  // Granted meanwhile: the retry at 45 days succeeds.
  GrantAcm(ca);
  ta_.clock().Set(FromUnixSeconds(*before.not_after_s - 45 * kDay + 1));
  EXPECT_EQ(*manager_.RenewDue(100), 1);
  EXPECT_EQ(Get(arn).renewal_status, "SUCCESS");
}

TEST_F(CertManagerTest, ARenewalIsClaimedOnceAcrossWriters) {
  std::string ca = Root();
  GrantAcm(ca);
  std::string arn = RequestOk(ca);
  ASSERT_TRUE(manager_.Export(Who(), arn, AsSpan(std::string("passphrase"))).ok());
  store::AcmCertificateRecord stale = Get(arn);
  // Another server claims first ...
  store::AcmCertificateRecord other = stale;
  other.renewal_status = "PENDING_AUTO_RENEWAL";
  ASSERT_TRUE(acm_store_.UpdateCertificate(other).ok());
  // ... so this one's claim, made from what it read before, fails.
  stale.renewal_status = "PENDING_AUTO_RENEWAL";
  EXPECT_EQ(acm_store_.UpdateCertificate(stale).code(), ErrorCode::kConcurrentModification);
}

TEST_F(CertManagerTest, RenewCertificateNeedsAnExportedPrivateCertificate) {
  std::string ca = Root();
  GrantAcm(ca);
  std::string arn = RequestOk(ca);
  EXPECT_EQ(manager_.Renew(Who(), arn).code(), ErrorCode::kValidation);
  ASSERT_TRUE(manager_.Export(Who(), arn, AsSpan(std::string("passphrase"))).ok());
  std::string serial = Get(arn).serial_hex;
  ASSERT_TRUE(manager_.Renew(Who(), arn).ok());
  EXPECT_NE(Get(arn).serial_hex, serial);
  EXPECT_EQ(manager_.Renew(Who(), arn + "x").code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(manager_.Renew(Who(), "arn:aws:acm-pca:x").code(), ErrorCode::kInvalidArn);
}

TEST_F(CertManagerTest, ApproachingExpirationEventsAreDailyFromDaysBeforeExpiry) {
  std::string arn = RequestOk(Root());
  int64_t not_after = *Get(arn).not_after_s;
  ta_.clock().Set(FromUnixSeconds(not_after - 46 * kDay));
  EXPECT_EQ(*PublishApproachingExpiration(manager_, 100), 0);
  ta_.clock().Set(FromUnixSeconds(not_after - 45 * kDay + 3600));
  EXPECT_EQ(*PublishApproachingExpiration(manager_, 100), 1);
  EXPECT_EQ(*PublishApproachingExpiration(manager_, 100), 0);  // once a day
  ta_.clock().Advance(hours(24));
  EXPECT_EQ(*PublishApproachingExpiration(manager_, 100), 1);
  auto events = sink_.Of("ACM Certificate Approaching Expiration");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].detail["DaysToExpiry"], 44);
  EXPECT_EQ(events[1].detail["DaysToExpiry"], 43);
  EXPECT_EQ(events[0].detail["CommonName"], "www.example.com");
  EXPECT_EQ(events[0].source, "aws.acm");
  EXPECT_EQ(events[0].resources, std::vector<std::string>{arn});

  ASSERT_TRUE(manager_.PutDaysBeforeExpiry(kAccount, 10, "t1").ok());
  EXPECT_TRUE(manager_.PutDaysBeforeExpiry(kAccount, 10, "t1").ok());  // the same call again
  EXPECT_EQ(manager_.PutDaysBeforeExpiry(kAccount, 11, "t1").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(*manager_.DaysBeforeExpiry(kAccount), 10);
  ta_.clock().Advance(hours(24));
  EXPECT_EQ(*PublishApproachingExpiration(manager_, 100), 0);  // 42 days left, 10 configured
  ASSERT_TRUE(manager_.PutDaysBeforeExpiry(kAccount, 11, "t1").ok());  // the hour passed
}

TEST_F(CertManagerTest, DaysToExpiryHistogramCountsByIndexRanges) {
  std::string ca = Root();
  RequestOk(ca);
  RequestOk(ca);
  int64_t now = ToUnixSeconds(ta_.clock().Now());
  auto h = DaysToExpiryHistogram(acm_store_, now, DefaultDaysToExpiryBounds());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->back().count, 2);
  EXPECT_EQ(h->front().count, 0);
  EXPECT_EQ((*h)[h->size() - 2].le_days, 395);
  EXPECT_EQ((*h)[h->size() - 2].count, 2);
  auto h2 = DaysToExpiryHistogram(acm_store_, now + 394 * kDay, DefaultDaysToExpiryBounds());
  EXPECT_EQ(h2->front().count, 2);  // <= 1 day left
}

TEST_F(CertManagerTest, DeleteRefusesACertificateInUseAndTagsFollowAcmsRules) {
  std::string arn = RequestOk(Root());
  store::AcmCertificateRecord r = Get(arn);
  r.in_use_by = {"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"};
  ASSERT_TRUE(acm_store_.UpdateCertificate(r).ok());
  EXPECT_EQ(manager_.Delete(Who(), arn).code(), ErrorCode::kDeleteConflict);
  EXPECT_TRUE(acm_store_.GetCertificate(arn).ok());

  std::vector<store::Tag> tags;
  for (int i = 0; i < 50; ++i) tags.push_back({"k" + std::to_string(i), "v"});
  ASSERT_TRUE(manager_.AddTags(Who(), arn, tags).ok());
  EXPECT_EQ(manager_.AddTags(Who(), arn, {{"one-more", "v"}}).code(), ErrorCode::kTooManyTags);
  EXPECT_EQ(manager_.AddTags(Who(), arn, {{"aws:x", "v"}}).code(), ErrorCode::kInvalidTag);
  ASSERT_TRUE(manager_.RemoveTags(Who(), arn, {{"k0", std::nullopt}, {"k1", "other"}}).ok());
  EXPECT_EQ(Get(arn).tags.size(), 49u);
}

TEST(AcmNamesTest, DomainNamesFollowTheModelPattern) {
  for (const char* ok : {"example.com", "*.example.com", "a-b.c1.example", "xn--bcher-kva.example"}) {
    EXPECT_TRUE(CheckDomainName(ok).ok()) << ok;
  }
  for (const char* bad : {"", "com", "-a.example.com", "a-.example.com", "a..example.com",
                          "*.*.example.com", "a.*.example.com", "a_b.example.com", "*"}) {
    EXPECT_EQ(CheckDomainName(bad).code(), ErrorCode::kValidation) << bad;
  }
  EXPECT_EQ(CheckDomainName(std::string(64, 'a') + ".com").code(), ErrorCode::kValidation);
}

TEST(AcmNamesTest, CertificateArns) {
  EXPECT_TRUE(IsAcmCertificateArn(
      "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"));
  EXPECT_TRUE(IsAcmCertificateArn("arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/x"));
  EXPECT_FALSE(IsAcmCertificateArn("arn:aws:acm:us-east-1:123456789012:certificate"));
  EXPECT_FALSE(IsAcmCertificateArn("arn:aws:acm:us-east-1:12345678901x:certificate/x"));
  EXPECT_FALSE(IsAcmCertificateArn(
      "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x/certificate/y"));
}

}  // namespace
}  // namespace openpca::certmanager

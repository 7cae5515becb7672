// Behaviour of every Store implementation, one call at a time (typed over factories).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store_test_fixture.h"

namespace openpca::store::testing {
namespace {

template <typename Factory>
class StoreBehaviorTest : public StoreTestBase<Factory> {};
TYPED_TEST_SUITE(StoreBehaviorTest, StoreImplementations);

constexpr char kAccount[] = "111122223333";

std::vector<std::string> Ids(const std::vector<CaRecord>& cas) {
  std::vector<std::string> ids;
  for (const CaRecord& ca : cas) ids.push_back(ca.id);
  return ids;
}

void ExpectSameCa(const CaRecord& got, const CaRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.arn, want.arn);
  EXPECT_EQ(got.account_id, want.account_id);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.status_before_deletion, want.status_before_deletion);
  EXPECT_EQ(got.configuration_json, want.configuration_json);
  EXPECT_EQ(got.revocation_json, want.revocation_json);
  EXPECT_EQ(got.key_storage_security_standard, want.key_storage_security_standard);
  EXPECT_EQ(got.usage_mode, want.usage_mode);
  EXPECT_EQ(got.key_id, want.key_id);
  EXPECT_EQ(got.csr_pem, want.csr_pem);
  EXPECT_EQ(got.certificate_der, want.certificate_der);
  EXPECT_EQ(got.chain_pem, want.chain_pem);
  EXPECT_EQ(got.serial_hex, want.serial_hex);
  EXPECT_EQ(got.not_before_s, want.not_before_s);
  EXPECT_EQ(got.not_after_s, want.not_after_s);
  EXPECT_EQ(got.created_at_ms, want.created_at_ms);
  EXPECT_EQ(got.last_state_change_at_ms, want.last_state_change_at_ms);
  EXPECT_EQ(got.restorable_until_ms, want.restorable_until_ms);
  EXPECT_EQ(got.failure_reason, want.failure_reason);
  EXPECT_EQ(got.version, want.version);
}

void ExpectSameCertificate(const CertificateRecord& got, const CertificateRecord& want) {
  EXPECT_EQ(got.ca_id, want.ca_id);
  EXPECT_EQ(got.serial_hex, want.serial_hex);
  EXPECT_EQ(got.der, want.der);
  EXPECT_EQ(got.not_before_s, want.not_before_s);
  EXPECT_EQ(got.not_after_s, want.not_after_s);
  EXPECT_EQ(got.issued_at_ms, want.issued_at_ms);
  EXPECT_EQ(got.template_arn, want.template_arn);
  EXPECT_EQ(got.revoked_at_ms, want.revoked_at_ms);
  EXPECT_EQ(got.revocation_reason, want.revocation_reason);
}

// --- Settings ---

TYPED_TEST(StoreBehaviorTest, SettingsPutGetOverwrite) {
  Result<std::optional<std::string>> missing = this->store().GetSetting("account_id");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->has_value());

  ASSERT_OK(this->store().PutSetting("account_id", "111122223333"));
  ASSERT_OK(this->store().PutSetting("empty", ""));
  ASSERT_OK(this->store().PutSetting("account_id", "444455556666"));

  Result<std::optional<std::string>> got = this->store().GetSetting("account_id");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value_or("<none>"), "444455556666");
  got = this->store().GetSetting("empty");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value_or("<none>"), "");
}

// --- Access keys ---

TYPED_TEST(StoreBehaviorTest, AccessKeyInsertGetAndDuplicate) {
  AccessKeyRecord key{"AKIAEXAMPLE", kAccount, Bytes{0x00, 0x01, 0xff, 0x00}, 1234};
  ASSERT_OK(this->store().InsertAccessKey(key));

  Result<AccessKeyRecord> got = this->store().GetAccessKey("AKIAEXAMPLE");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->access_key_id, key.access_key_id);
  EXPECT_EQ(got->account_id, key.account_id);
  EXPECT_EQ(got->sealed_secret, key.sealed_secret);
  EXPECT_EQ(got->created_at_ms, key.created_at_ms);

  AccessKeyRecord again = key;
  again.account_id = "999999999999";
  EXPECT_EQ(this->store().InsertAccessKey(again).code(), ErrorCode::kInvalidArgs);
  EXPECT_EQ(this->store().GetAccessKey("AKIAEXAMPLE")->account_id, kAccount);

  EXPECT_EQ(this->store().GetAccessKey("AKIAMISSING").status().code(),
            ErrorCode::kResourceNotFound);
}

// --- Certificate authorities ---

TYPED_TEST(StoreBehaviorTest, CaInsertGetRoundTripsEveryField) {
  CaRecord bare = MakeCa("00000000-0000-4000-8000-000000000001");
  bare.version = 7;  // ignored: a new CA is version 1
  ASSERT_OK(this->store().InsertCa(bare, {}, std::nullopt));

  CaRecord full = MakeCa("00000000-0000-4000-8000-000000000002");
  full.status = "DELETED";
  full.status_before_deletion = "ACTIVE";
  full.revocation_json = R"({"CrlConfiguration":{"Enabled":false}})";
  full.certificate_der = Bytes{0x30, 0x82, 0x00, 0x00, 0x01};
  full.chain_pem = "-----BEGIN CERTIFICATE-----\n...\n";
  full.serial_hex = "0a1b";
  full.not_before_s = 1'700'000'000;
  full.not_after_s = 2'000'000'000;
  full.restorable_until_ms = 1'700'000'999'000;
  full.failure_reason = "";
  ASSERT_OK(this->store().InsertCa(full, {}, std::nullopt));

  Result<CaRecord> got = this->store().GetCa(bare.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  bare.version = 1;
  ExpectSameCa(*got, bare);
  EXPECT_FALSE(got->not_before_s.has_value());
  EXPECT_TRUE(got->certificate_der.empty());

  got = this->store().GetCa(full.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameCa(*got, full);
}

TYPED_TEST(StoreBehaviorTest, CaDuplicateIdAndMissingId) {
  CaRecord ca = MakeCa("ca-dup");
  ASSERT_OK(this->store().InsertCa(ca, {{"k", "v"}}, std::nullopt));
  CaRecord other = MakeCa("ca-dup");
  other.status = "ACTIVE";
  EXPECT_EQ(this->store().InsertCa(other, {{"x", "y"}}, std::nullopt).code(),
            ErrorCode::kInvalidArgs);
  EXPECT_EQ(this->store().GetCa("ca-dup")->status, "PENDING_CERTIFICATE");
  Result<std::vector<Tag>> tags = this->store().GetTags("ca-dup");
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 1u);
  EXPECT_EQ((*tags)[0].key, "k");

  EXPECT_EQ(this->store().GetCa("ca-missing").status().code(), ErrorCode::kResourceNotFound);
}

TYPED_TEST(StoreBehaviorTest, ListCasPagesInCreationOrderPerAccount) {
  // Inserted out of order; "b" and "c" share a creation time, so id breaks the tie.
  ASSERT_OK(this->store().InsertCa(MakeCa("d", kAccount, 300), {}, std::nullopt));
  ASSERT_OK(this->store().InsertCa(MakeCa("c", kAccount, 200), {}, std::nullopt));
  ASSERT_OK(this->store().InsertCa(MakeCa("a", kAccount, 100), {}, std::nullopt));
  ASSERT_OK(this->store().InsertCa(MakeCa("b", kAccount, 200), {}, std::nullopt));
  ASSERT_OK(this->store().InsertCa(MakeCa("z", "999999999999", 50), {}, std::nullopt));

  Result<std::vector<CaRecord>> page = this->store().ListCas(kAccount, "", 3);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"a", "b", "c"}));
  page = this->store().ListCas(kAccount, "c", 3);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"d"}));
  page = this->store().ListCas(kAccount, "b", 1);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"c"}));
  page = this->store().ListCas(kAccount, "d", 3);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->empty());
  page = this->store().ListCas("000000000000", "", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->empty());

  // A start that is not a CA of the account cannot be a token we handed out.
  EXPECT_EQ(this->store().ListCas(kAccount, "z", 3).status().code(), ErrorCode::kInvalidNextToken);
  EXPECT_EQ(this->store().ListCas(kAccount, "nope", 3).status().code(),
            ErrorCode::kInvalidNextToken);

  EXPECT_EQ(this->store().CountCas(kAccount).value(), 4);
  EXPECT_EQ(this->store().CountCas("999999999999").value(), 1);
  EXPECT_EQ(this->store().CountCas("000000000000").value(), 0);
}

TYPED_TEST(StoreBehaviorTest, UpdateCaIsCompareAndSwapOnVersion) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  CaRecord first = this->store().GetCa("ca-1").value();
  ASSERT_EQ(first.version, 1);

  CaRecord update = first;
  update.status = "ACTIVE";
  update.certificate_der = Bytes{1, 2, 3};
  update.not_after_s = 42;
  ASSERT_OK(this->store().UpdateCa(update));

  Result<CaRecord> got = this->store().GetCa("ca-1");
  ASSERT_TRUE(got.ok());
  update.version = 2;
  ExpectSameCa(*got, update);

  // A writer that read version 1 lost the race.
  CaRecord stale = first;
  stale.status = "DISABLED";
  EXPECT_EQ(this->store().UpdateCa(stale).code(), ErrorCode::kConcurrentModification);
  EXPECT_EQ(this->store().GetCa("ca-1")->status, "ACTIVE");
  EXPECT_EQ(this->store().GetCa("ca-1")->version, 2);

  CaRecord missing = MakeCa("ca-missing");
  EXPECT_EQ(this->store().UpdateCa(missing).code(), ErrorCode::kResourceNotFound);
}

TYPED_TEST(StoreBehaviorTest, PurgeCaRemovesTagsAndCertificatesOfThatCaOnly) {
  ASSERT_OK(this->store().InsertCa(MakeCa("gone"), {{"a", "1"}}, std::nullopt));
  ASSERT_OK(this->store().InsertCa(MakeCa("kept"), {{"b", "2"}}, std::nullopt));
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("gone", "01"), std::nullopt));
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("kept", "01"), std::nullopt));

  ASSERT_OK(this->store().PurgeCa("gone"));

  EXPECT_EQ(this->store().GetCa("gone").status().code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(this->store().GetTags("gone")->empty());
  EXPECT_EQ(this->store().GetCertificate("gone", "01").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_TRUE(this->store().GetCa("kept").ok());
  EXPECT_EQ(this->store().GetTags("kept")->size(), 1u);
  EXPECT_TRUE(this->store().GetCertificate("kept", "01").ok());

  EXPECT_EQ(this->store().PurgeCa("gone").code(), ErrorCode::kResourceNotFound);
  // The id is free again.
  EXPECT_OK(this->store().InsertCa(MakeCa("gone"), {}, std::nullopt));
}

TYPED_TEST(StoreBehaviorTest, InsertCaWritesTheIdempotencyClaim) {
  IdempotencyClaim claim{"CreateCertificateAuthority|111122223333|token", "arn-of-ca", 5000};
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, claim));
  Result<std::optional<IdempotencyClaim>> found =
      this->store().FindIdempotencyClaim(claim.scope_key, 1000);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->result, "arn-of-ca");

  // A failed insert claims nothing.
  IdempotencyClaim other{"CreateCertificateAuthority|111122223333|other", "x", 5000};
  EXPECT_EQ(this->store().InsertCa(MakeCa("ca-1"), {}, other).code(), ErrorCode::kInvalidArgs);
  EXPECT_FALSE(this->store().FindIdempotencyClaim(other.scope_key, 1000)->has_value());
}

TYPED_TEST(StoreBehaviorTest, LiveClaimRefusesASecondOneAndExpiredClaimIsReplaced) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  IdempotencyClaim first{"IssueCertificate|ca-1|t", "arn/01", 10'000, 1'000};
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("ca-1", "01"), first));
  // Same token while the first claim lives: refused, and the certificate with it.
  IdempotencyClaim second{"IssueCertificate|ca-1|t", "arn/02", 12'000, 2'000};
  EXPECT_EQ(this->store().InsertCertificate(MakeCertificate("ca-1", "02"), second).code(),
            ErrorCode::kConcurrentModification);
  EXPECT_EQ(this->store().GetCertificate("ca-1", "02").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(this->store().FindIdempotencyClaim(first.scope_key, 2'000)->value().result,
            "arn/01");
  // After the window the token is free: a new claim replaces the expired one.
  IdempotencyClaim later{"IssueCertificate|ca-1|t", "arn/03", 20'000, 10'000};
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("ca-1", "03"), later));
  EXPECT_EQ(this->store().FindIdempotencyClaim(first.scope_key, 10'000)->value().result,
            "arn/03");
}

TYPED_TEST(StoreBehaviorTest, PurgeDeletesOnlyExpiredClaimsInBoundedBatches) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, IdempotencyClaim{"s|1", "a", 1000}));
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-2"), {}, IdempotencyClaim{"s|2", "b", 1000}));
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-3"), {}, IdempotencyClaim{"s|3", "c", 5000}));

  EXPECT_EQ(this->store().PurgeExpiredIdempotencyClaims(999, 10).value(), 0);
  EXPECT_EQ(this->store().PurgeExpiredIdempotencyClaims(1000, 1).value(), 1);
  EXPECT_EQ(this->store().PurgeExpiredIdempotencyClaims(1000, 1).value(), 1);
  EXPECT_EQ(this->store().PurgeExpiredIdempotencyClaims(1000, 1).value(), 0);
  Result<std::optional<IdempotencyClaim>> live = this->store().FindIdempotencyClaim("s|3", 2000);
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(live->has_value());
  EXPECT_EQ((*live)->result, "c");
  EXPECT_EQ(this->store().PurgeExpiredIdempotencyClaims(1000, 0).status().code(),
            ErrorCode::kInvalidArgs);
}

// --- Tags ---

TYPED_TEST(StoreBehaviorTest, TagsKeepInsertionOrderAndNullValues) {
  std::vector<Tag> tags = {{"zeta", "last-letter"}, {"alpha", std::nullopt}, {"mid", ""}};
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), tags, std::nullopt));

  Result<std::vector<Tag>> got = this->store().GetTags("ca-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].key, "zeta");
  EXPECT_EQ((*got)[0].value, std::optional<std::string>("last-letter"));
  EXPECT_EQ((*got)[1].key, "alpha");
  EXPECT_EQ((*got)[1].value, std::nullopt);
  EXPECT_EQ((*got)[2].key, "mid");
  EXPECT_EQ((*got)[2].value, std::optional<std::string>(""));

  EXPECT_TRUE(this->store().GetTags("no-such-ca")->empty());
}

TYPED_TEST(StoreBehaviorTest, ReplaceTagsReplacesTheWholeSet) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {{"a", "1"}, {"b", "2"}}, std::nullopt));

  ASSERT_OK(this->store().ReplaceTags("ca-1", {{"c", "3"}, {"a", "9"}}));
  Result<std::vector<Tag>> got = this->store().GetTags("ca-1");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].key, "c");
  EXPECT_EQ((*got)[1].key, "a");
  EXPECT_EQ((*got)[1].value, std::optional<std::string>("9"));

  ASSERT_OK(this->store().ReplaceTags("ca-1", {}));
  EXPECT_TRUE(this->store().GetTags("ca-1")->empty());

  EXPECT_EQ(this->store().ReplaceTags("no-such-ca", {{"a", "1"}}).code(),
            ErrorCode::kResourceNotFound);
}

// --- Certificates ---

TYPED_TEST(StoreBehaviorTest, CertificateInsertGetRoundTrip) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  CertificateRecord plain = MakeCertificate("ca-1", "7f01", 300);
  CertificateRecord revoked = MakeCertificate("ca-1", "7f02");
  revoked.revoked_at_ms = 1'700'000'500'000;
  revoked.revocation_reason = 1;  // keyCompromise
  ASSERT_OK(this->store().InsertCertificate(plain, std::nullopt));
  ASSERT_OK(this->store().InsertCertificate(revoked, std::nullopt));

  Result<CertificateRecord> got = this->store().GetCertificate("ca-1", "7f01");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameCertificate(*got, plain);
  got = this->store().GetCertificate("ca-1", "7f02");
  ASSERT_TRUE(got.ok());
  ExpectSameCertificate(*got, revoked);

  EXPECT_EQ(this->store().GetCertificate("ca-1", "7f03").status().code(),
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(this->store().GetCertificate("ca-2", "7f01").status().code(),
            ErrorCode::kResourceNotFound);
}

TYPED_TEST(StoreBehaviorTest, DuplicateSerialFailsAndKeepsTheFirst) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-2"), {}, std::nullopt));
  CertificateRecord first = MakeCertificate("ca-1", "01");
  ASSERT_OK(this->store().InsertCertificate(first, std::nullopt));

  CertificateRecord second = MakeCertificate("ca-1", "01", 10);
  IdempotencyClaim claim{"IssueCertificate|ca-1|t", "arn", 10'000};
  EXPECT_EQ(this->store().InsertCertificate(second, claim).code(), ErrorCode::kRequestFailed);
  EXPECT_EQ(this->store().GetCertificate("ca-1", "01")->der, first.der);
  EXPECT_FALSE(this->store().FindIdempotencyClaim(claim.scope_key, 0)->has_value());

  // The same serial under another CA is a different certificate.
  EXPECT_OK(this->store().InsertCertificate(MakeCertificate("ca-2", "01"), std::nullopt));
}

TYPED_TEST(StoreBehaviorTest, CertificateOfUnknownCaIsNotFound) {
  EXPECT_EQ(
      this->store().InsertCertificate(MakeCertificate("no-such-ca", "01"), std::nullopt).code(),
      ErrorCode::kResourceNotFound);
}

// --- Idempotency ---

TYPED_TEST(StoreBehaviorTest, IdempotencyClaimFoundBeforeExpiryOnly) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  IdempotencyClaim claim{"IssueCertificate|arn|token-1", "arn/certificate/01", 10'000};
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("ca-1", "01"), claim));

  Result<std::optional<IdempotencyClaim>> found =
      this->store().FindIdempotencyClaim(claim.scope_key, 9'999);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->scope_key, claim.scope_key);
  EXPECT_EQ((*found)->result, claim.result);
  EXPECT_EQ((*found)->expires_at_ms, claim.expires_at_ms);

  EXPECT_FALSE(this->store().FindIdempotencyClaim(claim.scope_key, 10'000)->has_value());
  EXPECT_FALSE(this->store().FindIdempotencyClaim(claim.scope_key, 20'000)->has_value());
  EXPECT_FALSE(this->store().FindIdempotencyClaim("IssueCertificate|arn|other", 0)->has_value());

  // An expired scope can be claimed again; the new claim replaces the old one.
  IdempotencyClaim again{claim.scope_key, "arn/certificate/02", 30'000, 20'000};
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("ca-1", "02"), again));
  found = this->store().FindIdempotencyClaim(claim.scope_key, 20'000);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->result, "arn/certificate/02");
}

// --- Reopening ---

TYPED_TEST(StoreBehaviorTest, DataSurvivesReopen) {
  ASSERT_OK(this->store().PutSetting("account_id", kAccount));
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {{"k", std::nullopt}}, std::nullopt));
  ASSERT_OK(this->store().InsertCertificate(MakeCertificate("ca-1", "01"), std::nullopt));

  this->Reopen();
  this->Reopen();  // opening an up-to-date database changes nothing

  EXPECT_EQ(this->store().GetSetting("account_id")->value_or(""), kAccount);
  EXPECT_EQ(this->store().GetCa("ca-1")->version, 1);
  EXPECT_EQ(this->store().GetTags("ca-1")->size(), 1u);
  EXPECT_TRUE(this->store().GetCertificate("ca-1", "01").ok());
}

}  // namespace
}  // namespace openpca::store::testing

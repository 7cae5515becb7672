// The record text written directly (store::JsonText, store::EventResourcesText) equals what
// nlohmann's dump() gives, byte for byte, over records built the way the recorder builds them and
// over strings of every escaping class: control characters, quotes, backslashes, DEL, 2-, 3- and
// 4-byte UTF-8, numbers of every kind, empty and nested containers. Text that is not UTF-8 fails
// exactly as dump() does (it throws).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "audit/record_builder.h"
#include "common/random.h"
#include "store/event_json.h"
#include "common/json_text.h"

namespace openpca::audit {
namespace {

// A string of `n` code points drawn from every class dump() treats apart.
std::string RandomText(std::mt19937& gen, int n) {
  static const char* const kPieces[] = {
      "a", "Z", "0", " ", "~", "/", "\"", "\\", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f",
      "\x7f", "\xc3\xa9", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xe2\x82\xac", "\xed\x9f\xbf",
      "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
      "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"};
  std::uniform_int_distribution<size_t> pick(0, std::size(kPieces) - 1);
  std::string s;
  for (int i = 0; i < n; ++i) s += kPieces[pick(gen)];
  s += std::string(1, '\0');  // NUL inside a string: \u0000
  return s;
}

nlohmann::json RandomValue(std::mt19937& gen, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 6 : 8);
  switch (kind(gen)) {
    case 0: return nullptr;
    case 1: return gen() % 2 == 0;
    case 2: return static_cast<int64_t>(gen()) - (int64_t{1} << 31) * 3;
    case 3: return static_cast<uint64_t>(gen()) << 32 | gen();
    case 4: return static_cast<double>(gen()) / 7.0 - 1e6;
    case 5: return RandomText(gen, static_cast<int>(gen() % 40));
    case 6: return nlohmann::json::object();
    case 7: {
      nlohmann::json o = nlohmann::json::object();
      for (int i = 0, n = static_cast<int>(gen() % 6); i < n; ++i) {
        o[RandomText(gen, 1 + static_cast<int>(gen() % 5))] = RandomValue(gen, depth + 1);
      }
      return o;
    }
    default: {
      nlohmann::json a = nlohmann::json::array();
      for (int i = 0, n = static_cast<int>(gen() % 5); i < n; ++i) {
        a.push_back(RandomValue(gen, depth + 1));
      }
      return a;
    }
  }
}

TEST(RecordTextTest, EqualsDumpOverRandomValues) {
  std::mt19937 gen(20261207);
  for (int i = 0; i < 3000; ++i) {
    nlohmann::json v = RandomValue(gen, 0);
    ASSERT_EQ(JsonText(v), v.dump()) << "value " << i;
  }
}

TEST(RecordTextTest, EqualsDumpOnEveryEscapeAndEdgeValue) {
  nlohmann::json v = nlohmann::json::object();
  std::string all_ascii;
  for (int c = 0; c < 0x80; ++c) all_ascii += static_cast<char>(c);
  v["ascii"] = all_ascii;
  v["unicode"] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x90 \xe4\xb8\xad\xe6\x96\x87";
  v["empty"] = "";
  v["emptyObject"] = nlohmann::json::object();
  v["emptyArray"] = nlohmann::json::array();
  v["min"] = INT64_MIN;
  v["max"] = UINT64_MAX;
  v["zero"] = 0;
  v["float"] = 0.1;
  v["bigFloat"] = 1e300;
  v["nested"] = {{"a", {1, 2, {{"b", nullptr}}}}, {"\xc3\xa9t\xc3\xa9", true}};
  EXPECT_EQ(JsonText(v), v.dump());
  std::string appended = "prefix";
  AppendJsonText(v, appended);
  EXPECT_EQ(appended, "prefix" + v.dump());
}

TEST(RecordTextTest, EqualsDumpWithOneSpecialCharacterAtEveryOffset) {
  // Plain runs are copied eight bytes at a time: a character that needs care must be seen at
  // any position of a word, and in the bytes after the last whole word.
  for (const char* special : {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9",
                              "\xe2\x82\xac", "\xf0\x9f\x98\x80", " "}) {
    for (size_t at = 0; at < 24; ++at) {
      for (size_t len : {at, at + 1, at + 7, at + 8, at + 17}) {
        std::string s = std::string(at, 'x') + special + std::string(len - at, 'y');
        nlohmann::json v = s;
        ASSERT_EQ(JsonText(v), v.dump()) << at << " " << len;
      }
    }
  }
}

TEST(RecordTextTest, InvalidUtf8FailsLikeDump) {
  for (const char* bad : {"\xff", "a\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80", "\xe2\x82"}) {
    nlohmann::json v = {{"k", std::string("ok ") + bad + " end"}};
    EXPECT_THROW((void)v.dump(), nlohmann::json::type_error) << bad;
    EXPECT_THROW((void)JsonText(v), nlohmann::json::type_error) << bad;
    std::string out = "x";
    EXPECT_FALSE(AppendJsonString(bad, out));
    EXPECT_EQ(out, "x");
  }
}

TEST(RecordTextTest, RecordsOfTheRecorderEqualTheirDump) {
  std::mt19937 gen(7);
  OpenSslRandom random;
  for (int i = 0; i < 300; ++i) {
    CallFacts f;
    f.service = "acm-pca";
    f.operation = i % 3 == 0 ? "IssueCertificate" : "DescribeCertificateAuthority";
    f.request_id = "req-" + std::to_string(i);
    f.region = "us-east-1";
    f.event_time_ms = 1517005123456 + i;
    f.identity.type = static_cast<IdentityType>(i % 4);
    f.identity.account_id = i % 5 == 0 ? "" : "111122223333";
    f.identity.access_key_id = "AKIA" + std::to_string(i);
    f.identity.arn = "arn:aws:iam::111122223333:user/" + RandomText(gen, 3);
    f.identity.user_name = RandomText(gen, 4);
    f.identity.temporary = i % 2 == 0;
    f.source_ip = "127.0.0.1";
    f.user_agent = RandomText(gen, 30);
    f.host_header = "localhost:8443";
    f.request_parameters = RandomValue(gen, 1);
    if (i % 2 == 0) {
      f.request_parameters = {{"csr", RandomText(gen, 60)},
                              {"secretAccessKey", "x"},
                              {"validity", {{"type", "DAYS"}, {"value", i}}}};
    }
    f.resource_arn = "arn:aws:acm-pca:us-east-1:444455556666:certificate-authority/" +
                     std::to_string(i) + "/certificate/" + std::to_string(i * 7);
    for (DraftEvent& d : BuildCallRecords(f, i % 2 == 0, "000000000000", random)) {
      CallOutcome outcome;
      outcome.ok = i % 7 != 0;
      outcome.error_code = "ValidationException";
      outcome.error_message = RandomText(gen, 10);
      outcome.response_elements = {{"certificateArn", RandomText(gen, 5)}};
      ApplyOutcome(d, outcome);
      store::StoredEvent e = ToStoredEvent(d);
      ASSERT_EQ(e.record_json, d.record.dump()) << "record " << i;
      ASSERT_EQ(store::EventResourcesText(e.resources),
                store::EventResourcesToJson(e.resources).dump());
    }
  }
  std::vector<store::EventResourceRef> resources = {{"AWS::ACMPCA::CertificateAuthority", "a\"b"},
                                                    {"", "\xc3\xa9\n"}};
  EXPECT_EQ(store::EventResourcesText(resources), store::EventResourcesToJson(resources).dump());
  EXPECT_EQ(store::EventResourcesText({}), "[]");
}

// The record of a successful call written straight to text (the recorder's path for calls whose
// final record commits with their write) equals the drafts' record after the success, column
// for column and byte for byte.
TEST(RecordTextTest, SuccessRecordTextEqualsTheDraftsRecord) {
  std::mt19937 gen(99);
  OpenSslRandom random;
  const char* const kResources[] = {
      "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1/certificate/ab12",
      "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-\xc3\xa9",
      "arn:aws:iam::111122223333:user/alice",
      "arn:aws:s3:::bucket/key",  // no listed type: no resources[]
      "*",
      ""};
  const char* const kOperations[] = {"IssueCertificate", "GetCertificate", "CreateUser"};
  int compared = 0;
  for (int i = 0; i < 400; ++i) {
    CallFacts f;
    f.service = i % 5 == 0 ? "iam" : "acm-pca";
    f.operation = kOperations[i % 3];
    f.request_id = RandomText(gen, 3);
    f.region = i % 2 == 0 ? "us-east-1" : "eu-west-3";
    f.event_time_ms = 1517005123456 + i * 1000;
    f.identity.type = static_cast<IdentityType>(i % 4);
    f.identity.account_id = i % 6 == 0 ? "" : "111122223333";
    f.identity.arn = "arn:aws:sts::111122223333:assumed-role/R/" + RandomText(gen, 2);
    f.identity.principal_id = "AROAEXAMPLE:s";
    f.identity.access_key_id = "ASIA" + std::to_string(i);
    f.identity.user_name = RandomText(gen, 3);
    f.identity.temporary = i % 3 == 0;
    f.identity.session_created_at_s = 1383354388 + i;
    f.identity.mfa_authenticated = i % 4 == 1;
    f.identity.role_arn = "arn:aws:iam::111122223333:role/Issuer";
    f.identity.role_name = "Issuer";
    f.identity.role_id = "AROAEXAMPLE";
    f.identity.session_name = RandomText(gen, 2);
    f.source_ip = i % 7 == 0 ? "::1" : "127.0.0.1";
    f.user_agent = RandomText(gen, i % 9 == 0 ? 600 : 20);  // over kMaxTextBytes sometimes
    if (i % 2 == 0) {
      f.tls_version = "TLSv1.3";
      f.tls_cipher = "TLS_AES_128_GCM_SHA256";
    }
    f.host_header = "localhost:" + std::to_string(8000 + i);
    switch (i % 4) {
      case 0:
        f.request_parameters = {{"csr", RandomText(gen, 80)},
                                {"privateKeyPassphrase", "x"},
                                {"validity", {{"type", "DAYS"}, {"value", i}}}};
        break;
      case 1: f.request_parameters = nlohmann::json::object(); break;
      case 2: f.request_parameters = {{"long", std::string(9000, 'q')}}; break;
      default: f.request_parameters = RandomValue(gen, 1);
    }
    f.resource_arn = kResources[i % std::size(kResources)];
    f.outcome_is_announced_write = i % 5 != 1;  // End writes the others' records the same way
    nlohmann::json response;
    switch (i % 3) {
      case 0: response = {{"certificateArn", RandomText(gen, 6)}, {"sessionToken", "t"}}; break;
      case 1: response = nlohmann::json::object(); break;
      default: response = nullptr;
    }
    const bool authorized = i % 2 == 1;
    if (HasOwnerCopy(f, authorized)) continue;  // two records: always the drafts' path
    const std::string event_id = NewUuidV7(random, f.event_time_ms);
    std::vector<DraftEvent> drafts =
        BuildCallRecordsWithEventId(f, authorized, "000000000000", event_id, random);
    ASSERT_EQ(drafts.size(), 1u);
    CallOutcome success;
    success.response_elements = response;
    ApplyOutcome(drafts[0], success);
    const store::StoredEvent want = ToStoredEvent(drafts[0]);
    CallFacts consumed = f;
    std::optional<store::StoredEvent> got =
        SuccessRecordText(consumed, "000000000000", event_id, response);
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->record_json, want.record_json) << "call " << i;
    EXPECT_EQ(got->event_id, want.event_id);
    EXPECT_EQ(got->recipient_account_id, want.recipient_account_id);
    EXPECT_EQ(got->region, want.region);
    EXPECT_EQ(got->event_time_ms, want.event_time_ms);
    EXPECT_EQ(got->event_source, want.event_source);
    EXPECT_EQ(got->event_name, want.event_name);
    EXPECT_EQ(got->read_only, want.read_only);
    EXPECT_EQ(got->username, want.username);
    EXPECT_EQ(got->access_key_id, want.access_key_id);
    EXPECT_EQ(store::EventResourcesText(got->resources),
              store::EventResourcesText(want.resources));
    // requestParameters made record form in place stay so: drafts built after it are the same.
    std::vector<DraftEvent> again =
        BuildCallRecordsWithEventId(consumed, authorized, "000000000000", event_id, random);
    ApplyOutcome(again[0], success);
    EXPECT_EQ(ToStoredEvent(again[0]).record_json, want.record_json);
    ++compared;
  }
  EXPECT_GT(compared, 250);
  // Text that is not UTF-8 is left to the drafts (whose dump() throws, as before).
  CallFacts bad;
  bad.operation = "IssueCertificate";
  bad.user_agent = "\xff";
  EXPECT_FALSE(SuccessRecordText(bad, "000000000000", "id", nullptr).has_value());
}

}  // namespace
}  // namespace openpca::audit

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
#include "store/json_text.h"

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
    ASSERT_EQ(store::JsonText(v), v.dump()) << "value " << i;
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
  EXPECT_EQ(store::JsonText(v), v.dump());
  std::string appended = "prefix";
  store::AppendJsonText(v, appended);
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
        ASSERT_EQ(store::JsonText(v), v.dump()) << at << " " << len;
      }
    }
  }
}

TEST(RecordTextTest, InvalidUtf8FailsLikeDump) {
  for (const char* bad : {"\xff", "a\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80", "\xe2\x82"}) {
    nlohmann::json v = {{"k", std::string("ok ") + bad + " end"}};
    EXPECT_THROW((void)v.dump(), nlohmann::json::type_error) << bad;
    EXPECT_THROW((void)store::JsonText(v), nlohmann::json::type_error) << bad;
    std::string out = "x";
    EXPECT_FALSE(store::AppendJsonString(bad, out));
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

}  // namespace
}  // namespace openpca::audit

// The request log line written straight to text equals, byte for byte, the JSON object of its
// members dumped with invalid UTF-8 replaced: random members, every error code, latencies from
// zero to past exponent notation, text with quotes, control characters and bad UTF-8.
#include "api/request_log.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace openpca::api {
namespace {

// The line as the JSON object of its members gives it.
std::string ReferenceLine(const RequestLogEntry& e) {
  return JsonTextReplacingInvalidUtf8(RequestLogJson(e));
}

std::string RandomText(std::mt19937& gen, int max_len) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "0", "-", ":", "/", "\"", "\\", "\n", "\t", std::string(1, '\0'), "\x1f",
      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x91", "\xff", "\xc3", "\x80", " ", "arn:aws:"};
  std::string out;
  const int len = static_cast<int>(gen() % (max_len + 1));
  for (int i = 0; i < len; ++i) out += kPieces[gen() % kPieces.size()];
  return out;
}

TEST(RequestLogTest, LineEqualsTheJsonObjectOfItsMembers) {
  std::mt19937 gen(20261207);
  const std::vector<std::string> services = {"", "acm-pca", "iam", "sts", "cloudtrail", "events",
                                             "s3", "acm", "ram"};
  const std::vector<double> latencies = {0,        0.0004,  0.001, 0.0015, 1,       2.5,
                                         12.3456,  99.999,  1000,  100000, 123456.7, 1e14,
                                         1e15 + 3, 3e17};
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::string> texts;
    for (int k = 0; k < 7; ++k) texts.push_back(i % 3 == 0 ? RandomText(gen, 6) : "");
    if (i % 3 != 0) texts = {"IssueCertificate", "3b174402-a9d8", "AKIAEXAMPLE",
                             "arn:aws:iam::111122223333:user/admin",
                             "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x",
                             "127.0.0.1", i % 5 == 0 ? "disk full" : ""};
    RequestLogEntry e;
    e.service = services[gen() % services.size()];
    e.action = texts[0];
    e.request_id = texts[1];
    e.access_key_id = texts[2];
    e.principal = texts[3];
    e.ca_arn = texts[4];
    e.source_ip = texts[5];
    e.internal_detail = texts[6];
    e.code = static_cast<ErrorCode>(gen() % (static_cast<int>(ErrorCode::kInvalidLookupAttributes) + 1));
    e.http_status = static_cast<int>(gen() % 600);
    e.latency_ms = i % 2 == 0 ? latencies[gen() % latencies.size()]
                              : std::uniform_real_distribution<double>(0, 5000)(gen);
    ASSERT_EQ(RequestLogLine(e), ReferenceLine(e)) << "entry " << i;
  }
}

}  // namespace
}  // namespace openpca::api

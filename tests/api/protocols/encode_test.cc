// Encoding: exact bytes of the XML and JSON responses (botocore_parse_check.py proves that
// botocore reads them; these pin the details it does not look at).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/protocols/protocol.h"
#include "api/protocols/wire.h"

namespace openpca::api::protocols {
namespace {

using nlohmann::json;

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(QueryEncodeTest, CreateUserResponseXml) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get("iam"));
  HttpResponse r = p->EncodeOutput(
      "CreateUser",
      {{"User", {{"UserName", "a&b"}, {"CreateDate", 1704164645}, {"Tags", json::array()}}}},
      "rid-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/xml");
  EXPECT_EQ(HeaderOf(r, "x-amzn-RequestId"), "rid-1");
  EXPECT_EQ(r.body,
            "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<CreateUserResult><User><CreateDate>2024-01-02T03:04:05Z</CreateDate>"
            "<Tags></Tags><UserName>a&amp;b</UserName></User></CreateUserResult>"
            "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
            "</CreateUserResponse>");
}

TEST(QueryEncodeTest, OperationWithoutOutputHasOnlyMetadata) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get("iam"));
  HttpResponse r = p->EncodeOutput("DeleteUser", json::object(), "rid-2");
  EXPECT_EQ(r.body,
            "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>rid-2</RequestId></ResponseMetadata>"
            "</DeleteUserResponse>");
}

TEST(QueryEncodeTest, ErrorResponseXml) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get("iam"));
  HttpResponse r = p->EncodeError(Status(ErrorCode::kResourceNotFound, "no <user>"), "rid-3");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>NoSuchEntity</Code><Message>no &lt;user&gt;</Message>"
            "</Error><RequestId>rid-3</RequestId></ErrorResponse>");
  HttpResponse internal = p->EncodeError(InternalError("sqlite: disk I/O error"), "rid-4");
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("sqlite"), std::string::npos);
  EXPECT_NE(internal.body.find("<Type>Receiver</Type><Code>ServiceFailure</Code>"),
            std::string::npos);
}

TEST(JsonEncodeTest, TimestampsBecomeEpochSecondsAndErrorsCarryType) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get("organizations"));
  HttpResponse r = p->EncodeOutput(
      "DescribeCreateAccountStatus",
      {{"CreateAccountStatus", {{"Id", "car-1"}, {"RequestedTimestamp", "2024-01-02T03:04:05.5Z"}}}},
      "rid");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"CreateAccountStatus":{"Id":"car-1","RequestedTimestamp":1704164645.5}})"));
  HttpResponse e = p->EncodeError(Status(ErrorCode::kAccountNotFound, "none"), "rid");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(HeaderOf(e, "x-amzn-ErrorType"), "AccountNotFoundException");
  EXPECT_EQ(json::parse(e.body),
            json::parse(R"({"__type":"AccountNotFoundException","message":"none"})"));
}

TEST(JsonEncodeTest, AcmPcaOutputIsUnchanged) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::AcmPca());
  json out = {{"CertificateAuthority", {{"CreatedAt", 1704164645}, {"Status", "ACTIVE"}}}};
  HttpResponse r = p->EncodeOutput("DescribeCertificateAuthority", out, "rid");
  EXPECT_EQ(r.body, out.dump());
  EXPECT_EQ(p->EncodeOutput("DeleteCertificateAuthority", nullptr, "rid").body, "{}");
}

TEST(RestJsonEncodeTest, BodyHeadersAndErrors) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get("ram"));
  HttpResponse r = p->EncodeOutput(
      "GetResourceShares",
      {{"resourceShares", {{{"name", "s"}, {"creationTime", "2024-01-02T03:04:05Z"}}}}}, "rid");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"resourceShares":[{"name":"s","creationTime":1704164645}]})"));
  HttpResponse e = p->EncodeError(Status(ErrorCode::kPermissionAlreadyExists, "dup"), "rid");
  EXPECT_EQ(e.status, 409);  // the model's httpStatusCode
  EXPECT_EQ(HeaderOf(e, "x-amzn-ErrorType"), "PermissionAlreadyExistsException");
  EXPECT_EQ(json::parse(e.body), json::parse(R"({"message":"dup"})"));
}

TEST(WireTest, Timestamps) {
  EXPECT_EQ(ParseTimestamp("2024-01-02T03:04:05Z"), 1704164645.0);
  EXPECT_EQ(ParseTimestamp("2024-01-02T04:04:05+01:00"), 1704164645.0);
  EXPECT_EQ(ParseTimestamp("2024-01-02T03:04:05.250Z"), 1704164645.25);
  EXPECT_EQ(ParseTimestamp("Tue, 02 Jan 2024 03:04:05 GMT"), 1704164645.0);
  EXPECT_EQ(ParseTimestamp("1704164645"), 1704164645.0);
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59Z"), -1.0);
  EXPECT_EQ(ParseTimestamp("2024-13-02T03:04:05Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("soon"), std::nullopt);
  EXPECT_EQ(FormatIso8601(1704164645), "2024-01-02T03:04:05Z");
  EXPECT_EQ(FormatIso8601(1704164645.5), "2024-01-02T03:04:05.500Z");
  EXPECT_EQ(FormatIso8601(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatHttpDate(1704164645), "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(EpochJson(1704164645.0), json(1704164645));
  EXPECT_EQ(EpochJson(1.5), json(1.5));
}

}  // namespace
}  // namespace openpca::api::protocols

#include "api/sigv4.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/canonical_request.h"

namespace openpca::api {
namespace {

using sigv4::Header;

constexpr char kAkid[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

TimePoint At(std::string_view amz_date) { return ParseAmzDate(amz_date).value(); }

CredentialLookup Lookup(std::string secret = kSecret) {
  return [secret](const std::string& akid, std::string_view) -> Result<Credential> {
    if (akid != kAkid) return Status(ErrorCode::kUnrecognizedClient, "unknown");
    return Credential{akid, secret, "111122223333", "arn:aws:iam::111122223333:root"};
  };
}

SigV4Verifier Verifier(const Clock& clock, std::string service = "acm-pca",
                       std::string region = "us-east-1", CredentialLookup lookup = Lookup()) {
  return SigV4Verifier({.region = region, .service = service}, std::move(lookup), clock);
}

// Generated with botocore 1.29.27 SigV4Auth at 2026-01-15T12:00:00Z (see the test data comment
// in the commit): aws acm-pca issue-certificate against http://127.0.0.1:8080.
constexpr char kBotoBody[] =
    R"({"CertificateAuthorityArn":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/)"
    R"(11111111-2222-3333-4444-555555555555","Csr":"LS0tLQ==","SigningAlgorithm":"SHA256WITHRSA",)"
    R"("Validity":{"Value":30,"Type":"DAYS"}})";
constexpr char kBotoAuthorization[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/acm-pca/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=ee4afcb33861296789ad77e64b0cf08e9399048ac9b1ba3aceb83ea9bff82d86";

std::vector<Header> BotoHeaders(std::string_view authorization = kBotoAuthorization) {
  return {{"Content-Type", "application/x-amz-json-1.1"},
          {"X-Amz-Target", "ACMPrivateCA.IssueCertificate"},
          {"X-Amz-Date", "20260115T120000Z"},
          {"Authorization", authorization},
          {"Host", "127.0.0.1:8080"},
          {"Content-Length", "205"},
          {"User-Agent", "aws-cli/2.9.19"}};
}

// Generated with botocore SigV4QueryAuth(expires=300) at 2026-01-15T12:00:00Z.
constexpr char kBotoPresigned[] =
    "/some%20path/x?b=2&a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F"
    "20260115%2Fus-east-1%2Facm-pca%2Faws4_request&X-Amz-Date=20260115T120000Z&X-Amz-Expires=300&"
    "X-Amz-SignedHeaders=host&X-Amz-Signature="
    "203c61de4df7369eb7d29f30b2058bf7cc26b4679ce85450e474dc084cf2793b";

Result<Credential> VerifyBoto(const Clock& clock, SigV4Verifier v,
                              std::string_view body = kBotoBody,
                              std::string_view authorization = kBotoAuthorization) {
  std::vector<Header> headers = BotoHeaders(authorization);
  return v.Verify({"POST", "/", headers, body});
}

TEST(SigV4Test, AwsTestSuiteGetVanilla) {
  FakeClock clock(At("20150830T123600Z"));
  std::vector<Header> headers = {
      {"Host", "example.amazonaws.com"},
      {"X-Amz-Date", "20150830T123600Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}};
  Result<Credential> r = Verifier(clock, "service").Verify({"GET", "/", headers, ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->account_id, "111122223333");
}

TEST(SigV4Test, AwsDocumentationIamListUsers) {
  FakeClock clock(At("20150830T123600Z"));
  std::vector<Header> headers = {
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"Host", "iam.amazonaws.com"},
      {"X-Amz-Date", "20150830T123600Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}};
  Result<Credential> r =
      Verifier(clock, "iam").Verify({"GET", "/?Action=ListUsers&Version=2010-05-08", headers, ""});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(SigV4Test, BotocoreSignedAcmPcaRequest) {
  FakeClock clock(At("20260115T120000Z"));
  Result<Credential> r = VerifyBoto(clock, Verifier(clock));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->access_key_id, kAkid);
  EXPECT_EQ(r->principal_arn, "arn:aws:iam::111122223333:root");
}

TEST(SigV4Test, SignRequestMatchesBotocore) {
  std::vector<Header> headers = {{"Content-Type", "application/x-amz-json-1.1"},
                                 {"X-Amz-Target", "ACMPrivateCA.IssueCertificate"},
                                 {"Host", "127.0.0.1:8080"}};
  auto added = SignRequest({"POST", "/", headers, kBotoBody},
                           {kAkid, kSecret, "us-east-1", "acm-pca", At("20260115T120000Z")});
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].first, "X-Amz-Date");
  EXPECT_EQ(added[0].second, "20260115T120000Z");
  EXPECT_EQ(added[1].first, "Authorization");
  EXPECT_EQ(added[1].second, kBotoAuthorization);
}

TEST(SigV4Test, WrongSecret) {
  FakeClock clock(At("20260115T120000Z"));
  Result<Credential> r =
      VerifyBoto(clock, Verifier(clock, "acm-pca", "us-east-1", Lookup("another-secret")));
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidSignature);
}

TEST(SigV4Test, TamperedBody) {
  FakeClock clock(At("20260115T120000Z"));
  std::string body = kBotoBody;
  body[body.size() - 5] = '1';  // "Value":31
  EXPECT_EQ(VerifyBoto(clock, Verifier(clock), body).status().code(), ErrorCode::kInvalidSignature);
}

TEST(SigV4Test, WrongRegionOrService) {
  FakeClock clock(At("20260115T120000Z"));
  Result<Credential> r = VerifyBoto(clock, Verifier(clock, "acm-pca", "eu-west-1"));
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidSignature);
  EXPECT_EQ(r.status().message(),
            "Credential should be scoped to a valid region, not 'us-east-1'.");
  r = VerifyBoto(clock, Verifier(clock, "s3"));
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidSignature);
  EXPECT_EQ(r.status().message(), "Credential should be scoped to correct service: 's3'.");
}

TEST(SigV4Test, ClockSkew) {
  FakeClock clock(At("20260115T121400Z"));
  EXPECT_TRUE(VerifyBoto(clock, Verifier(clock)).ok());
  clock.Set(At("20260115T121601Z"));
  Result<Credential> r = VerifyBoto(clock, Verifier(clock));
  EXPECT_EQ(r.status().code(), ErrorCode::kRequestExpired);
  EXPECT_EQ(r.status().message(),
            "Signature expired: 20260115T120000Z is now earlier than 20260115T120101Z "
            "(20260115T121601Z - 15 min.)");
  clock.Set(At("20260115T114359Z"));
  EXPECT_EQ(VerifyBoto(clock, Verifier(clock)).status().code(), ErrorCode::kRequestExpired);
}

TEST(SigV4Test, UnknownAccessKey) {
  FakeClock clock(At("20260115T120000Z"));
  std::string auth = kBotoAuthorization;
  auth.replace(auth.find(kAkid), 11, "AKIDUNKNOWN");
  Result<Credential> r = VerifyBoto(clock, Verifier(clock), kBotoBody, auth);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnrecognizedClient);
  EXPECT_EQ(r.status().message(), "The security token included in the request is invalid.");
}

TEST(SigV4Test, LookupFailureFailsClosed) {
  FakeClock clock(At("20260115T120000Z"));
  CredentialLookup broken = [](const std::string&, std::string_view) -> Result<Credential> {
    return InternalError("database is down");
  };
  EXPECT_EQ(VerifyBoto(clock, Verifier(clock, "acm-pca", "us-east-1", broken)).status().code(),
            ErrorCode::kInternal);
}

TEST(SigV4Test, MissingAuthentication) {
  FakeClock clock(At("20260115T120000Z"));
  std::vector<Header> headers = {{"Host", "127.0.0.1:8080"}, {"X-Amz-Date", "20260115T120000Z"}};
  EXPECT_EQ(Verifier(clock).Verify({"POST", "/", headers, "{}"}).status().code(),
            ErrorCode::kMissingAuthenticationToken);
  EXPECT_EQ(Verifier(clock).Verify({"GET", "/?a=1", headers, ""}).status().code(),
            ErrorCode::kMissingAuthenticationToken);
}

TEST(SigV4Test, IncompleteSignature) {
  FakeClock clock(At("20260115T120000Z"));
  auto code = [&](std::string_view auth, std::string_view date = "20260115T120000Z") {
    std::vector<Header> headers = {{"Host", "127.0.0.1:8080"}, {"Authorization", auth}};
    if (!date.empty()) headers.push_back({"X-Amz-Date", date});
    return Verifier(clock).Verify({"POST", "/", headers, "{}"}).status().code();
  };
  EXPECT_EQ(code("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/acm-pca/"
                 "aws4_request, SignedHeaders=host;x-amz-date"),
            ErrorCode::kIncompleteSignature);
  EXPECT_EQ(code("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/aws4_request, "
                 "SignedHeaders=host;x-amz-date, Signature=abcd"),
            ErrorCode::kIncompleteSignature);
  EXPECT_EQ(code("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/acm-pca/"
                 "aws4_request/x, SignedHeaders=host;x-amz-date, Signature=abcd"),
            ErrorCode::kIncompleteSignature);
  EXPECT_EQ(code("Basic dXNlcjpwYXNz"), ErrorCode::kIncompleteSignature);
  std::string good = kBotoAuthorization;
  EXPECT_EQ(code(good, ""), ErrorCode::kIncompleteSignature);
  EXPECT_EQ(code(good, "2026-01-15T12:00:00Z"), ErrorCode::kIncompleteSignature);
}

TEST(SigV4Test, ScopeDateMustMatchAndHostMustBeSigned) {
  FakeClock clock(At("20260115T120000Z"));
  std::vector<Header> headers = {
      {"Host", "127.0.0.1:8080"},
      {"X-Amz-Date", "20260115T120000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260114/us-east-1/acm-pca/"
       "aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}};
  EXPECT_EQ(Verifier(clock).Verify({"POST", "/", headers, "{}"}).status().code(),
            ErrorCode::kInvalidSignature);
  headers[2].value =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/acm-pca/aws4_request, "
      "SignedHeaders=x-amz-date, Signature=00";
  Result<Credential> r = Verifier(clock).Verify({"POST", "/", headers, "{}"});
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidSignature);
  EXPECT_NE(r.status().message().find("'Host'"), std::string::npos);
}

TEST(SigV4Test, BotocorePresignedUrl) {
  FakeClock clock(At("20260115T120400Z"));
  std::vector<Header> headers = {{"Host", "127.0.0.1:8080"}, {"User-Agent", "curl"}};
  Result<Credential> r = Verifier(clock).Verify({"GET", kBotoPresigned, headers, ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  clock.Set(At("20260115T120501Z"));  // X-Amz-Expires=300
  EXPECT_EQ(Verifier(clock).Verify({"GET", kBotoPresigned, headers, ""}).status().code(),
            ErrorCode::kRequestExpired);

  clock.Set(At("20260115T120000Z"));
  std::string tampered = kBotoPresigned;
  tampered.replace(tampered.find("a=1"), 3, "a=2");
  EXPECT_EQ(Verifier(clock).Verify({"GET", tampered, headers, ""}).status().code(),
            ErrorCode::kInvalidSignature);
  std::vector<Header> other_host = {{"Host", "evil.example:8080"}};
  EXPECT_EQ(Verifier(clock).Verify({"GET", kBotoPresigned, other_host, ""}).status().code(),
            ErrorCode::kInvalidSignature);
}

TEST(SigV4Test, PresignedNeedsAllParameters) {
  FakeClock clock(At("20260115T120000Z"));
  std::vector<Header> headers = {{"Host", "127.0.0.1:8080"}};
  std::string target = kBotoPresigned;
  target.replace(target.find("&X-Amz-Expires=300"), 18, "");
  EXPECT_EQ(Verifier(clock).Verify({"GET", target, headers, ""}).status().code(),
            ErrorCode::kIncompleteSignature);
  target = kBotoPresigned;
  target.replace(target.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=604801");
  EXPECT_EQ(Verifier(clock).Verify({"GET", target, headers, ""}).status().code(),
            ErrorCode::kIncompleteSignature);
}

TEST(SigV4Test, PresignRoundTripIncludingUnsignedPayloadAndS3Paths) {
  FakeClock clock(At("20260115T120000Z"));
  SigningParams params{kAkid, kSecret, "us-east-1", "acm-pca", clock.Now()};
  std::vector<Header> headers = {{"host", "pca.local"}};
  std::string target =
      PresignTarget({"GET", "/a/b%2Fc?x=1", headers, ""}, params, std::chrono::seconds(60));
  EXPECT_TRUE(Verifier(clock).Verify({"GET", target, headers, ""}).ok()) << target;

  // A POST whose body is not covered by the signature.
  target = PresignTarget({"POST", "/", headers, ""}, params, std::chrono::seconds(60),
                         /*unsigned_payload=*/true);
  EXPECT_TRUE(Verifier(clock).Verify({"POST", target, headers, "{\"any\":1}"}).ok());

  params.service = "s3";
  target = PresignTarget({"GET", "/bucket/crl/a%20b.crl", headers, ""}, params,
                         std::chrono::seconds(60), /*unsigned_payload=*/true);
  EXPECT_TRUE(Verifier(clock, "s3").Verify({"GET", target, headers, ""}).ok()) << target;
  // S3 signs the path as sent: a differently encoded path is a different request.
  std::string reencoded = "/bucket/crl/a%2520b.crl" + target.substr(target.find('?'));
  EXPECT_EQ(Verifier(clock, "s3").Verify({"GET", reencoded, headers, ""}).status().code(),
            ErrorCode::kInvalidSignature);
}

TEST(SigV4Test, HeaderSignRoundTripAndContentSha256) {
  FakeClock clock(At("20260115T120000Z"));
  SigningParams params{kAkid, kSecret, "us-east-1", "acm-pca", clock.Now()};
  std::string body = "{\"MaxResults\":5}";
  std::string body_hash = Sha256Hex(body);
  std::vector<Header> headers = {{"Host", "pca.local"},
                                 {"X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities"},
                                 {"X-Amz-Content-Sha256", body_hash}};
  auto added = SignRequest({"POST", "/", headers, body}, params);
  for (auto& [k, v] : added) headers.push_back({k, v});
  EXPECT_TRUE(Verifier(clock).Verify({"POST", "/", headers, body}).ok());
  // The header says one body, the request carries another.
  EXPECT_EQ(Verifier(clock).Verify({"POST", "/", headers, "{}"}).status().code(),
            ErrorCode::kInvalidSignature);
  // A signed header changed after signing.
  headers[1].value = "ACMPrivateCA.DeleteCertificateAuthority";
  EXPECT_EQ(Verifier(clock).Verify({"POST", "/", headers, body}).status().code(),
            ErrorCode::kInvalidSignature);
}

TEST(SigV4Test, UnsignedPayloadHeaderOnlyForS3) {
  FakeClock clock(At("20260115T120000Z"));
  for (std::string service : {"acm-pca", "s3"}) {
    SigningParams params{kAkid, kSecret, "us-east-1", service, clock.Now(), "UNSIGNED-PAYLOAD"};
    std::vector<Header> headers = {{"Host", "pca.local"},
                                   {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}};
    auto added = SignRequest({"PUT", "/o", headers, ""}, params);
    for (auto& [k, v] : added) headers.push_back({k, v});
    Result<Credential> r = Verifier(clock, service).Verify({"PUT", "/o", headers, "any body"});
    if (service == "s3") {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    } else {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidSignature);
    }
  }
}

TEST(CanonicalRequestTest, Pieces) {
  std::string enc;
  sigv4::AppendUriEncoded("a b/c~d_e.f-g+h%", false, &enc);
  EXPECT_EQ(enc, "a%20b/c~d_e.f-g%2Bh%25");
  enc.clear();
  sigv4::AppendUriEncoded("a/b", true, &enc);
  EXPECT_EQ(enc, "a%2Fb");
  EXPECT_EQ(sigv4::PercentDecode("a%2Fb%zz+c%4"), "a/b%zz+c%4");
  EXPECT_EQ(sigv4::RemoveDotSegments("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(sigv4::RemoveDotSegments("/../"), "/");
  EXPECT_EQ(sigv4::CanonicalUri("/a%20b/./c", false), "/a%2520b/c");
  EXPECT_EQ(sigv4::CanonicalUri("/a%20b/./c", true), "/a%20b/./c");
  EXPECT_EQ(sigv4::CanonicalUri("", false), "/");
  EXPECT_EQ(sigv4::CanonicalQueryString("b=2&a=1&a=0&c&d=x%2Fy&e=a b"),
            "a=0&a=1&b=2&c=&d=x%2Fy&e=a%20b");
  EXPECT_EQ(sigv4::CanonicalQueryString("X-Amz-Signature=abc&z=1", "X-Amz-Signature"), "z=1");

  std::vector<Header> headers = {{"Host", "h"}, {"X-Multi", "  a   b  "}, {"x-multi", "c\t\td"}};
  std::string out;
  sigv4::AppendCanonicalHeaders(headers, "host;x-multi", &out);
  EXPECT_EQ(out, "host:h\nx-multi:a b,c d\n");
}

TEST(AmzDateTest, FormatAndParse) {
  TimePoint t = FromUnixSeconds(1440938160);  // 2015-08-30T12:36:00Z
  EXPECT_EQ(FormatAmzDate(t), "20150830T123600Z");
  EXPECT_EQ(ParseAmzDate("20150830T123600Z"), t);
  EXPECT_FALSE(ParseAmzDate("20150230T123600Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20150830T253600Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20150830 123600Z").has_value());
  EXPECT_FALSE(ParseAmzDate("").has_value());
}

}  // namespace
}  // namespace openpca::api

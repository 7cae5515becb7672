#include "api/errors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace openpca::api {
namespace {

TEST(ErrorsTest, NamesAndStatuses) {
  struct Case {
    ErrorCode code;
    std::string_view name;
    int status;
  };
  for (const Case& c : {
           Case{ErrorCode::kMalformedCsr, "MalformedCSRException", 400},
           Case{ErrorCode::kInvalidArgs, "InvalidArgsException", 400},
           Case{ErrorCode::kResourceNotFound, "ResourceNotFoundException", 400},
           Case{ErrorCode::kValidation, "ValidationException", 400},
           Case{ErrorCode::kSerialization, "SerializationException", 400},
           Case{ErrorCode::kUnknownOperation, "UnknownOperationException", 400},
           Case{ErrorCode::kAccessDenied, "AccessDeniedException", 400},
           Case{ErrorCode::kThrottling, "ThrottlingException", 400},
           Case{ErrorCode::kMissingAuthenticationToken, "MissingAuthenticationToken", 403},
           Case{ErrorCode::kIncompleteSignature, "IncompleteSignature", 400},
           Case{ErrorCode::kInvalidSignature, "InvalidSignatureException", 400},
           Case{ErrorCode::kUnrecognizedClient, "UnrecognizedClientException", 400},
           Case{ErrorCode::kInvalidClientTokenId, "InvalidClientTokenId", 403},
           Case{ErrorCode::kRequestExpired, "RequestExpired", 400},
           Case{ErrorCode::kRequestEntityTooLarge, "RequestEntityTooLargeException", 413},
           Case{ErrorCode::kServiceUnavailable, "ServiceUnavailable", 503},
           Case{ErrorCode::kInternal, "InternalFailure", 500},
       }) {
    AwsError e = AwsErrorFor(c.code);
    EXPECT_EQ(e.name, c.name);
    EXPECT_EQ(e.http_status, c.status) << c.name;
  }
}

TEST(ErrorsTest, EveryCodeIsMapped) {
  for (int i = static_cast<int>(ErrorCode::kCertificateMismatch);
       i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    AwsError e = AwsErrorFor(static_cast<ErrorCode>(i));
    EXPECT_FALSE(e.name.empty());
    bool modeled = i <= static_cast<int>(ErrorCode::kTooManyTags);
    if (modeled) {
      EXPECT_EQ(e.http_status, 400) << e.name;
      EXPECT_TRUE(e.name.ends_with("Exception")) << e.name;
    }
  }
}

TEST(ErrorsTest, BodyAndInternalMessageHidden) {
  nlohmann::json body =
      nlohmann::json::parse(ErrorBody(Status(ErrorCode::kInvalidState, "CA is DISABLED")));
  EXPECT_EQ(body["__type"], "InvalidStateException");
  EXPECT_EQ(body["message"], "CA is DISABLED");

  std::string internal = ErrorBody(InternalError("sqlite: disk I/O error at /var/lib/x"));
  EXPECT_EQ(internal.find("sqlite"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(internal)["__type"], "InternalFailure");
}

TEST(ErrorsTest, IllFormedUtf8InMessageDoesNotThrow) {
  std::string body = ErrorBody(Status(ErrorCode::kValidation, "Value '\xC3' bad"));
  EXPECT_NO_THROW(nlohmann::json::parse(body));
}

}  // namespace
}  // namespace openpca::api

namespace openpca::api {
namespace {

TEST(ErrorsTest, EventBridgeNames) {
  EXPECT_EQ(ErrorFor("events", ErrorCode::kInvalidPolicy).name, "InvalidEventPatternException");
  EXPECT_EQ(ErrorFor("events", ErrorCode::kAlreadyExists).name, "ResourceAlreadyExistsException");
  EXPECT_EQ(ErrorFor("events", ErrorCode::kResourceNotFound).name, "ResourceNotFoundException");
  EXPECT_EQ(ErrorFor("events", ErrorCode::kValidation).name, "ValidationException");
  EXPECT_EQ(ErrorFor("events", ErrorCode::kLimitExceeded).name, "LimitExceededException");
  // acm-pca keeps its own name for an invalid policy.
  EXPECT_EQ(ErrorFor("acm-pca", ErrorCode::kInvalidPolicy).name, "InvalidPolicyException");
}

TEST(ErrorsTest, CloudTrailNames) {
  EXPECT_EQ(ErrorFor("cloudtrail", ErrorCode::kInvalidLookupAttributes).name,
            "InvalidLookupAttributesException");
  EXPECT_EQ(ErrorFor("cloudtrail", ErrorCode::kInvalidTimeRange).name,
            "InvalidTimeRangeException");
  EXPECT_EQ(ErrorFor("cloudtrail", ErrorCode::kInvalidParameterCombination).name,
            "InvalidParameterCombinationException");
  EXPECT_EQ(ErrorFor("cloudtrail", ErrorCode::kInvalidNextToken).name,
            "InvalidNextTokenException");
}

TEST(ErrorsTest, AcmNames) {
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kInvalidParameterCombination).name,
            "InvalidDomainValidationOptionsException");
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kDeleteConflict).name, "ResourceInUseException");
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kConcurrentModification).name, "ConflictException");
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kInvalidParameter).name, "InvalidParameterException");
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kRequestInProgress).name, "RequestInProgressException");
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kInvalidTag).name, "InvalidTagException");
  EXPECT_EQ(ErrorFor("acm", ErrorCode::kTooManyTags).name, "TooManyTagsException");
  // Other services keep their names.
  EXPECT_EQ(ErrorFor("iam", ErrorCode::kDeleteConflict).name, "DeleteConflict");
}

}  // namespace
}  // namespace openpca::api

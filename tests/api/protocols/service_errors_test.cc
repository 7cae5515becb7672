// Per-service AWS error names and HTTP statuses (errors.h ErrorFor), and the models' metadata.
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "api/errors.h"
#include "api/model.h"
#include "api/model_shapes.h"

namespace openpca::api {
namespace {

TEST(ServiceErrorsTest, NamesStatusesAndFaults) {
  struct Case {
    std::string_view service;
    ErrorCode code;
    std::string_view name;
    int status;
    bool sender;
  };
  for (const Case& c : {
           Case{"iam", ErrorCode::kResourceNotFound, "NoSuchEntity", 404, true},
           Case{"iam", ErrorCode::kAlreadyExists, "EntityAlreadyExists", 409, true},
           Case{"iam", ErrorCode::kAccessDenied, "AccessDenied", 403, true},
           Case{"iam", ErrorCode::kValidation, "ValidationError", 400, true},
           Case{"iam", ErrorCode::kLimitExceeded, "LimitExceeded", 409, true},
           Case{"iam", ErrorCode::kInvalidArgs, "InvalidInput", 400, true},
           Case{"iam", ErrorCode::kInternal, "ServiceFailure", 500, false},
           Case{"iam", ErrorCode::kCredentialReportNotPresent, "ReportNotPresent", 410, true},
           Case{"iam", ErrorCode::kThrottling, "Throttling", 400, true},
           Case{"sts", ErrorCode::kExpiredToken, "ExpiredTokenException", 400, true},
           Case{"sts", ErrorCode::kInvalidPolicy, "MalformedPolicyDocument", 400, true},
           Case{"sts", ErrorCode::kRegionDisabled, "RegionDisabledException", 403, true},
           Case{"sts", ErrorCode::kIdpRejectedClaim, "IDPRejectedClaim", 403, true},
           Case{"sts", ErrorCode::kInternal, "InternalFailure", 500, false},
           Case{"organizations", ErrorCode::kAccountNotFound, "AccountNotFoundException", 400, true},
           Case{"organizations", ErrorCode::kPolicyNotFound, "PolicyNotFoundException", 400, true},
           Case{"organizations", ErrorCode::kOrganizationNotInUse,
                "AWSOrganizationsNotInUseException", 400, true},
           Case{"organizations", ErrorCode::kAccessDenied, "AccessDeniedException", 400, true},
           Case{"organizations", ErrorCode::kInternal, "ServiceException", 500, false},
           Case{"ram", ErrorCode::kResourceNotFound, "UnknownResourceException", 400, true},
           Case{"ram", ErrorCode::kInvalidArn, "MalformedArnException", 400, true},
           Case{"ram", ErrorCode::kInvalidArgs, "InvalidParameterException", 400, true},
           Case{"ram", ErrorCode::kOperationNotPermitted, "OperationNotPermittedException", 400,
                true},
           Case{"ram", ErrorCode::kPermissionAlreadyExists, "PermissionAlreadyExistsException",
                409, true},
           Case{"ram", ErrorCode::kThrottling, "ThrottlingException", 429, true},
           Case{"ram", ErrorCode::kServiceUnavailable, "ServiceUnavailableException", 503, false},
           Case{"acm-pca", ErrorCode::kResourceNotFound, "ResourceNotFoundException", 400, true},
           Case{"acm-pca", ErrorCode::kMissingAuthenticationToken, "MissingAuthenticationToken",
                403, true},
           Case{"events", ErrorCode::kInternal, "InternalException", 500, false},
       }) {
    SCOPED_TRACE(std::string(c.service) + " " + ErrorCodeName(c.code));
    AwsError e = ErrorFor(c.service, c.code);
    EXPECT_EQ(e.name, c.name);
    EXPECT_EQ(e.http_status, c.status);
    EXPECT_EQ(e.sender_fault, c.sender);
  }
}

TEST(ServiceErrorsTest, AcmPcaKeepsTheDefaultTable) {
  for (int i = static_cast<int>(ErrorCode::kCertificateMismatch);
       i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    ErrorCode code = static_cast<ErrorCode>(i);
    EXPECT_EQ(ErrorFor("acm-pca", code).name, AwsErrorFor(code).name);
    EXPECT_EQ(ErrorFor("acm-pca", code).http_status, AwsErrorFor(code).http_status);
  }
}

// Every error IAM and STS model can be produced by some ErrorCode, under the model's code (so
// botocore maps it to the modeled exception class) and with the model's HTTP status.
TEST(ServiceErrorsTest, EveryModeledQueryErrorIsReachable) {
  // Errors of features openpca does not implement yet.
  const std::set<std::string, std::less<>> kNotMapped = {
      "AccountNotManagementOrDelegatedAdministratorException",
      "CallerIsNotManagementAccountException",
      "OrganizationNotFoundException",
      "OrganizationNotInAllFeaturesModeException",
      "ServiceAccessNotEnabledException",
      "ExpiredTradeInTokenException",
      "JWTPayloadSizeExceededException",
      "OutboundWebIdentityFederationDisabledException",
      "SessionDurationEscalationException",
  };
  constexpr int kLast = static_cast<int>(ErrorCode::kReportGenerationLimitExceeded);
  for (std::string_view service : {"iam", "sts"}) {
    SCOPED_TRACE(service);
    std::map<std::string, AwsError, std::less<>> sent;
    for (int i = 1; i <= kLast; ++i) {
      AwsError e = ErrorFor(service, static_cast<ErrorCode>(i));
      sent.emplace(std::string(e.name), e);
    }
    const ServiceModel& m = ServiceModel::Get(service);
    for (const std::string& op : m.OperationNames()) {
      for (const Shape* s : m.FindOperation(op)->errors) {
        if (kNotMapped.contains(s->error_code)) continue;
        auto it = sent.find(s->error_code);
        if (it == sent.end()) {
          ADD_FAILURE() << s->error_code << " (" << op << ") is never sent";
          continue;
        }
        EXPECT_EQ(it->second.http_status, s->http_status.value_or(400)) << s->error_code;
        EXPECT_EQ(it->second.sender_fault, s->sender_fault) << s->error_code;
      }
    }
  }
}

TEST(ServiceModelMetadataTest, EmbeddedModelsLoadWithTheirMetadata) {
  const ServiceModel& iam = ServiceModel::Get("iam");
  EXPECT_EQ(iam.metadata().protocol, "query");
  EXPECT_EQ(iam.metadata().xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
  EXPECT_EQ(iam.metadata().api_version, "2010-05-08");
  EXPECT_EQ(iam.metadata().global_endpoint, "iam.amazonaws.com");
  const OperationInfo* create_user = iam.FindOperation("CreateUser");
  ASSERT_NE(create_user, nullptr);
  EXPECT_EQ(create_user->result_wrapper, "CreateUserResult");
  ASSERT_NE(create_user->output, nullptr);
  EXPECT_EQ(iam.FindOperation("DeleteUser")->output, nullptr);
  const Shape* no_such = iam.FindError("NoSuchEntity");
  ASSERT_NE(no_such, nullptr);
  EXPECT_EQ(no_such->http_status, 404);
  EXPECT_EQ(ServiceModel::Get("sts").metadata().protocol, "query");
  EXPECT_EQ(ServiceModel::Get("organizations").metadata().target_prefix,
            "AWSOrganizationsV20161128");
  EXPECT_EQ(ServiceModel::Get("acm").metadata().target_prefix, "CertificateManager");
  EXPECT_EQ(ServiceModel::Get("events").metadata().target_prefix, "AWSEvents");
  const ServiceModel& ram = ServiceModel::Get("ram");
  EXPECT_EQ(ram.metadata().protocol, "rest-json");
  const OperationInfo* del = ram.FindOperation("DeleteResourceShare");
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->http_method, "DELETE");
  EXPECT_EQ(del->request_uri, "/deleteresourceshare");
  bool found_query_member = false;
  for (const ShapeMember& m : del->input->members) {
    if (m.name == "resourceShareArn") {
      found_query_member = m.location == MemberLocation::kQueryString;
    }
  }
  EXPECT_TRUE(found_query_member);
  EXPECT_EQ(&ServiceModel::Get("acm-pca"), &ServiceModel::AcmPca());
  EXPECT_TRUE(ServiceModel::AcmPca().SkippedPatterns().empty());
}

TEST(ServiceModelMetadataTest, UnsupportedPatternsAreSkippedOnlyWhenAsked) {
  constexpr char kModel[] = R"j({"metadata":{},"operations":{},"shapes":{
              "S":{"type":"string","pattern":"(?<=x)"}}})j";
  EXPECT_EQ(ServiceModel::Parse(kModel).status().code(), ErrorCode::kInternal);
  ServiceModel::ParseOptions options;
  options.skip_unsupported_patterns = true;
  Result<std::unique_ptr<ServiceModel>> m = ServiceModel::Parse(kModel, options);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->SkippedPatterns().size(), 1u);
}

}  // namespace
}  // namespace openpca::api

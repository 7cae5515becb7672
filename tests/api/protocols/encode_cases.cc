// protocol_encode_cases: writes, one JSON object a line, responses our codecs encode, each with
// what botocore's parser must read from it. botocore_parse_check.py runs this program and feeds
// every response to botocore's own parser for that service, protocol and operation.
//
// Line: {"service","operation","status","headers":{..},"body":"..","expect":{..},
//        "error":{"code","type","exception"}?}
// `expect` is a subset of the parsed dict (timestamps as ISO-8601 with +00:00); `error` is present
// for error responses: the parsed Error.Code, Error.Type (query), and the client exception class
// botocore maps the code to.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "api/protocols/protocol.h"

namespace openpca::api::protocols {
namespace {

using nlohmann::json;

constexpr char kRequestId[] = "5f6b1a2c-0d3e-4f50-8a9b-0123456789ab";

json Line(std::string_view service, std::string_view operation, const HttpResponse& res) {
  json headers = json::object();
  for (const auto& [k, v] : res.headers) headers[k] = v;
  return {{"service", service}, {"operation", operation}, {"status", res.status},
          {"headers", headers}, {"body", res.body},       {"request_id", kRequestId}};
}

void Output(std::string_view service, std::string_view operation, const json& output,
            const json& expect) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get(service));
  json line = Line(service, operation, p->EncodeOutput(operation, output, kRequestId));
  line["expect"] = expect;
  std::cout << line.dump() << "\n";
}

void Error(std::string_view service, std::string_view operation, const Status& status,
           int http_status, std::string_view code, std::string_view type,
           std::string_view exception) {
  std::unique_ptr<Protocol> p = Protocol::For(ServiceModel::Get(service));
  json line = Line(service, operation, p->EncodeError(status, kRequestId));
  line["expect"] = json::object();
  line["error"] = {{"code", code},
                   {"message", status.code() == ErrorCode::kInternal ? "" : status.message()},
                   {"http_status", http_status},
                   {"type", type},
                   {"exception", exception}};
  std::cout << line.dump() << "\n";
}

void Run() {
  // --- query (IAM, STS): XML.
  json user = {{"Path", "/eng/"},
               {"UserName", "alice"},
               {"UserId", "AIDAEXAMPLE0000000001"},
               {"Arn", "arn:aws:iam::111122223333:user/eng/alice"},
               {"CreateDate", 1704164645},
               {"Tags", {{{"Key", "team"}, {"Value", "R&D <core> \"q\" 'a'"}}}}};
  json user_expect = user;
  user_expect["CreateDate"] = "2024-01-02T03:04:05+00:00";
  Output("iam", "CreateUser", {{"User", user}}, {{"User", user_expect}});
  Output("iam", "ListUsers",
         {{"Users",
           {{{"Path", "/"}, {"UserName", "a"}, {"UserId", "AIDA1"},
             {"Arn", "arn:aws:iam::111122223333:user/a"}, {"CreateDate", "2024-01-02T03:04:05Z"}},
            {{"Path", "/"}, {"UserName", "b"}, {"UserId", "AIDA2"},
             {"Arn", "arn:aws:iam::111122223333:user/b"}, {"CreateDate", 1704164645.5}}}},
          {"IsTruncated", true},
          {"Marker", "m1"}},
         {{"Users",
           {{{"UserName", "a"}, {"CreateDate", "2024-01-02T03:04:05+00:00"}},
            {{"UserName", "b"}, {"CreateDate", "2024-01-02T03:04:05.500000+00:00"}}}},
          {"IsTruncated", true},
          {"Marker", "m1"}});
  Output("iam", "ListUsers", {{"Users", json::array()}, {"IsTruncated", false}},
         {{"Users", json::array()}, {"IsTruncated", false}});
  Output("iam", "DeleteUser", json::object(), json::object());
  Output("iam", "GetAccountSummary", {{"SummaryMap", {{"Users", 5}, {"Groups", 0}}}},
         {{"SummaryMap", {{"Users", 5}, {"Groups", 0}}}});
  Output("iam", "GetAccountPasswordPolicy",
         {{"PasswordPolicy",
           {{"MinimumPasswordLength", 12}, {"RequireSymbols", true}, {"RequireNumbers", false}}}},
         {{"PasswordPolicy",
           {{"MinimumPasswordLength", 12}, {"RequireSymbols", true}, {"RequireNumbers", false}}}});
  Output("iam", "CreateAccessKey",
         {{"AccessKey",
           {{"UserName", "alice"}, {"AccessKeyId", "AKIAEXAMPLE"}, {"Status", "Active"},
            {"SecretAccessKey", "s3cr3t/+="}}}},
         {{"AccessKey",
           {{"UserName", "alice"}, {"AccessKeyId", "AKIAEXAMPLE"}, {"Status", "Active"},
            {"SecretAccessKey", "s3cr3t/+="}}}});
  Output("sts", "AssumeRole",
         {{"Credentials",
           {{"AccessKeyId", "ASIAEXAMPLE"}, {"SecretAccessKey", "sk"}, {"SessionToken", "tok"},
            {"Expiration", "2024-01-02T04:04:05Z"}}},
          {"AssumedRoleUser",
           {{"AssumedRoleId", "AROA1:s1"},
            {"Arn", "arn:aws:sts::111122223333:assumed-role/r1/s1"}}},
          {"PackedPolicySize", 6}},
         {{"Credentials",
           {{"AccessKeyId", "ASIAEXAMPLE"}, {"SecretAccessKey", "sk"}, {"SessionToken", "tok"},
            {"Expiration", "2024-01-02T04:04:05+00:00"}}},
          {"AssumedRoleUser",
           {{"AssumedRoleId", "AROA1:s1"},
            {"Arn", "arn:aws:sts::111122223333:assumed-role/r1/s1"}}},
          {"PackedPolicySize", 6}});
  json caller = {{"UserId", "AIDA1"},
                 {"Account", "111122223333"},
                 {"Arn", "arn:aws:iam::111122223333:user/a"}};
  Output("sts", "GetCallerIdentity", caller, caller);

  Error("iam", "GetUser", Status(ErrorCode::kResourceNotFound, "The user with name bob cannot be found."),
        404, "NoSuchEntity", "Sender", "NoSuchEntityException");
  Error("iam", "CreateUser", Status(ErrorCode::kAlreadyExists, "User with name alice already exists."),
        409, "EntityAlreadyExists", "Sender", "EntityAlreadyExistsException");
  Error("iam", "CreateUser", Status(ErrorCode::kLimitExceeded, "Cannot exceed quota for UsersPerAccount"),
        409, "LimitExceeded", "Sender", "LimitExceededException");
  Error("iam", "DeleteUser", Status(ErrorCode::kDeleteConflict, "must delete access keys first"),
        409, "DeleteConflict", "Sender", "DeleteConflictException");
  Error("iam", "PutUserPolicy", Status(ErrorCode::kInvalidPolicy, "Syntax errors in policy."),
        400, "MalformedPolicyDocument", "Sender", "MalformedPolicyDocumentException");
  Error("iam", "CreateUser", Status(ErrorCode::kInvalidArgs, "bad path"), 400, "InvalidInput",
        "Sender", "InvalidInputException");
  Error("iam", "CreateUser",
        Status(ErrorCode::kAccessDenied,
               "User: arn:aws:iam::111122223333:user/a is not authorized to perform: "
               "iam:CreateUser on resource: arn:aws:iam::111122223333:user/b"),
        403, "AccessDenied", "Sender", "ClientError");
  Error("iam", "CreateUser",
        Status(ErrorCode::kValidation,
               "1 validation error detected: Value 'a<b' at 'userName' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        400, "ValidationError", "Sender", "ClientError");
  Error("iam", "CreateUser", InternalError("disk on fire"), 500, "ServiceFailure", "Receiver",
        "ServiceFailureException");
  Error("iam", "CreateUser", Status(ErrorCode::kUnknownOperation, "Could not find operation"),
        400, "InvalidAction", "Sender", "ClientError");
  Error("sts", "AssumeRole", Status(ErrorCode::kExpiredToken, "The security token included in the request is expired"),
        400, "ExpiredTokenException", "Sender", "ExpiredTokenException");
  Error("sts", "AssumeRole", Status(ErrorCode::kRegionDisabled, "STS is not activated in this region"),
        403, "RegionDisabledException", "Sender", "RegionDisabledException");
  Error("sts", "AssumeRole", Status(ErrorCode::kPackedPolicyTooLarge, "too large"), 400,
        "PackedPolicyTooLarge", "Sender", "PackedPolicyTooLargeException");
  Error("sts", "AssumeRole", Status(ErrorCode::kAccessDenied, "not authorized"), 403,
        "AccessDenied", "Sender", "ClientError");

  // --- json (Organizations, acm-pca, events, cloudtrail, acm).
  Output("organizations", "DescribeCreateAccountStatus",
         {{"CreateAccountStatus",
           {{"Id", "car-1"}, {"AccountName", "n"}, {"State", "SUCCEEDED"},
            {"RequestedTimestamp", "2024-01-02T03:04:05Z"}, {"AccountId", "222233334444"}}}},
         {{"CreateAccountStatus",
           {{"Id", "car-1"}, {"State", "SUCCEEDED"},
            {"RequestedTimestamp", "2024-01-02T03:04:05+00:00"}}}});
  Error("organizations", "DescribeAccount",
        Status(ErrorCode::kAccountNotFound, "You specified an account that doesn't exist."), 400,
        "AccountNotFoundException", "", "AccountNotFoundException");
  Error("organizations", "DescribeOrganization",
        Status(ErrorCode::kOrganizationNotInUse, "Your account is not a member of an organization."),
        400, "AWSOrganizationsNotInUseException", "", "AWSOrganizationsNotInUseException");
  Error("organizations", "DescribePolicy", Status(ErrorCode::kPolicyNotFound, "no such policy"),
        400, "PolicyNotFoundException", "", "PolicyNotFoundException");
  Error("organizations", "ListAccounts", Status(ErrorCode::kThrottling, "slow down"), 400,
        "TooManyRequestsException", "", "TooManyRequestsException");
  Error("organizations", "ListAccounts", InternalError("x"), 500, "ServiceException", "",
        "ServiceException");
  Output("acm-pca", "DescribeCertificateAuthority",
         {{"CertificateAuthority",
           {{"Arn", "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x"},
            {"CreatedAt", 1704164645.25}, {"Status", "ACTIVE"}, {"Type", "ROOT"}}}},
         {{"CertificateAuthority",
           {{"CreatedAt", "2024-01-02T03:04:05.250000+00:00"}, {"Status", "ACTIVE"}}}});
  Error("acm-pca", "DescribeCertificateAuthority",
        Status(ErrorCode::kResourceNotFound, "no such CA"), 400, "ResourceNotFoundException", "",
        "ResourceNotFoundException");
  Output("events", "PutEvents", {{"FailedEntryCount", 0}, {"Entries", {{{"EventId", "e1"}}}}},
         {{"FailedEntryCount", 0}, {"Entries", {{{"EventId", "e1"}}}}});
  Error("events", "PutRule", Status(ErrorCode::kAlreadyExists, "exists"), 400,
        "ResourceAlreadyExistsException", "", "ResourceAlreadyExistsException");
  Error("cloudtrail", "CreateTrail", Status(ErrorCode::kInvalidArgs, "bad"), 400,
        "InvalidParameterException", "", "InvalidParameterException");
  Error("acm", "DescribeCertificate", Status(ErrorCode::kResourceNotFound, "none"), 400,
        "ResourceNotFoundException", "", "ResourceNotFoundException");

  // --- rest-json (RAM).
  Output("ram", "CreateResourceShare",
         {{"resourceShare",
           {{"resourceShareArn", "arn:aws:ram:us-east-1:111122223333:resource-share/abc"},
            {"name", "share1"}, {"owningAccountId", "111122223333"},
            {"allowExternalPrincipals", false}, {"status", "ACTIVE"},
            {"creationTime", "2024-01-02T03:04:05Z"}, {"lastUpdatedTime", 1704164646},
            {"tags", {{{"key", "k"}, {"value", "v"}}}}}},
          {"clientToken", "tok"}},
         {{"resourceShare",
           {{"name", "share1"}, {"allowExternalPrincipals", false},
            {"creationTime", "2024-01-02T03:04:05+00:00"},
            {"lastUpdatedTime", "2024-01-02T03:04:06+00:00"},
            {"tags", {{{"key", "k"}, {"value", "v"}}}}}},
          {"clientToken", "tok"}});
  Output("ram", "DeleteResourceShare", {{"returnValue", true}, {"clientToken", "t"}},
         {{"returnValue", true}, {"clientToken", "t"}});
  Error("ram", "GetResourceShares", Status(ErrorCode::kResourceNotFound, "unknown share"), 400,
        "UnknownResourceException", "", "UnknownResourceException");
  Error("ram", "GetResourceShares", Status(ErrorCode::kInvalidArn, "bad arn"), 400,
        "MalformedArnException", "", "MalformedArnException");
  Error("ram", "GetResourceShares", Status(ErrorCode::kPermissionAlreadyExists, "exists"), 409,
        "PermissionAlreadyExistsException", "", "PermissionAlreadyExistsException");
  Error("ram", "GetResourceShares", Status(ErrorCode::kThrottling, "slow"), 429,
        "ThrottlingException", "", "ThrottlingException");
  Error("ram", "GetResourceShares", InternalError("x"), 500, "ServerInternalException", "",
        "ServerInternalException");
  Error("ram", "CreateResourceShare",
        Status(ErrorCode::kIdempotentParameterMismatch, "token reused"), 400,
        "IdempotentParameterMismatchException", "", "IdempotentParameterMismatchException");
}

}  // namespace
}  // namespace openpca::api::protocols

int main() {
  openpca::api::protocols::Run();
  return 0;
}

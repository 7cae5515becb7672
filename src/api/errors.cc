#include "api/errors.h"

#include <nlohmann/json.hpp>

namespace openpca::api {

AwsError AwsErrorFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      break;
    case ErrorCode::kCertificateMismatch:
      return {"CertificateMismatchException", 400};
    case ErrorCode::kConcurrentModification:
      return {"ConcurrentModificationException", 400};
    case ErrorCode::kInvalidArgs:
      return {"InvalidArgsException", 400};
    case ErrorCode::kInvalidArn:
      return {"InvalidArnException", 400};
    case ErrorCode::kInvalidNextToken:
      return {"InvalidNextTokenException", 400};
    case ErrorCode::kInvalidPolicy:
      return {"InvalidPolicyException", 400};
    case ErrorCode::kInvalidRequest:
      return {"InvalidRequestException", 400};
    case ErrorCode::kInvalidState:
      return {"InvalidStateException", 400};
    case ErrorCode::kInvalidTag:
      return {"InvalidTagException", 400};
    case ErrorCode::kLimitExceeded:
      return {"LimitExceededException", 400};
    case ErrorCode::kLockoutPrevented:
      return {"LockoutPreventedException", 400};
    case ErrorCode::kMalformedCsr:
      return {"MalformedCSRException", 400};
    case ErrorCode::kMalformedCertificate:
      return {"MalformedCertificateException", 400};
    case ErrorCode::kPermissionAlreadyExists:
      return {"PermissionAlreadyExistsException", 400};
    case ErrorCode::kRequestAlreadyProcessed:
      return {"RequestAlreadyProcessedException", 400};
    case ErrorCode::kRequestFailed:
      return {"RequestFailedException", 400};
    case ErrorCode::kRequestInProgress:
      return {"RequestInProgressException", 400};
    case ErrorCode::kResourceNotFound:
      return {"ResourceNotFoundException", 400};
    case ErrorCode::kTooManyTags:
      return {"TooManyTagsException", 400};
    case ErrorCode::kValidation:
      return {"ValidationException", 400};
    case ErrorCode::kSerialization:
      return {"SerializationException", 400};
    case ErrorCode::kUnknownOperation:
      return {"UnknownOperationException", 400};
    case ErrorCode::kAccessDenied:
      return {"AccessDeniedException", 400};
    case ErrorCode::kThrottling:
      return {"ThrottlingException", 400};
    case ErrorCode::kMissingAuthenticationToken:
      return {"MissingAuthenticationToken", 403};
    case ErrorCode::kIncompleteSignature:
      return {"IncompleteSignature", 400};
    case ErrorCode::kInvalidSignature:
      return {"InvalidSignatureException", 400};
    case ErrorCode::kUnrecognizedClient:
      return {"UnrecognizedClientException", 400};
    case ErrorCode::kInvalidClientTokenId:
      return {"InvalidClientTokenId", 403};
    case ErrorCode::kRequestExpired:
      return {"RequestExpired", 400};
    case ErrorCode::kRequestEntityTooLarge:
      return {"RequestEntityTooLargeException", 413};
    case ErrorCode::kServiceUnavailable:
      return {"ServiceUnavailable", 503};
    case ErrorCode::kInternal:
      return {"InternalFailure", 500};
    case ErrorCode::kNoSuchEntity:
      return {"NoSuchEntity", 404};
    case ErrorCode::kEntityAlreadyExists:
      return {"EntityAlreadyExists", 409};
    case ErrorCode::kDeleteConflict:
      return {"DeleteConflict", 409};
    case ErrorCode::kMalformedPolicyDocument:
      return {"MalformedPolicyDocument", 400};
    case ErrorCode::kInvalidInput:
      return {"InvalidInput", 400};
    case ErrorCode::kUnmodifiableEntity:
      return {"UnmodifiableEntity", 400};
    case ErrorCode::kPolicyNotAttachable:
      return {"PolicyNotAttachable", 400};
    case ErrorCode::kExpiredToken:
      return {"ExpiredTokenException", 400};
    case ErrorCode::kPackedPolicyTooLarge:
      return {"PackedPolicyTooLarge", 400};
    case ErrorCode::kOrganizationsNotInUse:
      return {"AWSOrganizationsNotInUseException", 400};
    case ErrorCode::kAlreadyInOrganization:
      return {"AlreadyInOrganizationException", 400};
    case ErrorCode::kAccountNotFound:
      return {"AccountNotFoundException", 400};
    case ErrorCode::kDuplicatePolicyAttachment:
      return {"DuplicatePolicyAttachmentException", 400};
    case ErrorCode::kPolicyTypeNotEnabled:
      return {"PolicyTypeNotEnabledException", 400};
    case ErrorCode::kPolicyTypeAlreadyEnabled:
      return {"PolicyTypeAlreadyEnabledException", 400};
    case ErrorCode::kPolicyNotFound:
      return {"PolicyNotFoundException", 400};
    case ErrorCode::kPolicyNotAttached:
      return {"PolicyNotAttachedException", 400};
    case ErrorCode::kTargetNotFound:
      return {"TargetNotFoundException", 400};
    case ErrorCode::kRootNotFound:
      return {"RootNotFoundException", 400};
    case ErrorCode::kParentNotFound:
      return {"ParentNotFoundException", 400};
    case ErrorCode::kDuplicateOrganizationalUnit:
      return {"DuplicateOrganizationalUnitException", 400};
    case ErrorCode::kDuplicatePolicy:
      return {"DuplicatePolicyException", 400};
    case ErrorCode::kCreateAccountStatusNotFound:
      return {"CreateAccountStatusNotFoundException", 400};
    case ErrorCode::kConstraintViolation:
      return {"ConstraintViolationException", 400};
    case ErrorCode::kPolicyInUse:
      return {"PolicyInUseException", 400};
    case ErrorCode::kPolicyTypeNotAvailableForOrganization:
      return {"PolicyTypeNotAvailableForOrganizationException", 400};
  }
  OPENPCA_CHECK(code != ErrorCode::kOk);
  return {"InternalFailure", 500};  // an out-of-range enum value
}

std::string ClientMessage(const Status& status) {
  if (status.code() == ErrorCode::kInternal) {
    return "The request processing has failed because of an unknown error, exception or failure.";
  }
  return status.message();
}

std::string ErrorBody(const Status& status) {
  nlohmann::json body = {{"__type", AwsErrorFor(status.code()).name},
                         {"message", ClientMessage(status)}};
  // Messages can echo client input; replace rather than throw on ill-formed UTF-8.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace openpca::api

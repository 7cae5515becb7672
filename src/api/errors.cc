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
    case ErrorCode::kUnknownResource:
      return {"UnknownResourceException", 400};
    case ErrorCode::kMalformedArn:
      return {"MalformedArnException", 400};
    case ErrorCode::kInvalidParameter:
      return {"InvalidParameterException", 400};
    case ErrorCode::kOperationNotPermitted:
      return {"OperationNotPermittedException", 400};
    case ErrorCode::kIdempotentParameterMismatch:
      return {"IdempotentParameterMismatchException", 400};
    case ErrorCode::kInvalidStateTransition:
      return {"InvalidStateTransitionException", 400};
    case ErrorCode::kResourceShareInvitationAlreadyAccepted:
      return {"ResourceShareInvitationAlreadyAcceptedException", 400};
    case ErrorCode::kResourceShareInvitationAlreadyRejected:
      return {"ResourceShareInvitationAlreadyRejectedException", 400};
    case ErrorCode::kResourceShareInvitationArnNotFound:
      return {"ResourceShareInvitationArnNotFoundException", 400};
    case ErrorCode::kResourceShareInvitationExpired:
      return {"ResourceShareInvitationExpiredException", 400};
    case ErrorCode::kInvalidClientToken:
      return {"InvalidClientTokenException", 400};
    case ErrorCode::kMalformedPolicyTemplate:
      return {"MalformedPolicyTemplateException", 400};
    case ErrorCode::kPermissionVersionsLimitExceeded:
      return {"PermissionVersionsLimitExceededException", 400};
    case ErrorCode::kResourceArnNotFound:
      return {"ResourceArnNotFoundException", 400};
    case ErrorCode::kInvalidResourceType:
      return {"InvalidResourceTypeException", 400};
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

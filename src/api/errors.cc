#include "api/errors.h"

#include <nlohmann/json.hpp>

#include "api/model.h"
#include "api/model_shapes.h"
#include "common/json_text.h"

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
    case ErrorCode::kMalformedPolicyDocument:  // acm-pca names a bad policy document so
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
      return {"ServiceUnavailable", 503, false};
    case ErrorCode::kInternal:
      return {"InternalFailure", 500, false};
    case ErrorCode::kAlreadyExists:
      return {"ResourceAlreadyExistsException", 400};
    case ErrorCode::kDeleteConflict:
      return {"DeleteConflictException", 400};
    case ErrorCode::kUnmodifiableEntity:
      return {"UnmodifiableEntityException", 400};
    case ErrorCode::kPasswordPolicyViolation:
      return {"PasswordPolicyViolationException", 400};
    case ErrorCode::kPolicyNotAttachable:
      return {"PolicyNotAttachableException", 400};
    case ErrorCode::kPolicyEvaluation:
      return {"PolicyEvaluationException", 500};
    case ErrorCode::kCredentialReportNotPresent:
      return {"CredentialReportNotPresentException", 400};
    case ErrorCode::kCredentialReportExpired:
      return {"CredentialReportExpiredException", 400};
    case ErrorCode::kCredentialReportNotReady:
      return {"CredentialReportNotReadyException", 400};
    case ErrorCode::kInvalidAuthenticationCode:
      return {"InvalidAuthenticationCodeException", 400};
    case ErrorCode::kInvalidUserType:
      return {"InvalidUserTypeException", 400};
    case ErrorCode::kInvalidPublicKey:
      return {"InvalidPublicKeyException", 400};
    case ErrorCode::kDuplicateSshPublicKey:
      return {"DuplicateSSHPublicKeyException", 400};
    case ErrorCode::kUnrecognizedPublicKeyEncoding:
      return {"UnrecognizedPublicKeyEncodingException", 400};
    case ErrorCode::kDuplicateCertificate:
      return {"DuplicateCertificateException", 400};
    case ErrorCode::kKeyPairMismatch:
      return {"KeyPairMismatchException", 400};
    case ErrorCode::kServiceNotSupported:
      return {"ServiceNotSupportedException", 400};
    case ErrorCode::kExpiredToken:
      return {"ExpiredTokenException", 400};
    case ErrorCode::kPackedPolicyTooLarge:
      return {"PackedPolicyTooLargeException", 400};
    case ErrorCode::kRegionDisabled:
      return {"RegionDisabledException", 400};
    case ErrorCode::kInvalidIdentityToken:
      return {"InvalidIdentityTokenException", 400};
    case ErrorCode::kIdpRejectedClaim:
      return {"IDPRejectedClaimException", 400};
    case ErrorCode::kIdpCommunicationError:
      return {"IDPCommunicationErrorException", 400};
    case ErrorCode::kInvalidAuthorizationMessage:
      return {"InvalidAuthorizationMessageException", 400};
    case ErrorCode::kOrganizationNotInUse:
      return {"AWSOrganizationsNotInUseException", 400};
    case ErrorCode::kNoSuchEntity:
      return {"NoSuchEntity", 404};
    case ErrorCode::kEntityAlreadyExists:
      return {"EntityAlreadyExists", 409};
    case ErrorCode::kInvalidInput:
      return {"InvalidInput", 400};
    case ErrorCode::kOrganizationsNotInUse:
      return {"AWSOrganizationsNotInUseException", 400};
    case ErrorCode::kAlreadyInOrganization:
      return {"AlreadyInOrganizationException", 400};
    case ErrorCode::kAccountNotFound:
      return {"AccountNotFoundException", 400};
    case ErrorCode::kAccountAlreadyRegistered:
      return {"AccountAlreadyRegisteredException", 400};
    case ErrorCode::kAccountNotRegistered:
      return {"AccountNotRegisteredException", 400};
    case ErrorCode::kOrganizationalUnitNotFound:
      return {"OrganizationalUnitNotFoundException", 400};
    case ErrorCode::kParentNotFound:
      return {"ParentNotFoundException", 400};
    case ErrorCode::kRootNotFound:
      return {"RootNotFoundException", 400};
    case ErrorCode::kChildNotFound:
      return {"ChildNotFoundException", 400};
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
    case ErrorCode::kPolicyInUse:
      return {"PolicyInUseException", 400};
    case ErrorCode::kPolicyTypeNotAvailable:
      return {"PolicyTypeNotAvailableForOrganizationException", 400};
    case ErrorCode::kHandshakeNotFound:
      return {"HandshakeNotFoundException", 400};
    case ErrorCode::kHandshakeConstraintViolation:
      return {"HandshakeConstraintViolationException", 400};
    case ErrorCode::kHandshakeAlreadyInState:
      return {"HandshakeAlreadyInStateException", 400};
    case ErrorCode::kInvalidHandshakeTransition:
      return {"InvalidHandshakeTransitionException", 400};
    case ErrorCode::kDuplicateHandshake:
      return {"DuplicateHandshakeException", 400};
    case ErrorCode::kCreateAccountStatusNotFound:
      return {"CreateAccountStatusNotFoundException", 400};
    case ErrorCode::kTargetNotFound:
      return {"TargetNotFoundException", 400};
    case ErrorCode::kSourceParentNotFound:
      return {"SourceParentNotFoundException", 400};
    case ErrorCode::kDestinationParentNotFound:
      return {"DestinationParentNotFoundException", 400};
    case ErrorCode::kDuplicateAccount:
      return {"DuplicateAccountException", 400};
    case ErrorCode::kDuplicateOrganizationalUnit:
      return {"DuplicateOrganizationalUnitException", 400};
    case ErrorCode::kDuplicatePolicy:
      return {"DuplicatePolicyException", 400};
    case ErrorCode::kOrganizationNotEmpty:
      return {"OrganizationNotEmptyException", 400};
    case ErrorCode::kOrganizationalUnitNotEmpty:
      return {"OrganizationalUnitNotEmptyException", 400};
    case ErrorCode::kMasterCannotLeaveOrganization:
      return {"MasterCannotLeaveOrganizationException", 400};
    case ErrorCode::kConstraintViolation:
      return {"ConstraintViolationException", 400};
    case ErrorCode::kEffectivePolicyNotFound:
      return {"EffectivePolicyNotFoundException", 400};
    case ErrorCode::kResourcePolicyNotFound:
      return {"ResourcePolicyNotFoundException", 400};
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
    case ErrorCode::kInvalidClientToken:
      return {"InvalidClientTokenException", 400};
    case ErrorCode::kInvalidResourceType:
      return {"InvalidResourceTypeException", 400};
    case ErrorCode::kInvalidMaxResults:
      return {"InvalidMaxResultsException", 400};
    case ErrorCode::kMissingRequiredParameter:
      return {"MissingRequiredParameterException", 400};
    case ErrorCode::kResourceArnNotFound:
      return {"ResourceArnNotFoundException", 400};
    case ErrorCode::kResourceShareInvitationArnNotFound:
      return {"ResourceShareInvitationArnNotFoundException", 400};
    case ErrorCode::kInvalidStateTransition:
      return {"InvalidStateTransitionException", 400};
    case ErrorCode::kResourceShareInvitationAlreadyAccepted:
      return {"ResourceShareInvitationAlreadyAcceptedException", 400};
    case ErrorCode::kResourceShareInvitationAlreadyRejected:
      return {"ResourceShareInvitationAlreadyRejectedException", 400};
    case ErrorCode::kResourceShareInvitationExpired:
      return {"ResourceShareInvitationExpiredException", 400};
    case ErrorCode::kMalformedPolicyTemplate:
      return {"MalformedPolicyTemplateException", 400};
    case ErrorCode::kPermissionLimitExceeded:
      return {"PermissionLimitExceededException", 400};
    case ErrorCode::kPermissionVersionsLimitExceeded:
      return {"PermissionVersionsLimitExceededException", 400};
    case ErrorCode::kUnmatchedPolicyPermission:
      return {"UnmatchedPolicyPermissionException", 400};
    case ErrorCode::kMissingAction:
      return {"MissingAction", 400};
    case ErrorCode::kInvalidParameterCombination:
      return {"InvalidParameterCombination", 400};
    case ErrorCode::kEntityTemporarilyUnmodifiable:
      return {"EntityTemporarilyUnmodifiableException", 400};
    case ErrorCode::kFeatureDisabled:
      return {"FeatureDisabledException", 400};
    case ErrorCode::kFeatureEnabled:
      return {"FeatureEnabledException", 400};
    case ErrorCode::kInvalidCertificate:
      return {"InvalidCertificateException", 400};
    case ErrorCode::kReportGenerationLimitExceeded:
      return {"ReportGenerationLimitExceededException", 400};
    case ErrorCode::kPolicyTypeNotAvailableForOrganization:
      return {"PolicyTypeNotAvailableForOrganizationException", 400};
    case ErrorCode::kTrailNotFound:
      return {"TrailNotFoundException", 400};
    case ErrorCode::kTrailAlreadyExists:
      return {"TrailAlreadyExistsException", 400};
    case ErrorCode::kMaximumNumberOfTrailsExceeded:
      return {"MaximumNumberOfTrailsExceededException", 400};
    case ErrorCode::kS3BucketDoesNotExist:
      return {"S3BucketDoesNotExistException", 400};
    case ErrorCode::kInsufficientS3BucketPolicy:
      return {"InsufficientS3BucketPolicyException", 400};
    case ErrorCode::kInvalidTrailName:
      return {"InvalidTrailNameException", 400};
    case ErrorCode::kInvalidHomeRegion:
      return {"InvalidHomeRegionException", 400};
    case ErrorCode::kInvalidS3BucketName:
      return {"InvalidS3BucketNameException", 400};
    case ErrorCode::kInvalidS3Prefix:
      return {"InvalidS3PrefixException", 400};
    case ErrorCode::kInvalidTimeRange:
      return {"InvalidTimeRangeException", 400};
    case ErrorCode::kInvalidToken:
      return {"InvalidTokenException", 400};
    case ErrorCode::kUnsupportedOperation:
      return {"UnsupportedOperationException", 400};
    case ErrorCode::kInvalidLookupAttributes:
      return {"InvalidLookupAttributesException", 400};
  }
  OPENPCA_CHECK(code != ErrorCode::kOk);
  return {"InternalFailure", 500};  // an out-of-range enum value
}

namespace {

struct Override {
  ErrorCode code;
  AwsError error;
};

// Protocol-level names of the query services (IAM, STS): AWS's common errors for them.
constexpr Override kQueryCommon[] = {
    {ErrorCode::kValidation, {"ValidationError", 400}},
    {ErrorCode::kSerialization, {"InvalidParameterValue", 400}},
    {ErrorCode::kUnknownOperation, {"InvalidAction", 400}},
    {ErrorCode::kAccessDenied, {"AccessDenied", 403}},
    {ErrorCode::kThrottling, {"Throttling", 400}},
    {ErrorCode::kInvalidSignature, {"SignatureDoesNotMatch", 403}},
    {ErrorCode::kUnrecognizedClient, {"InvalidClientTokenId", 403}},
    {ErrorCode::kRequestEntityTooLarge, {"RequestEntityTooLarge", 413}},
    {ErrorCode::kInvalidArgs, {"InvalidParameterValue", 400}},
};

constexpr Override kIam[] = {
    {ErrorCode::kResourceNotFound, {"NoSuchEntity", 404}},
    {ErrorCode::kAlreadyExists, {"EntityAlreadyExists", 409}},
    {ErrorCode::kLimitExceeded, {"LimitExceeded", 409}},
    {ErrorCode::kTooManyTags, {"LimitExceeded", 409}},
    {ErrorCode::kInvalidArgs, {"InvalidInput", 400}},
    {ErrorCode::kInvalidTag, {"InvalidInput", 400}},
    {ErrorCode::kInvalidNextToken, {"InvalidInput", 400}},
    {ErrorCode::kInvalidArn, {"InvalidInput", 400}},
    {ErrorCode::kInvalidPolicy, {"MalformedPolicyDocument", 400}},
    {ErrorCode::kMalformedPolicyDocument, {"MalformedPolicyDocument", 400}},
    {ErrorCode::kDeleteConflict, {"DeleteConflict", 409}},
    {ErrorCode::kConcurrentModification, {"ConcurrentModification", 409}},
    {ErrorCode::kUnmodifiableEntity, {"UnmodifiableEntity", 400}},
    {ErrorCode::kPasswordPolicyViolation, {"PasswordPolicyViolation", 400}},
    {ErrorCode::kPolicyNotAttachable, {"PolicyNotAttachable", 400}},
    {ErrorCode::kPolicyEvaluation, {"PolicyEvaluation", 500, false}},
    {ErrorCode::kCredentialReportNotPresent, {"ReportNotPresent", 410}},
    {ErrorCode::kCredentialReportExpired, {"ReportExpired", 410}},
    {ErrorCode::kCredentialReportNotReady, {"ReportInProgress", 404}},
    {ErrorCode::kInvalidAuthenticationCode, {"InvalidAuthenticationCode", 403}},
    {ErrorCode::kInvalidUserType, {"InvalidUserType", 400}},
    {ErrorCode::kInvalidPublicKey, {"InvalidPublicKey", 400}},
    {ErrorCode::kDuplicateSshPublicKey, {"DuplicateSSHPublicKey", 400}},
    {ErrorCode::kUnrecognizedPublicKeyEncoding, {"UnrecognizedPublicKeyEncoding", 400}},
    {ErrorCode::kDuplicateCertificate, {"DuplicateCertificate", 409}},
    {ErrorCode::kMalformedCertificate, {"MalformedCertificate", 400}},
    {ErrorCode::kCertificateMismatch, {"KeyPairMismatch", 400}},
    {ErrorCode::kKeyPairMismatch, {"KeyPairMismatch", 400}},
    {ErrorCode::kServiceNotSupported, {"NotSupportedService", 404}},
    {ErrorCode::kIdpCommunicationError, {"OpenIdIdpCommunicationError", 400}},
    {ErrorCode::kEntityTemporarilyUnmodifiable, {"EntityTemporarilyUnmodifiable", 409}},
    {ErrorCode::kFeatureDisabled, {"FeatureDisabled", 404}},
    {ErrorCode::kFeatureEnabled, {"FeatureEnabled", 409}},
    {ErrorCode::kInvalidCertificate, {"InvalidCertificate", 400}},
    {ErrorCode::kReportGenerationLimitExceeded, {"ReportGenerationLimitExceeded", 409}},
    {ErrorCode::kInternal, {"ServiceFailure", 500, false}},
};

constexpr Override kSts[] = {
    {ErrorCode::kExpiredToken, {"ExpiredTokenException", 400}},
    {ErrorCode::kInvalidPolicy, {"MalformedPolicyDocument", 400}},
    {ErrorCode::kMalformedPolicyDocument, {"MalformedPolicyDocument", 400}},
    {ErrorCode::kPackedPolicyTooLarge, {"PackedPolicyTooLarge", 400}},
    {ErrorCode::kRegionDisabled, {"RegionDisabledException", 403}},
    {ErrorCode::kInvalidIdentityToken, {"InvalidIdentityToken", 400}},
    {ErrorCode::kIdpRejectedClaim, {"IDPRejectedClaim", 403}},
    {ErrorCode::kIdpCommunicationError, {"IDPCommunicationError", 400}},
    {ErrorCode::kInvalidAuthorizationMessage, {"InvalidAuthorizationMessageException", 400}},
};

constexpr Override kOrganizations[] = {
    {ErrorCode::kInvalidArgs, {"InvalidInputException", 400}},
    {ErrorCode::kInvalidArn, {"InvalidInputException", 400}},
    {ErrorCode::kInvalidNextToken, {"InvalidInputException", 400}},
    {ErrorCode::kInvalidTag, {"InvalidInputException", 400}},
    {ErrorCode::kInvalidPolicy, {"MalformedPolicyDocumentException", 400}},
    {ErrorCode::kMalformedPolicyDocument, {"MalformedPolicyDocumentException", 400}},
    {ErrorCode::kLimitExceeded, {"ConstraintViolationException", 400}},
    {ErrorCode::kTooManyTags, {"ConstraintViolationException", 400}},
    {ErrorCode::kResourceNotFound, {"TargetNotFoundException", 400}},
    {ErrorCode::kThrottling, {"TooManyRequestsException", 400}},
    {ErrorCode::kInternal, {"ServiceException", 500, false}},
};

constexpr Override kRam[] = {
    {ErrorCode::kResourceNotFound, {"UnknownResourceException", 400}},
    {ErrorCode::kInvalidArn, {"MalformedArnException", 400}},
    {ErrorCode::kInvalidArgs, {"InvalidParameterException", 400}},
    {ErrorCode::kInvalidRequest, {"OperationNotPermittedException", 400}},
    {ErrorCode::kLimitExceeded, {"ResourceShareLimitExceededException", 400}},
    {ErrorCode::kTooManyTags, {"TagLimitExceededException", 400}},
    {ErrorCode::kInvalidTag, {"TagPolicyViolationException", 400}},
    {ErrorCode::kInvalidState, {"InvalidStateTransitionException", 400}},
    {ErrorCode::kThrottling, {"ThrottlingException", 429}},
    {ErrorCode::kServiceUnavailable, {"ServiceUnavailableException", 503, false}},
    {ErrorCode::kInternal, {"ServerInternalException", 500, false}},
};

constexpr Override kCloudTrail[] = {
    {ErrorCode::kInvalidArgs, {"InvalidParameterException", 400}},
    {ErrorCode::kInvalidArn, {"CloudTrailARNInvalidException", 400}},
    {ErrorCode::kTooManyTags, {"TagsLimitExceededException", 400}},
    {ErrorCode::kInvalidTag, {"InvalidTagParameterException", 400}},
    {ErrorCode::kInvalidParameterCombination, {"InvalidParameterCombinationException", 400}},
    {ErrorCode::kInvalidNextToken, {"InvalidNextTokenException", 400}},
    {ErrorCode::kInvalidMaxResults, {"InvalidMaxResultsException", 400}},
};

// EventBridge: a malformed event pattern is the service's invalid document (kInvalidPolicy).
constexpr Override kEvents[] = {
    {ErrorCode::kInvalidPolicy, {"InvalidEventPatternException", 400}},
    {ErrorCode::kInternal, {"InternalException", 500, false}},
};

constexpr Override kAcm[] = {
    {ErrorCode::kAlreadyExists, {"ConflictException", 400}},
    {ErrorCode::kConcurrentModification, {"ConflictException", 400}},
    // ACM's names for a DomainValidationOptions entry that names no domain of the request, and
    // for a certificate that cannot be deleted while in use.
    {ErrorCode::kInvalidParameterCombination, {"InvalidDomainValidationOptionsException", 400}},
    {ErrorCode::kDeleteConflict, {"ResourceInUseException", 400}},
};

template <size_t N>
bool Apply(const Override (&table)[N], ErrorCode code, AwsError* out) {
  for (const Override& o : table) {
    if (o.code == code) {
      *out = o.error;
      return true;
    }
  }
  return false;
}

}  // namespace

AwsError ErrorFor(std::string_view service, ErrorCode code) {
  AwsError err = AwsErrorFor(code);
  if (service == "iam" || service == "sts") {
    Apply(kQueryCommon, code, &err);
    if (service == "iam") {
      Apply(kIam, code, &err);
    } else {
      Apply(kSts, code, &err);
    }
  } else if (service == "organizations") {
    Apply(kOrganizations, code, &err);
  } else if (service == "ram") {
    Apply(kRam, code, &err);
  } else if (service == "cloudtrail") {
    Apply(kCloudTrail, code, &err);
  } else if (service == "events") {
    Apply(kEvents, code, &err);
  } else if (service == "acm") {
    Apply(kAcm, code, &err);
  }
  // A modeled error's status and fault are the model's.
  if (ServiceModel::Has(service)) {
    const Shape* shape = ServiceModel::Get(service).FindError(err.name);
    if (shape != nullptr) {
      if (shape->http_status.has_value()) err.http_status = *shape->http_status;
      err.sender_fault = shape->sender_fault;
    }
  }
  return err;
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
  return JsonTextReplacingInvalidUtf8(body);
}

}  // namespace openpca::api

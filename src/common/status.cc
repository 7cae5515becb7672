#include "common/status.h"

namespace openpca {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kCertificateMismatch: return "certificate_mismatch";
    case ErrorCode::kConcurrentModification: return "concurrent_modification";
    case ErrorCode::kInvalidArgs: return "invalid_args";
    case ErrorCode::kInvalidArn: return "invalid_arn";
    case ErrorCode::kInvalidNextToken: return "invalid_next_token";
    case ErrorCode::kInvalidPolicy: return "invalid_policy";
    case ErrorCode::kInvalidRequest: return "invalid_request";
    case ErrorCode::kInvalidState: return "invalid_state";
    case ErrorCode::kInvalidTag: return "invalid_tag";
    case ErrorCode::kLimitExceeded: return "limit_exceeded";
    case ErrorCode::kLockoutPrevented: return "lockout_prevented";
    case ErrorCode::kMalformedCsr: return "malformed_csr";
    case ErrorCode::kMalformedCertificate: return "malformed_certificate";
    case ErrorCode::kPermissionAlreadyExists: return "permission_already_exists";
    case ErrorCode::kRequestAlreadyProcessed: return "request_already_processed";
    case ErrorCode::kRequestFailed: return "request_failed";
    case ErrorCode::kRequestInProgress: return "request_in_progress";
    case ErrorCode::kResourceNotFound: return "resource_not_found";
    case ErrorCode::kTooManyTags: return "too_many_tags";
    case ErrorCode::kValidation: return "validation";
    case ErrorCode::kSerialization: return "serialization";
    case ErrorCode::kUnknownOperation: return "unknown_operation";
    case ErrorCode::kAccessDenied: return "access_denied";
    case ErrorCode::kThrottling: return "throttling";
    case ErrorCode::kMissingAuthenticationToken: return "missing_authentication_token";
    case ErrorCode::kIncompleteSignature: return "incomplete_signature";
    case ErrorCode::kInvalidSignature: return "invalid_signature";
    case ErrorCode::kUnrecognizedClient: return "unrecognized_client";
    case ErrorCode::kInvalidClientTokenId: return "invalid_client_token_id";
    case ErrorCode::kRequestExpired: return "request_expired";
    case ErrorCode::kRequestEntityTooLarge: return "request_entity_too_large";
    case ErrorCode::kServiceUnavailable: return "service_unavailable";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kUnknownResource: return "unknown_resource";
    case ErrorCode::kMalformedArn: return "malformed_arn";
    case ErrorCode::kInvalidParameter: return "invalid_parameter";
    case ErrorCode::kOperationNotPermitted: return "operation_not_permitted";
    case ErrorCode::kIdempotentParameterMismatch: return "idempotent_parameter_mismatch";
    case ErrorCode::kInvalidStateTransition: return "invalid_state_transition";
    case ErrorCode::kResourceShareInvitationAlreadyAccepted: return "resource_share_invitation_already_accepted";
    case ErrorCode::kResourceShareInvitationAlreadyRejected: return "resource_share_invitation_already_rejected";
    case ErrorCode::kResourceShareInvitationArnNotFound: return "resource_share_invitation_arn_not_found";
    case ErrorCode::kResourceShareInvitationExpired: return "resource_share_invitation_expired";
    case ErrorCode::kInvalidClientToken: return "invalid_client_token";
    case ErrorCode::kMalformedPolicyTemplate: return "malformed_policy_template";
    case ErrorCode::kPermissionVersionsLimitExceeded: return "permission_versions_limit_exceeded";
    case ErrorCode::kResourceArnNotFound: return "resource_arn_not_found";
    case ErrorCode::kInvalidResourceType: return "invalid_resource_type";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace openpca

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
    case ErrorCode::kMalformedPolicyDocument: return "malformed_policy_document";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kDeleteConflict: return "delete_conflict";
    case ErrorCode::kUnmodifiableEntity: return "unmodifiable_entity";
    case ErrorCode::kPasswordPolicyViolation: return "password_policy_violation";
    case ErrorCode::kPolicyNotAttachable: return "policy_not_attachable";
    case ErrorCode::kPolicyEvaluation: return "policy_evaluation";
    case ErrorCode::kCredentialReportNotPresent: return "credential_report_not_present";
    case ErrorCode::kCredentialReportExpired: return "credential_report_expired";
    case ErrorCode::kCredentialReportNotReady: return "credential_report_not_ready";
    case ErrorCode::kInvalidAuthenticationCode: return "invalid_authentication_code";
    case ErrorCode::kInvalidUserType: return "invalid_user_type";
    case ErrorCode::kInvalidPublicKey: return "invalid_public_key";
    case ErrorCode::kDuplicateSshPublicKey: return "duplicate_ssh_public_key";
    case ErrorCode::kUnrecognizedPublicKeyEncoding: return "unrecognized_public_key_encoding";
    case ErrorCode::kDuplicateCertificate: return "duplicate_certificate";
    case ErrorCode::kKeyPairMismatch: return "key_pair_mismatch";
    case ErrorCode::kServiceNotSupported: return "service_not_supported";
    case ErrorCode::kExpiredToken: return "expired_token";
    case ErrorCode::kPackedPolicyTooLarge: return "packed_policy_too_large";
    case ErrorCode::kRegionDisabled: return "region_disabled";
    case ErrorCode::kInvalidIdentityToken: return "invalid_identity_token";
    case ErrorCode::kIdpRejectedClaim: return "idp_rejected_claim";
    case ErrorCode::kIdpCommunicationError: return "idp_communication_error";
    case ErrorCode::kInvalidAuthorizationMessage: return "invalid_authorization_message";
    case ErrorCode::kOrganizationNotInUse: return "organization_not_in_use";
    case ErrorCode::kAlreadyInOrganization: return "already_in_organization";
    case ErrorCode::kAccountNotFound: return "account_not_found";
    case ErrorCode::kAccountAlreadyRegistered: return "account_already_registered";
    case ErrorCode::kAccountNotRegistered: return "account_not_registered";
    case ErrorCode::kOrganizationalUnitNotFound: return "organizational_unit_not_found";
    case ErrorCode::kParentNotFound: return "parent_not_found";
    case ErrorCode::kRootNotFound: return "root_not_found";
    case ErrorCode::kChildNotFound: return "child_not_found";
    case ErrorCode::kPolicyNotFound: return "policy_not_found";
    case ErrorCode::kPolicyNotAttached: return "policy_not_attached";
    case ErrorCode::kPolicyInUse: return "policy_in_use";
    case ErrorCode::kPolicyTypeAlreadyEnabled: return "policy_type_already_enabled";
    case ErrorCode::kPolicyTypeNotEnabled: return "policy_type_not_enabled";
    case ErrorCode::kPolicyTypeNotAvailable: return "policy_type_not_available";
    case ErrorCode::kHandshakeNotFound: return "handshake_not_found";
    case ErrorCode::kHandshakeConstraintViolation: return "handshake_constraint_violation";
    case ErrorCode::kHandshakeAlreadyInState: return "handshake_already_in_state";
    case ErrorCode::kInvalidHandshakeTransition: return "invalid_handshake_transition";
    case ErrorCode::kDuplicateHandshake: return "duplicate_handshake";
    case ErrorCode::kCreateAccountStatusNotFound: return "create_account_status_not_found";
    case ErrorCode::kTargetNotFound: return "target_not_found";
    case ErrorCode::kSourceParentNotFound: return "source_parent_not_found";
    case ErrorCode::kDestinationParentNotFound: return "destination_parent_not_found";
    case ErrorCode::kDuplicateAccount: return "duplicate_account";
    case ErrorCode::kDuplicateOrganizationalUnit: return "duplicate_organizational_unit";
    case ErrorCode::kDuplicatePolicy: return "duplicate_policy";
    case ErrorCode::kDuplicatePolicyAttachment: return "duplicate_policy_attachment";
    case ErrorCode::kOrganizationNotEmpty: return "organization_not_empty";
    case ErrorCode::kOrganizationalUnitNotEmpty: return "organizational_unit_not_empty";
    case ErrorCode::kMasterCannotLeaveOrganization: return "master_cannot_leave_organization";
    case ErrorCode::kConstraintViolation: return "constraint_violation";
    case ErrorCode::kEffectivePolicyNotFound: return "effective_policy_not_found";
    case ErrorCode::kResourcePolicyNotFound: return "resource_policy_not_found";
    case ErrorCode::kOperationNotPermitted: return "operation_not_permitted";
    case ErrorCode::kIdempotentParameterMismatch: return "idempotent_parameter_mismatch";
    case ErrorCode::kInvalidClientToken: return "invalid_client_token";
    case ErrorCode::kInvalidResourceType: return "invalid_resource_type";
    case ErrorCode::kInvalidMaxResults: return "invalid_max_results";
    case ErrorCode::kMissingRequiredParameter: return "missing_required_parameter";
    case ErrorCode::kResourceArnNotFound: return "resource_arn_not_found";
    case ErrorCode::kResourceShareInvitationArnNotFound: return "resource_share_invitation_arn_not_found";
    case ErrorCode::kResourceShareInvitationAlreadyAccepted: return "resource_share_invitation_already_accepted";
    case ErrorCode::kResourceShareInvitationAlreadyRejected: return "resource_share_invitation_already_rejected";
    case ErrorCode::kResourceShareInvitationExpired: return "resource_share_invitation_expired";
    case ErrorCode::kMalformedPolicyTemplate: return "malformed_policy_template";
    case ErrorCode::kPermissionLimitExceeded: return "permission_limit_exceeded";
    case ErrorCode::kPermissionVersionsLimitExceeded: return "permission_versions_limit_exceeded";
    case ErrorCode::kUnmatchedPolicyPermission: return "unmatched_policy_permission";
    case ErrorCode::kMissingAction: return "missing_action";
    case ErrorCode::kInvalidParameterCombination: return "invalid_parameter_combination";
    case ErrorCode::kEntityTemporarilyUnmodifiable: return "entity_temporarily_unmodifiable";
    case ErrorCode::kFeatureDisabled: return "feature_disabled";
    case ErrorCode::kFeatureEnabled: return "feature_enabled";
    case ErrorCode::kInvalidCertificate: return "invalid_certificate";
    case ErrorCode::kReportGenerationLimitExceeded: return "report_generation_limit_exceeded";
    case ErrorCode::kUnknownResource: return "unknown_resource";
    case ErrorCode::kMalformedArn: return "malformed_arn";
    case ErrorCode::kInvalidParameter: return "invalid_parameter";
    case ErrorCode::kInvalidStateTransition: return "invalid_state_transition";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace openpca

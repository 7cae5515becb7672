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
    case ErrorCode::kNoSuchEntity: return "no_such_entity";
    case ErrorCode::kEntityAlreadyExists: return "entity_already_exists";
    case ErrorCode::kDeleteConflict: return "delete_conflict";
    case ErrorCode::kMalformedPolicyDocument: return "malformed_policy_document";
    case ErrorCode::kInvalidInput: return "invalid_input";
    case ErrorCode::kUnmodifiableEntity: return "unmodifiable_entity";
    case ErrorCode::kPolicyNotAttachable: return "policy_not_attachable";
    case ErrorCode::kExpiredToken: return "expired_token";
    case ErrorCode::kPackedPolicyTooLarge: return "packed_policy_too_large";
    case ErrorCode::kOrganizationsNotInUse: return "organizations_not_in_use";
    case ErrorCode::kAlreadyInOrganization: return "already_in_organization";
    case ErrorCode::kAccountNotFound: return "account_not_found";
    case ErrorCode::kDuplicatePolicyAttachment: return "duplicate_policy_attachment";
    case ErrorCode::kPolicyTypeNotEnabled: return "policy_type_not_enabled";
    case ErrorCode::kPolicyTypeAlreadyEnabled: return "policy_type_already_enabled";
    case ErrorCode::kPolicyNotFound: return "policy_not_found";
    case ErrorCode::kPolicyNotAttached: return "policy_not_attached";
    case ErrorCode::kTargetNotFound: return "target_not_found";
    case ErrorCode::kRootNotFound: return "root_not_found";
    case ErrorCode::kParentNotFound: return "parent_not_found";
    case ErrorCode::kDuplicateOrganizationalUnit: return "duplicate_organizational_unit";
    case ErrorCode::kDuplicatePolicy: return "duplicate_policy";
    case ErrorCode::kCreateAccountStatusNotFound: return "create_account_status_not_found";
    case ErrorCode::kConstraintViolation: return "constraint_violation";
    case ErrorCode::kPolicyInUse: return "policy_in_use";
    case ErrorCode::kPolicyTypeNotAvailableForOrganization: return "policy_type_not_available_for_organization";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace openpca

// Status and Result<T>: the one error type of openpca.
//
// ErrorCode is closed and append-only. Only api/ maps codes to AWS error names and HTTP statuses.
// A Status carries a code and a client-safe message; kInternal detail goes to the log only.
// Value types; thread-compatible.
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace openpca {

enum class ErrorCode {
  kOk = 0,
  // Modeled acm-pca exceptions.
  kCertificateMismatch,
  kConcurrentModification,
  kInvalidArgs,
  kInvalidArn,
  kInvalidNextToken,
  kInvalidPolicy,
  kInvalidRequest,
  kInvalidState,
  kInvalidTag,
  kLimitExceeded,
  kLockoutPrevented,
  kMalformedCsr,
  kMalformedCertificate,
  kPermissionAlreadyExists,
  kRequestAlreadyProcessed,
  kRequestFailed,
  kRequestInProgress,
  kResourceNotFound,
  kTooManyTags,
  // Protocol-level errors common to every AWS JSON service.
  kValidation,
  kSerialization,
  kUnknownOperation,
  kAccessDenied,
  kThrottling,
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kInvalidSignature,
  kUnrecognizedClient,
  kInvalidClientTokenId,
  kRequestExpired,
  kRequestEntityTooLarge,
  kServiceUnavailable,
  kInternal,
  // IAM-style policy documents (src/policy): bad JSON or grammar.
  kMalformedPolicyDocument,
  // Appended for IAM, STS, Organizations and RAM (see api/errors.cc for their names).
  kAlreadyExists,
  kDeleteConflict,
  kUnmodifiableEntity,
  kPasswordPolicyViolation,
  kPolicyNotAttachable,
  kPolicyEvaluation,
  kCredentialReportNotPresent,
  kCredentialReportExpired,
  kCredentialReportNotReady,
  kInvalidAuthenticationCode,
  kInvalidUserType,
  kInvalidPublicKey,
  kDuplicateSshPublicKey,
  kUnrecognizedPublicKeyEncoding,
  kDuplicateCertificate,
  kKeyPairMismatch,
  kServiceNotSupported,
  kExpiredToken,
  kPackedPolicyTooLarge,
  kRegionDisabled,
  kInvalidIdentityToken,
  kIdpRejectedClaim,
  kIdpCommunicationError,
  kInvalidAuthorizationMessage,
  kOrganizationNotInUse,
  kAlreadyInOrganization,
  kAccountNotFound,
  kAccountAlreadyRegistered,
  kAccountNotRegistered,
  kOrganizationalUnitNotFound,
  kParentNotFound,
  kRootNotFound,
  kChildNotFound,
  kPolicyNotFound,
  kPolicyNotAttached,
  kPolicyInUse,
  kPolicyTypeAlreadyEnabled,
  kPolicyTypeNotEnabled,
  kPolicyTypeNotAvailable,
  kHandshakeNotFound,
  kHandshakeConstraintViolation,
  kHandshakeAlreadyInState,
  kInvalidHandshakeTransition,
  kDuplicateHandshake,
  kCreateAccountStatusNotFound,
  kTargetNotFound,
  kSourceParentNotFound,
  kDestinationParentNotFound,
  kDuplicateAccount,
  kDuplicateOrganizationalUnit,
  kDuplicatePolicy,
  kDuplicatePolicyAttachment,
  kOrganizationNotEmpty,
  kOrganizationalUnitNotEmpty,
  kMasterCannotLeaveOrganization,
  kConstraintViolation,
  kEffectivePolicyNotFound,
  kResourcePolicyNotFound,
  kOperationNotPermitted,
  kIdempotentParameterMismatch,
  kInvalidClientToken,
  kInvalidResourceType,
  kInvalidMaxResults,
  kMissingRequiredParameter,
  kResourceArnNotFound,
  kResourceShareInvitationArnNotFound,
  kResourceShareInvitationAlreadyAccepted,
  kResourceShareInvitationAlreadyRejected,
  kResourceShareInvitationExpired,
  kMalformedPolicyTemplate,
  kPermissionLimitExceeded,
  kPermissionVersionsLimitExceeded,
  kUnmatchedPolicyPermission,
  kMissingAction,
  kInvalidParameterCombination,
  kEntityTemporarilyUnmodifiable,
  kFeatureDisabled,
  kFeatureEnabled,
  kInvalidCertificate,
  kReportGenerationLimitExceeded,
  // AWS RAM exceptions (codes above that RAM shares, e.g. kInvalidNextToken, are reused).
  kUnknownResource,
  kMalformedArn,
  kInvalidParameter,
  kInvalidStateTransition,
  // IAM, STS and Organizations (names per service: api/ maps them).
  kNoSuchEntity,
  kEntityAlreadyExists,
  kInvalidInput,
  kOrganizationsNotInUse,
  kPolicyTypeNotAvailableForOrganization,
  // CloudTrail trails and their delivery.
  kTrailNotFound,
  kTrailAlreadyExists,
  kMaximumNumberOfTrailsExceeded,
  kS3BucketDoesNotExist,
  kInsufficientS3BucketPolicy,
  kInvalidTrailName,
  kInvalidHomeRegion,
  kInvalidS3BucketName,
  kInvalidS3Prefix,
  kInvalidTimeRange,
  kInvalidToken,
  kUnsupportedOperation,
  // CloudTrail LookupEvents.
  kInvalidLookupAttributes,
};

// Stable lower-case name for logs ("invalid_state"); never an AWS name.
const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status InternalError(std::string message) {
  return Status(ErrorCode::kInternal, std::move(message));
}

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) {
      std::cerr << "openpca: Result constructed from an OK status\n";
      std::abort();
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return CheckedValue(); }
  const T& value() const& { return const_cast<Result*>(this)->CheckedValue(); }
  T&& value() && { return std::move(CheckedValue()); }
  T* operator->() { return &CheckedValue(); }
  const T* operator->() const { return &const_cast<Result*>(this)->CheckedValue(); }
  T& operator*() & { return CheckedValue(); }
  const T& operator*() const& { return const_cast<Result*>(this)->CheckedValue(); }

 private:
  T& CheckedValue() {
    if (!ok()) {
      std::cerr << "openpca: value() on error Result: " << std::get<Status>(v_).ToString() << "\n";
      std::abort();
    }
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

#define OPENPCA_CONCAT_INNER(a, b) a##b
#define OPENPCA_CONCAT(a, b) OPENPCA_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)               \
  do {                                      \
    ::openpca::Status _st = (expr);         \
    if (!_st.ok()) return _st;              \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(OPENPCA_CONCAT(_res_, __LINE__), lhs, expr)

// Aborts with a message: for broken invariants (bugs), never for bad input.
#define OPENPCA_CHECK(cond)                                                          \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::cerr << "openpca: check failed: " #cond " at " << __FILE__ << ":" << __LINE__ \
                << "\n";                                                             \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

}  // namespace openpca

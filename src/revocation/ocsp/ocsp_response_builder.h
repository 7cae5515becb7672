// OCSP response encoding (RFC 6960 4.2.1) with the DER writer of revocation/crl/der_writer.h:
// error OCSPResponses (status only), and signed OCSPResponses carrying a BasicOCSPResponse whose
// signature comes from the issuer's keys::Signer (the private key never leaves it; OpenSSL's
// OCSP_basic_sign cannot be used because it wants the key).
//
//   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
//                               responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
//   ResponseBytes ::= SEQUENCE { responseType id-pkix-ocsp-basic, response OCTET STRING }
//   BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm,
//                                    signature BIT STRING, certs [0] EXPLICIT OPTIONAL }
//   ResponseData ::= SEQUENCE { version (v1, DEFAULT: omitted), responderID byKey [2],
//                               producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
//                               responseExtensions [1] EXPLICIT Extensions OPTIONAL (nonce) }
//   SingleResponse ::= SEQUENCE { certID (the request's, as given), certStatus, thisUpdate,
//                                 nextUpdate [0] EXPLICIT GeneralizedTime }
//   certStatus: good [0] IMPLICIT NULL | revoked [1] IMPLICIT SEQUENCE { revocationTime,
//               revocationReason [0] EXPLICIT CRLReason OPTIONAL } | unknown [2] IMPLICIT NULL
// All times are GeneralizedTime "YYYYMMDDHHMMSSZ" in whole seconds (rounded down).
//
// Ownership: the functions borrow their inputs for the call and return new buffers.
// Thread-safety: pure functions (the Signer is thread-safe by contract).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/status.h"
#include "revocation/ocsp/ocsp_issuer.h"

namespace openpca::revocation {

// OCSPResponseStatus (RFC 6960 4.2.1). 4 is not used.
enum class OcspResponseStatus {
  kSuccessful = 0,
  kMalformedRequest = 1,
  kInternalError = 2,
  kTryLater = 3,
  kSigRequired = 5,
  kUnauthorized = 6,
};

// The whole OCSPResponse for a status without responseBytes: 30 03 0a 01 <status>.
// `status` must not be kSuccessful (aborts: a bug).
Bytes EncodeOcspErrorResponse(OcspResponseStatus status);

enum class OcspCertStatus { kGood, kRevoked, kUnknown };

struct OcspSingleResponseInput {
  // The CertID exactly as in the request (one complete DER element).
  std::span<const uint8_t> cert_id_der;
  OcspCertStatus status = OcspCertStatus::kUnknown;
  // For kRevoked: revocationTime (epoch ms, rounded down to seconds) and the RFC 5280 CRLReason
  // code (nullopt: no revocationReason).
  int64_t revoked_at_ms = 0;
  std::optional<int> reason;
};

struct OcspResponseInput {
  TimePoint produced_at;
  TimePoint this_update;
  TimePoint next_update;
  std::vector<OcspSingleResponseInput> responses;  // at least one
  // The request's nonce Extension (extnID, critical, extnValue), DER, copied as is into
  // responseExtensions; empty for none.
  std::span<const uint8_t> nonce_extension_der;
};

// Encodes the ResponseData, signs it with issuer.response_signer() and returns the DER
// OCSPResponse (successful). Errors: kInvalidArgs (no responses, a time outside the years
// 0000..9999, a reason that is not a CRLReason code); those of Signer::Sign (kInternal).
Result<Bytes> BuildSignedOcspResponse(const OcspIssuer& issuer, const OcspResponseInput& in);

// Appends a GeneralizedTime "YYYYMMDDHHMMSSZ". Errors: kInvalidArgs outside years 0000..9999.
Status AppendDerGeneralizedTime(Bytes& out, int64_t unix_seconds);

}  // namespace openpca::revocation

#include "revocation/ocsp/ocsp_response_builder.h"

#include <chrono>
#include <string>

#include "revocation/crl/der_writer.h"

namespace openpca::revocation {
namespace {

// id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1, whole OBJECT IDENTIFIER element.
constexpr uint8_t kOidOcspBasic[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x05,
                                     0x05, 0x07, 0x30, 0x01, 0x01};
constexpr uint8_t kGood[] = {DerContextPrimitive(0), 0x00};
constexpr uint8_t kUnknown[] = {DerContextPrimitive(2), 0x00};

int64_t FloorSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

bool IsCrlReason(int reason) { return reason >= 0 && reason <= 10 && reason != 7; }

Status AppendSingleResponse(Bytes& out, const OcspSingleResponseInput& r,
                            std::span<const uint8_t> update_times) {
  Bytes body;
  body.reserve(r.cert_id_der.size() + update_times.size() + 32);
  body.insert(body.end(), r.cert_id_der.begin(), r.cert_id_der.end());
  switch (r.status) {
    case OcspCertStatus::kGood:
      body.insert(body.end(), std::begin(kGood), std::end(kGood));
      break;
    case OcspCertStatus::kUnknown:
      body.insert(body.end(), std::begin(kUnknown), std::end(kUnknown));
      break;
    case OcspCertStatus::kRevoked: {
      Bytes info;
      RETURN_IF_ERROR(AppendDerGeneralizedTime(info, FloorDiv(r.revoked_at_ms, 1000)));
      if (r.reason.has_value()) {
        if (!IsCrlReason(*r.reason)) {
          return Status(ErrorCode::kInvalidArgs, "revocation reason is not a CRLReason code");
        }
        const uint8_t reason[] = {DerContextConstructed(0), 0x03, kDerEnumerated, 0x01,
                                  static_cast<uint8_t>(*r.reason)};
        info.insert(info.end(), std::begin(reason), std::end(reason));
      }
      AppendDer(body, DerContextConstructed(1), info);
      break;
    }
  }
  body.insert(body.end(), update_times.begin(), update_times.end());
  AppendDer(out, kDerSequence, body);
  return Status::Ok();
}

}  // namespace

Bytes EncodeOcspErrorResponse(OcspResponseStatus status) {
  OPENPCA_CHECK(status != OcspResponseStatus::kSuccessful);
  return Bytes{kDerSequence, 0x03, kDerEnumerated, 0x01, static_cast<uint8_t>(status)};
}

Status AppendDerGeneralizedTime(Bytes& out, int64_t unix_seconds) {
  // WriteDerTime picks UTCTime for 1950..2049; OCSP always uses GeneralizedTime, whose digits
  // are the UTCTime's with the century in front.
  uint8_t buf[kMaxDerTimeSize];
  std::optional<size_t> n = WriteDerTime(unix_seconds, buf);
  if (!n.has_value()) {
    return Status(ErrorCode::kInvalidArgs,
                  "time " + std::to_string(unix_seconds) + " is outside the years 0000..9999");
  }
  if (buf[0] == kDerGeneralizedTime) {
    out.insert(out.end(), buf, buf + *n);
    return Status::Ok();
  }
  // UTCTime "YYMMDDHHMMSSZ" for 1950..2049.
  const bool nineteen = buf[2] >= '5';
  out.push_back(kDerGeneralizedTime);
  out.push_back(15);
  out.push_back(nineteen ? '1' : '2');
  out.push_back(nineteen ? '9' : '0');
  out.insert(out.end(), buf + 2, buf + *n);
  return Status::Ok();
}

Result<Bytes> BuildSignedOcspResponse(const OcspIssuer& issuer, const OcspResponseInput& in) {
  if (in.responses.empty()) return Status(ErrorCode::kInvalidArgs, "no SingleResponse");

  // thisUpdate and [0] EXPLICIT nextUpdate, the same for every SingleResponse.
  Bytes update_times;
  RETURN_IF_ERROR(AppendDerGeneralizedTime(update_times, FloorSeconds(in.this_update)));
  {
    Bytes next;
    RETURN_IF_ERROR(AppendDerGeneralizedTime(next, FloorSeconds(in.next_update)));
    AppendDer(update_times, DerContextConstructed(0), next);
  }

  Bytes responses;
  for (const OcspSingleResponseInput& r : in.responses) {
    RETURN_IF_ERROR(AppendSingleResponse(responses, r, update_times));
  }

  // ResponseData, version omitted (v1 is the DEFAULT).
  Bytes data;
  data.reserve(responses.size() + in.nonce_extension_der.size() + 96);
  std::span<const uint8_t> responder_id = issuer.responder_id_der();
  data.insert(data.end(), responder_id.begin(), responder_id.end());
  RETURN_IF_ERROR(AppendDerGeneralizedTime(data, FloorSeconds(in.produced_at)));
  AppendDer(data, kDerSequence, responses);
  if (!in.nonce_extension_der.empty()) {
    Bytes extensions;
    AppendDer(extensions, kDerSequence, in.nonce_extension_der);
    AppendDer(data, DerContextConstructed(1), extensions);
  }
  Bytes tbs;
  tbs.reserve(data.size() + kMaxDerHeaderSize);
  AppendDer(tbs, kDerSequence, data);

  ASSIGN_OR_RETURN(Bytes signature,
                   issuer.response_signer().Sign(issuer.response_signing_algorithm(), tbs));

  // BasicOCSPResponse.
  std::span<const uint8_t> algorithm = issuer.signature_algorithm_der();
  std::span<const uint8_t> certs = issuer.certs_der();
  Bytes basic_body;
  basic_body.reserve(tbs.size() + algorithm.size() + signature.size() + certs.size() + 16);
  basic_body.insert(basic_body.end(), tbs.begin(), tbs.end());
  basic_body.insert(basic_body.end(), algorithm.begin(), algorithm.end());
  AppendDerHeader(basic_body, kDerBitString, signature.size() + 1);
  basic_body.push_back(0x00);  // no unused bits
  basic_body.insert(basic_body.end(), signature.begin(), signature.end());
  basic_body.insert(basic_body.end(), certs.begin(), certs.end());
  Bytes basic;
  AppendDer(basic, kDerSequence, basic_body);

  // ResponseBytes, then OCSPResponse.
  Bytes response_bytes_body(std::begin(kOidOcspBasic), std::end(kOidOcspBasic));
  AppendDer(response_bytes_body, kDerOctetString, basic);
  Bytes response_bytes;
  AppendDer(response_bytes, kDerSequence, response_bytes_body);
  Bytes outer{kDerEnumerated, 0x01, static_cast<uint8_t>(OcspResponseStatus::kSuccessful)};
  AppendDer(outer, DerContextConstructed(0), response_bytes);
  Bytes out;
  out.reserve(outer.size() + kMaxDerHeaderSize);
  AppendDer(out, kDerSequence, outer);
  return out;
}

}  // namespace openpca::revocation

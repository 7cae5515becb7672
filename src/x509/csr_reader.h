// ParsedCsr: a PKCS#10 request read straight from its DER, for issuance. The request is parsed
// once; names, the SubjectPublicKeyInfo and the requested extensions stay as the DER bytes the
// certificate will carry, so no OpenSSL encoder or decoder runs for them. The public key is
// decoded once, for the signature check (VerifyParsedCsr).
//
// WARNING: trust boundary. The input comes straight from API requests. Only strict DER is
// accepted (definite, minimal lengths; no trailing data); every rejection is
// ErrorCode::kMalformedCsr with a message that is safe to return to the client.
//
// Ownership: a ParsedCsr owns a copy of the DER; its spans point into it (moving keeps them
// valid; copying is not allowed). Thread-safety: immutable after Parse(); thread-safe to read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "x509/ossl.h"

namespace openpca::x509 {

// A requested extension in DER as the certificate carries it: the OID and value octets as
// received, criticality absent (also for an explicit FALSE, which DER leaves out) or TRUE
// (01 01 ff, whatever non-zero octet the CSR used).
struct CsrExtension {
  Bytes oid;  // OBJECT IDENTIFIER content octets (the identity of the extension)
  Bytes der;  // the whole Extension SEQUENCE
};

class ParsedCsr {
 public:
  // Parses a CSR given as PEM text (as the API sends it) or as DER. Only syntax is checked.
  // Errors: kMalformedCsr.
  static Result<ParsedCsr> Parse(std::span<const uint8_t> pem_or_der);

  ParsedCsr(ParsedCsr&&) = default;
  ParsedCsr& operator=(ParsedCsr&&) = default;
  ParsedCsr(const ParsedCsr&) = delete;
  ParsedCsr& operator=(const ParsedCsr&) = delete;

  std::span<const uint8_t> der() const { return der_; }
  // CertificationRequestInfo: the signed bytes.
  std::span<const uint8_t> info() const { return info_; }
  // The subject Name as received, and its number of attribute values (X509_NAME_entry_count).
  std::span<const uint8_t> subject() const { return subject_; }
  size_t subject_entry_count() const { return subject_entries_; }
  // The SubjectPublicKeyInfo as the certificate carries it.
  const Bytes& public_key_der() const { return spki_; }
  std::span<const uint8_t> key_algorithm_oid() const { return key_alg_oid_; }
  // The whole parameters element of the key's AlgorithmIdentifier, empty when absent.
  std::span<const uint8_t> key_parameters() const { return key_params_; }
  // The subjectPublicKey BIT STRING's octets (after the unused-bits octet, which is 0).
  std::span<const uint8_t> key_bits() const { return key_bits_; }
  // The extensionRequest's extensions in order (empty when there is none).
  const std::vector<CsrExtension>& extensions() const { return extensions_; }
  std::span<const uint8_t> signature_algorithm_oid() const { return sig_alg_oid_; }
  // The whole parameters element of the signature's AlgorithmIdentifier, empty when absent.
  std::span<const uint8_t> signature_algorithm_parameters() const { return sig_alg_params_; }
  std::span<const uint8_t> signature() const { return signature_; }

 private:
  ParsedCsr() = default;
  Status ParseDer();

  Bytes der_;
  std::span<const uint8_t> info_;
  std::span<const uint8_t> subject_;
  size_t subject_entries_ = 0;
  Bytes spki_;
  std::span<const uint8_t> key_alg_oid_;
  std::span<const uint8_t> key_params_;
  std::span<const uint8_t> key_bits_;
  std::vector<CsrExtension> extensions_;
  std::span<const uint8_t> sig_alg_oid_;
  std::span<const uint8_t> sig_alg_params_;
  std::span<const uint8_t> signature_;
};

// Decodes the CSR's public key once and checks that it is acceptable, with the rules of
// VerifyCsr (RSA 2048..16384 bits; EC on P-256, P-384, P-521 or the SM2 curve, by name).
// Errors: kMalformedCsr.
Result<EvpPkeyPtr> DecodeCsrPublicKey(const ParsedCsr& csr);

// Checks the CSR's signature with `key` (from DecodeCsrPublicKey), as VerifyCsr does: RSA
// PKCS#1 v1.5 and ECDSA with SHA-1/224/256/384/512 and SM2-with-SM3 (empty or default ID), with
// absent or NULL parameters, directly; anything else through OpenSSL's X509_REQ_verify, so that
// what is accepted stays what OpenSSL accepts.
// Errors: kMalformedCsr.
Status VerifyParsedCsr(const ParsedCsr& csr, const EVP_PKEY& key);

// SHA-1 of the subjectPublicKey bits (RFC 5280 method 1): the subject key identifier.
Bytes CsrKeyIdentifier(const ParsedCsr& csr);

}  // namespace openpca::x509

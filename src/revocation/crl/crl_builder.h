// CRL builder: encodes and signs an RFC 5280 X.509 v2 CRL, streaming the revoked certificates.
//
// The revokedCertificates are written straight from a source (typically Store::ForEachRevoked,
// a database cursor) into one contiguous buffer that is sized up front and later becomes the
// returned DER in place: no per-entry objects, no OpenSSL X509_REVOKED, no second copy of the
// entries. The DER is encoded here with revocation/crl/der_writer.h; only the
// AlgorithmIdentifier comes from x509/signing.h, and the signature from a keys::Signer (the key
// never leaves it).
//
// Output (RFC 5280 5.1, docs in /work/shared/spec/revocation.md 4):
//   version v2; signature = the CA's signing algorithm; issuer = the CA certificate's subject DER
//   exactly as given; thisUpdate, nextUpdate (UTCTime through 2049, GeneralizedTime after);
//   revokedCertificates (omitted when empty), each: userCertificate INTEGER (positive, from the
//   stored hex), revocationDate, crlEntryExtensions { reasonCode } (see UnspecifiedReason);
//   crlExtensions: authorityKeyIdentifier (keyIdentifier), cRLNumber, and for a partition CRL a
//   critical issuingDistributionPoint with the partition's URI.
//
// Signing is two steps so that the caller can audit between them (STYLE.md: an audit event before
// and after every signature): PrepareCrl() encodes the TBSCertList into a move-only PreparedCrl;
// SignPreparedCrl() consumes it. BuildCrl() does both.
//
// Ownership: PreparedCrl owns its buffer; the functions borrow their arguments for the call.
// Thread-safety: the functions are thread-safe for distinct PreparedCrls (the Signer is
// thread-safe by contract); a PreparedCrl is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/pki_types.h"
#include "common/status.h"
#include "keys/signer.h"
#include "store/records.h"
#include "store/store.h"
#include "x509/ossl.h"

namespace openpca::revocation {

// Whether an entry revoked for reason unspecified (0) carries a reasonCode extension.
// RFC 5280 5.3.1 says the extension SHOULD be absent rather than unspecified (and the CA/Browser
// Forum TLS Baseline Requirements 7.2.2 make that a MUST for TLS subscriber certificates), while
// AWS Private CA puts "CRL Reason Code: Unspecified" on such entries. openpca defaults to AWS's
// behaviour, which relying parties read the same way (an absent reason means unspecified), so
// that CRLs look like the service they replace; kOmit follows the RFC.
enum class UnspecifiedReason { kInclude, kOmit };

struct CrlInput {
  // The CA certificate's subject Name, DER, exactly as encoded in that certificate (relying
  // parties match CRL issuer and certificate issuer; see CrlIssuerOf).
  Bytes issuer_name_der;
  // keyIdentifier of the authorityKeyIdentifier extension: the CA's subject key identifier.
  Bytes authority_key_id;
  // Encoded in whole seconds (rounded down). next_update must not be before this_update.
  TimePoint this_update;
  TimePoint next_update;
  // cRLNumber, >= 0 (Store::NextCrlNumber; AWS uses the generation time in epoch ms).
  int64_t crl_number = 0;
  // Set for a partition of a partitioned CRL: the distributionPoint fullName URI of a critical
  // issuingDistributionPoint extension, equal to the CDP URI of the certificates it covers.
  // Printable ASCII (IA5String).
  std::optional<std::string> issuing_distribution_point_uri;
  UnspecifiedReason unspecified_reason = UnspecifiedReason::kInclude;
  // Capacity hint: how many entries to expect (e.g. Store::CountRevoked). Reserving address space
  // for them up front avoids re-allocating a large buffer; pages never written cost no memory.
  // A wrong hint costs speed, never correctness.
  int64_t expected_entries = 0;
};

// Calls its argument once per revoked certificate, stopping at (and returning) the first error.
using RevokedVisitor = std::function<Status(const store::RevokedEntry&)>;
using RevokedSource = std::function<Status(const RevokedVisitor&)>;

// The encoded, not yet signed TBSCertList of one CRL. Move-only; SignPreparedCrl consumes it.
class PreparedCrl {
 public:
  PreparedCrl(PreparedCrl&&) = default;
  PreparedCrl& operator=(PreparedCrl&&) = default;
  PreparedCrl(const PreparedCrl&) = delete;
  PreparedCrl& operator=(const PreparedCrl&) = delete;

  // The DER TBSCertList, the bytes that will be signed.
  std::span<const uint8_t> tbs() const {
    return std::span<const uint8_t>(buffer_).subspan(tbs_start_);
  }
  SigningAlgorithm algorithm() const { return algorithm_; }
  int64_t crl_number() const { return crl_number_; }
  int64_t entry_count() const { return entry_count_; }

 private:
  friend Result<PreparedCrl> PrepareCrl(const CrlInput&, SigningAlgorithm, const RevokedSource&);
  friend Result<Bytes> SignPreparedCrl(PreparedCrl, const keys::Signer&);

  PreparedCrl() = default;

  // [0, tbs_start_) is headroom (at least kMaxDerHeaderSize octets) for the outer SEQUENCE
  // header; [tbs_start_, size) is the TBSCertList. Capacity is reserved for the signature part.
  Bytes buffer_;
  size_t tbs_start_ = 0;
  Bytes algorithm_der_;  // AlgorithmIdentifier, as inside the TBS
  SigningAlgorithm algorithm_ = SigningAlgorithm::kSha256WithRsa;
  int64_t crl_number_ = 0;
  int64_t entry_count_ = 0;
};

// Encodes the TBSCertList of `in` with `alg`, pulling entries from `for_each_revoked` in the order
// it gives them.
// Errors: kInvalidArgs for a bad CrlInput (issuer not one DER Name, empty key id, negative CRL
// number, next_update before this_update, a time outside years 0000..9999, a URI that is not
// printable ASCII); kInternal for a revoked entry that cannot be encoded (serial not hex or over 64
// octets, reason not a CRLReason code, date out of range) - stored data that should not exist;
// any error of `for_each_revoked`.
Result<PreparedCrl> PrepareCrl(const CrlInput& in, SigningAlgorithm alg,
                               const RevokedSource& for_each_revoked);

// Signs the TBS through `signer` and returns the complete CRL DER (the PreparedCrl's buffer, in
// place). Errors: those of Signer::Sign (kInvalidArgs when the algorithm does not fit the key);
// kInternal.
Result<Bytes> SignPreparedCrl(PreparedCrl crl, const keys::Signer& signer);

// PrepareCrl, then SignPreparedCrl. Errors: those of both.
Result<Bytes> BuildCrl(const CrlInput& in, const keys::Signer& signer, SigningAlgorithm alg,
                       const RevokedSource& for_each_revoked);

// Source over Store::ForEachRevoked(ca_id, scan). The store must outlive the returned function.
RevokedSource StoreRevokedSource(store::Store& store, std::string_view ca_id,
                                 store::RevokedScan scan = {});

// PrepareCrl for the revoked certificates of `ca_id` in `store` (selected by `scan`), with
// in.expected_entries taken from Store::CountRevoked when it is 0.
// Errors: those of PrepareCrl and of the store (kInternal).
Result<PreparedCrl> PrepareCrlFromStore(store::Store& store, std::string_view ca_id,
                                        const store::RevokedScan& scan, CrlInput in,
                                        SigningAlgorithm alg);

// Issuer name (the subject DER as encoded in the certificate) and key identifier (its SKI
// extension, or the RFC 5280 method-1 hash when it has none) of a CA certificate.
struct CrlIssuer {
  Bytes name_der;
  Bytes key_id;
};
// Errors: kInternal.
Result<CrlIssuer> CrlIssuerOf(const X509& ca_certificate);

}  // namespace openpca::revocation

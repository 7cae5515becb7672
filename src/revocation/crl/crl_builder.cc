#include "revocation/crl/crl_builder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "revocation/crl/der_writer.h"
#include "x509/inspect.h"
#include "x509/signing.h"

namespace openpca::revocation {
namespace {

// DER of the extension OIDs (RFC 5280 id-ce 2.5.29.x).
constexpr uint8_t kOidAuthorityKeyId[] = {0x06, 0x03, 0x55, 0x1d, 0x23};
constexpr uint8_t kOidCrlNumber[] = {0x06, 0x03, 0x55, 0x1d, 0x14};
constexpr uint8_t kOidIssuingDistributionPoint[] = {0x06, 0x03, 0x55, 0x1d, 0x1c};
constexpr uint8_t kDerTrue[] = {kDerBoolean, 0x01, 0xff};
constexpr uint8_t kVersion2[] = {kDerInteger, 0x01, 0x01};

// Longest serial accepted, in octets. RFC 5280 caps conforming serials at 20 octets; longer ones
// from imported certificates are still listed rather than failing the whole CRL.
constexpr size_t kMaxSerialOctets = 64;

// Reserved per expected entry: the largest entry of a conforming serial (20 octets plus the pad
// octet, GeneralizedTime, reasonCode) takes 56 octets; openpca's and AWS's 16-octet serials take
// 49 or 50 with a UTCTime. Capacity never written costs address space, not memory.
constexpr size_t kEntrySizeEstimate = 56;
// Largest capacity hint honoured, in entries.
constexpr int64_t kMaxHint = int64_t{16} << 20;
// Room after the TBS for the AlgorithmIdentifier and the signature BIT STRING (an RSA-4096
// signature is 512 octets).
constexpr size_t kSignatureRoom = 1024;

// Extensions ::= SEQUENCE OF Extension; Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE,
// extnValue OCTET STRING }.
void AppendExtension(Bytes& out, std::span<const uint8_t> oid, bool critical,
                     std::span<const uint8_t> value) {
  size_t content_len =
      oid.size() + (critical ? sizeof(kDerTrue) : 0) + DerHeaderSize(value.size()) + value.size();
  AppendDerHeader(out, kDerSequence, content_len);
  out.insert(out.end(), oid.begin(), oid.end());
  if (critical) out.insert(out.end(), std::begin(kDerTrue), std::end(kDerTrue));
  AppendDer(out, kDerOctetString, value);
}

// The complete entry extensions field for each reason code:
// Extensions { Extension { id-ce-cRLReasons, OCTET STRING { ENUMERATED reason } } }.
struct ReasonExtensions {
  std::array<uint8_t, 16> der{};
  size_t size = 0;
};
std::array<ReasonExtensions, 11> MakeReasonExtensions() {
  std::array<ReasonExtensions, 11> table;
  for (int reason = 0; reason <= 10; ++reason) {
    const uint8_t value[] = {kDerEnumerated, 0x01, static_cast<uint8_t>(reason)};
    const uint8_t oid[] = {0x06, 0x03, 0x55, 0x1d, 0x15};
    Bytes ext;
    AppendExtension(ext, oid, /*critical=*/false, value);
    Bytes exts;
    AppendDer(exts, kDerSequence, ext);
    OPENPCA_CHECK(exts.size() <= table[reason].der.size());
    std::memcpy(table[reason].der.data(), exts.data(), exts.size());
    table[reason].size = exts.size();
  }
  return table;
}

bool IsCrlReason(int reason) { return reason >= 0 && reason <= 10 && reason != 7; }

int64_t FloorSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

// True when `der` is exactly one well-formed X.501 Name.
bool IsOneName(std::span<const uint8_t> der) {
  if (der.empty() || der[0] != kDerSequence) return false;
  const unsigned char* in = der.data();
  x509::X509NamePtr name(d2i_X509_NAME(nullptr, &in, static_cast<long>(der.size())));
  bool ok = name != nullptr && in == der.data() + der.size();
  if (!ok) x509::ClearOsslErrors();
  return ok;
}

// Appends revokedCertificates entries to a buffer. One instance per CRL; not thread-safe.
class EntryWriter {
 public:
  EntryWriter(Bytes& out, UnspecifiedReason unspecified)
      : out_(out), unspecified_(unspecified), reasons_(MakeReasonExtensions()) {}

  Status Append(const store::RevokedEntry& e) {
    // SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL }, encoded in a
    // scratch array first: its length goes in front.
    uint8_t body[kMaxDerHeaderSize + 1 + kMaxSerialOctets + kMaxDerTimeSize + 16];
    size_t n = 0;

    if (e.serial_hex.size() > 2 * kMaxSerialOctets) return BadEntry(e, "serial too long");
    uint8_t serial[kMaxSerialOctets];
    std::optional<size_t> serial_len = DecodeHex(e.serial_hex, serial);
    if (!serial_len.has_value()) return BadEntry(e, "serial is not hex");
    n += WriteDerUnsignedInteger(std::span<const uint8_t>(serial, *serial_len), body + n);

    std::optional<size_t> time_len = times_.Write(FloorDiv(e.revoked_at_ms, 1000), body + n);
    if (!time_len.has_value()) return BadEntry(e, "revocation date out of range");
    n += *time_len;

    if (!IsCrlReason(e.reason)) return BadEntry(e, "reason is not a CRLReason code");
    if (e.reason != 0 || unspecified_ == UnspecifiedReason::kInclude) {
      const ReasonExtensions& ext = reasons_[static_cast<size_t>(e.reason)];
      std::memcpy(body + n, ext.der.data(), ext.size);
      n += ext.size;
    }

    uint8_t header[kMaxDerHeaderSize];
    size_t h = WriteDerHeader(kDerSequence, n, header);
    Reserve(h + n);
    out_.insert(out_.end(), header, header + h);
    out_.insert(out_.end(), body, body + n);
    ++count_;
    return Status::Ok();
  }

  int64_t count() const { return count_; }

 private:
  // Grows by a quarter rather than std::vector's doubling when the capacity hint was short, so
  // that a re-allocation holds old + new = 2.25x the entries at worst, not 3x.
  void Reserve(size_t more) {
    if (out_.capacity() - out_.size() >= more) return;
    out_.reserve(out_.capacity() + out_.capacity() / 4 + more);
  }

  static Status BadEntry(const store::RevokedEntry& e, const char* what) {
    return InternalError("cannot list revoked certificate '" + e.serial_hex.substr(0, 64) +
                         "' on a CRL: " + what);
  }

  Bytes& out_;
  const UnspecifiedReason unspecified_;
  const std::array<ReasonExtensions, 11> reasons_;
  int64_t count_ = 0;
  DerTimeWriter times_;  // revocations cluster in time: the date is re-encoded once per day
};

// Writes a header for the `content_len` octets that follow `end` so that it ends at `end`;
// returns where it starts. The caller guarantees the room.
size_t PrependHeader(Bytes& buf, size_t end, uint8_t tag, size_t content_len) {
  size_t h = DerHeaderSize(content_len);
  OPENPCA_CHECK(end >= h);
  WriteDerHeader(tag, content_len, buf.data() + end - h);
  return end - h;
}

}  // namespace

Result<PreparedCrl> PrepareCrl(const CrlInput& in, SigningAlgorithm alg,
                               const RevokedSource& for_each_revoked) {
  // --- Validate the input and encode every TBS field but the entries. ---
  if (!IsOneName(in.issuer_name_der)) {
    return Status(ErrorCode::kInvalidArgs, "issuer is not one DER-encoded Name");
  }
  if (in.authority_key_id.empty()) {
    return Status(ErrorCode::kInvalidArgs, "authority key identifier is empty");
  }
  if (in.crl_number < 0) return Status(ErrorCode::kInvalidArgs, "CRL number is negative");
  if (in.next_update < in.this_update) {
    return Status(ErrorCode::kInvalidArgs, "nextUpdate is before thisUpdate");
  }
  if (in.issuing_distribution_point_uri.has_value()) {
    const std::string& uri = *in.issuing_distribution_point_uri;
    if (uri.empty()) return Status(ErrorCode::kInvalidArgs, "issuing distribution point is empty");
    for (char c : uri) {
      if (c < 0x21 || c > 0x7e) {
        return Status(ErrorCode::kInvalidArgs,
                      "issuing distribution point URI is not printable ASCII");
      }
    }
  }

  ASSIGN_OR_RETURN(x509::X509AlgorPtr algor, x509::SignatureAlgorithmFor(alg));
  Bytes algorithm_der;
  {
    unsigned char* der = nullptr;
    int len = i2d_X509_ALGOR(algor.get(), &der);
    if (len <= 0) return x509::OsslError("i2d_X509_ALGOR");
    algorithm_der.assign(der, der + len);
    OPENSSL_free(der);
  }

  // version, signature, issuer, thisUpdate, nextUpdate: everything before revokedCertificates.
  Bytes prefix(std::begin(kVersion2), std::end(kVersion2));
  prefix.insert(prefix.end(), algorithm_der.begin(), algorithm_der.end());
  prefix.insert(prefix.end(), in.issuer_name_der.begin(), in.issuer_name_der.end());
  RETURN_IF_ERROR(AppendDerTime(prefix, FloorSeconds(in.this_update)));
  RETURN_IF_ERROR(AppendDerTime(prefix, FloorSeconds(in.next_update)));

  // crlExtensions [0] EXPLICIT Extensions.
  Bytes extensions;
  {
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
    Bytes key_id;
    AppendDer(key_id, DerContextPrimitive(0), in.authority_key_id);
    Bytes aki;
    AppendDer(aki, kDerSequence, key_id);
    AppendExtension(extensions, kOidAuthorityKeyId, false, aki);

    Bytes number;
    AppendDerInteger(number, in.crl_number);
    AppendExtension(extensions, kOidCrlNumber, false, number);

    if (in.issuing_distribution_point_uri.has_value()) {
      // IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName }:
      // [0] is EXPLICIT because DistributionPointName is a CHOICE; in it, fullName [0] IMPLICIT
      // GeneralNames holding one uniformResourceIdentifier [6] IMPLICIT IA5String.
      Bytes uri;
      AppendDer(uri, DerContextPrimitive(6), AsSpan(*in.issuing_distribution_point_uri));
      Bytes full_name;
      AppendDer(full_name, DerContextConstructed(0), uri);
      Bytes distribution_point;
      AppendDer(distribution_point, DerContextConstructed(0), full_name);
      Bytes idp;
      AppendDer(idp, kDerSequence, distribution_point);
      AppendExtension(extensions, kOidIssuingDistributionPoint, /*critical=*/true, idp);
    }
  }
  Bytes extensions_field;
  {
    Bytes list;
    AppendDer(list, kDerSequence, extensions);
    AppendDer(extensions_field, DerContextConstructed(0), list);
  }

  // --- Stream the entries into place. ---
  // Layout while streaming: [headroom | entries...]. The headroom fits, right-aligned against the
  // entries: outer SEQUENCE header, TBS header, prefix, revokedCertificates header.
  const size_t headroom = 3 * kMaxDerHeaderSize + prefix.size();
  // A hint beyond any sensible CRL (AWS caps a complete CRL at 1M entries) is not trusted with
  // a reservation; the buffer still grows to whatever the source delivers.
  size_t expected = static_cast<size_t>(std::clamp<int64_t>(in.expected_entries, 0, kMaxHint));
  PreparedCrl crl;
  Bytes& buf = crl.buffer_;
  buf.reserve(headroom + expected * kEntrySizeEstimate + extensions_field.size() + kSignatureRoom);
  buf.resize(headroom);
  EntryWriter writer(buf, in.unspecified_reason);
  RETURN_IF_ERROR(for_each_revoked(
      [&writer](const store::RevokedEntry& e) -> Status { return writer.Append(e); }));

  // --- Close the TBS around the entries. ---
  size_t start = headroom;
  size_t entries_len = buf.size() - headroom;
  if (entries_len > 0) {
    // RFC 5280 5.1.2.6: absent, not empty, when nothing is revoked.
    start = PrependHeader(buf, start, kDerSequence, entries_len);
  }
  OPENPCA_CHECK(start >= prefix.size() + 2 * kMaxDerHeaderSize);
  start -= prefix.size();
  std::memcpy(buf.data() + start, prefix.data(), prefix.size());
  buf.insert(buf.end(), extensions_field.begin(), extensions_field.end());
  start = PrependHeader(buf, start, kDerSequence, buf.size() - start);

  crl.tbs_start_ = start;
  crl.algorithm_der_ = std::move(algorithm_der);
  crl.algorithm_ = alg;
  crl.crl_number_ = in.crl_number;
  crl.entry_count_ = writer.count();
  return crl;
}

Result<Bytes> SignPreparedCrl(PreparedCrl crl, const keys::Signer& signer) {
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(crl.algorithm_, crl.tbs()));

  // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING },
  // the shape of x509::WrapSigned(), built around the TBS where it lies: WrapSigned would copy
  // a many-megabyte TBS twice.
  Bytes& buf = crl.buffer_;
  buf.insert(buf.end(), crl.algorithm_der_.begin(), crl.algorithm_der_.end());
  AppendDerHeader(buf, kDerBitString, signature.size() + 1);
  buf.push_back(0x00);  // no unused bits
  buf.insert(buf.end(), signature.begin(), signature.end());
  size_t start = PrependHeader(buf, crl.tbs_start_, kDerSequence, buf.size() - crl.tbs_start_);
  // Drop the unused headroom: one memmove within the buffer, no second buffer.
  buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(start));
  return std::move(buf);
}

Result<Bytes> BuildCrl(const CrlInput& in, const keys::Signer& signer, SigningAlgorithm alg,
                       const RevokedSource& for_each_revoked) {
  ASSIGN_OR_RETURN(PreparedCrl crl, PrepareCrl(in, alg, for_each_revoked));
  return SignPreparedCrl(std::move(crl), signer);
}

RevokedSource StoreRevokedSource(store::Store& store, std::string_view ca_id,
                                 store::RevokedScan scan) {
  return [&store, ca = std::string(ca_id), scan](const RevokedVisitor& visit) {
    return store.ForEachRevoked(ca, scan, visit);
  };
}

Result<PreparedCrl> PrepareCrlFromStore(store::Store& store, std::string_view ca_id,
                                        const store::RevokedScan& scan, CrlInput in,
                                        SigningAlgorithm alg) {
  if (in.expected_entries == 0) {
    // An upper bound (it counts expired entries a scan may skip) is what the hint wants.
    ASSIGN_OR_RETURN(in.expected_entries, store.CountRevoked(ca_id));
  }
  return PrepareCrl(in, alg, StoreRevokedSource(store, ca_id, scan));
}

Result<CrlIssuer> CrlIssuerOf(const X509& ca_certificate) {
  CrlIssuer issuer;
  // A name parsed from DER and not modified since re-encodes as its cached original octets.
  unsigned char* der = nullptr;
  int len = i2d_X509_NAME(X509_get_subject_name(&ca_certificate), &der);
  if (len <= 0) return x509::OsslError("i2d_X509_NAME");
  issuer.name_der.assign(der, der + len);
  OPENSSL_free(der);
  ASSIGN_OR_RETURN(issuer.key_id, x509::SubjectKeyId(ca_certificate));
  return issuer;
}

}  // namespace openpca::revocation

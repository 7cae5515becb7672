#include "x509/tbs_certificate.h"

#include <array>
#include <cstring>

#include "x509/der_writer.h"
#include "x509/signing.h"

namespace openpca::x509 {
namespace {

constexpr uint8_t kVersion3[] = {0xa0, 0x03, kDerInteger, 0x01, 0x02};  // [0] EXPLICIT v3
constexpr size_t kNumSigningAlgorithms = 7;

template <typename T>
Result<Bytes> Encode(int (*i2d)(const T*, unsigned char**), const T& value, const char* fn) {
  int len = i2d(&value, nullptr);
  if (len <= 0) return OsslError(fn);
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d(&value, &p) != len) return OsslError(fn);
  return out;
}

void Put(uint8_t*& p, std::span<const uint8_t> bytes) {
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  p += bytes.size();
}

}  // namespace

std::span<const uint8_t> SignatureAlgorithmDer(SigningAlgorithm alg) {
  static const std::array<Bytes, kNumSigningAlgorithms> kDer = [] {
    std::array<Bytes, kNumSigningAlgorithms> out;
    for (size_t i = 0; i < out.size(); ++i) {
      Result<X509AlgorPtr> algor = SignatureAlgorithmFor(static_cast<SigningAlgorithm>(i));
      OPENPCA_CHECK(algor.ok());
      Result<Bytes> der = Encode(&i2d_X509_ALGOR, static_cast<const X509_ALGOR&>(**algor),
                                 "i2d_X509_ALGOR");
      OPENPCA_CHECK(der.ok());
      out[i] = std::move(*der);
    }
    return out;
  }();
  size_t index = static_cast<size_t>(alg);
  OPENPCA_CHECK(index < kDer.size());
  return kDer[index];
}

Result<Bytes> EncodeTbsCertificate(const TbsCertificateParts& parts) {
  uint8_t times[2 * kMaxDerTimeSize];
  std::optional<size_t> nb = WriteDerTime(parts.not_before_s, times);
  std::optional<size_t> na =
      nb.has_value() ? WriteDerTime(parts.not_after_s, times + *nb) : std::nullopt;
  if (!na.has_value()) {
    return Status(ErrorCode::kInvalidArgs, "a validity time is outside the years 0000..9999");
  }
  uint8_t serial[64 + 1 + kMaxDerHeaderSize];
  if (parts.serial.size() > 64) return Status(ErrorCode::kInvalidArgs, "serial too long");
  size_t serial_len = WriteDerUnsignedInteger(parts.serial, serial);

  size_t validity_len = *nb + *na;
  size_t exts_len = 0;
  for (std::span<const uint8_t> e : parts.extensions) exts_len += e.size();
  size_t exts_seq = DerHeaderSize(exts_len) + exts_len;
  size_t exts_field = parts.extensions.empty() ? 0 : DerHeaderSize(exts_seq) + exts_seq;
  size_t content = sizeof(kVersion3) + serial_len + parts.signature_and_issuer.size() +
                   DerHeaderSize(validity_len) + validity_len + parts.subject.size() +
                   parts.spki.size() + exts_field;

  Bytes out(DerHeaderSize(content) + content);
  uint8_t* p = out.data();
  p += WriteDerHeader(kDerSequence, content, p);
  Put(p, kVersion3);
  Put(p, {serial, serial_len});
  Put(p, parts.signature_and_issuer);
  p += WriteDerHeader(kDerSequence, validity_len, p);
  Put(p, {times, validity_len});
  Put(p, parts.subject);
  Put(p, parts.spki);
  if (!parts.extensions.empty()) {
    p += WriteDerHeader(DerContextConstructed(3), exts_seq, p);
    p += WriteDerHeader(kDerSequence, exts_len, p);
    for (std::span<const uint8_t> e : parts.extensions) Put(p, e);
  }
  OPENPCA_CHECK(p == out.data() + out.size());
  return out;
}

Result<Bytes> SignTbsCertificate(std::span<const uint8_t> tbs, const keys::Signer& signer,
                                 SigningAlgorithm alg) {
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(alg, tbs));
  std::span<const uint8_t> alg_der = SignatureAlgorithmDer(alg);
  size_t bits_len = signature.size() + 1;
  size_t content = tbs.size() + alg_der.size() + DerHeaderSize(bits_len) + bits_len;
  Bytes out(DerHeaderSize(content) + content);
  uint8_t* p = out.data();
  p += WriteDerHeader(kDerSequence, content, p);
  Put(p, tbs);
  Put(p, alg_der);
  p += WriteDerHeader(kDerBitString, bits_len, p);
  *p++ = 0x00;  // unused bits
  Put(p, signature);
  OPENPCA_CHECK(p == out.data() + out.size());
  return out;
}

Result<Bytes> ExtensionDer(const X509_EXTENSION& ext) {
  return Encode(&i2d_X509_EXTENSION, ext, "i2d_X509_EXTENSION");
}

Result<Bytes> NameDer(const X509_NAME& name) {
  return Encode(&i2d_X509_NAME, name, "i2d_X509_NAME");
}

Bytes SubjectKeyIdentifierExtensionDer(std::span<const uint8_t> key_id) {
  OPENPCA_CHECK(key_id.size() <= 118);  // every length below fits one octet
  // SEQUENCE { OID 2.5.29.14, OCTET STRING { OCTET STRING key_id } }
  const uint8_t n = static_cast<uint8_t>(key_id.size());
  const uint8_t header[] = {kDerSequence, static_cast<uint8_t>(n + 9), 0x06, 0x03, 0x55, 0x1d, 0x0e,
                            kDerOctetString, static_cast<uint8_t>(n + 2), kDerOctetString, n};
  Bytes out(sizeof(header) + n);
  std::memcpy(out.data(), header, sizeof(header));
  if (n > 0) std::memcpy(out.data() + sizeof(header), key_id.data(), n);
  return out;
}

}  // namespace openpca::x509

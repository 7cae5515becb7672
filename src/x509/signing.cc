#include "x509/signing.h"

#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <cstring>
#include <optional>

namespace openpca::x509 {
namespace {

constexpr uint8_t kTagInteger = 0x02;
constexpr uint8_t kTagBitString = 0x03;
constexpr uint8_t kTagSequence = 0x30;
constexpr uint8_t kTagExplicit0 = 0xa0;

// Appends a DER tag and definite length.
void AppendHeader(Bytes& out, uint8_t tag, size_t len) {
  out.push_back(tag);
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  uint8_t buf[sizeof(size_t)];
  int n = 0;
  for (size_t v = len; v != 0; v >>= 8) buf[n++] = static_cast<uint8_t>(v & 0xff);
  out.push_back(static_cast<uint8_t>(0x80 | n));
  while (n > 0) out.push_back(buf[--n]);
}

void Append(Bytes& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

Bytes Wrap(uint8_t tag, std::span<const uint8_t> content) {
  Bytes out;
  out.reserve(content.size() + 6);
  AppendHeader(out, tag, content.size());
  Append(out, content);
  return out;
}

// i2d of any OpenSSL type into Bytes.
template <typename T>
Result<Bytes> Encode(int (*i2d)(const T*, unsigned char**), const T* value, const char* fn) {
  unsigned char* buf = nullptr;
  int len = i2d(value, &buf);
  if (len <= 0) return OsslError(fn);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// Runs an i2d_re_*_tbs function (non-const object) into Bytes.
template <typename T>
Result<Bytes> EncodeTbs(int (*i2d_re)(T*, unsigned char**), T* value, const char* fn) {
  unsigned char* buf = nullptr;
  int len = i2d_re(value, &buf);
  if (len <= 0) return OsslError(fn);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// One DER element inside a buffer.
struct Element {
  uint8_t tag = 0;
  std::span<const uint8_t> whole;  // header and content
  std::span<const uint8_t> content;
};

// Reads the element at the start of `in` (definite lengths up to 4 octets, minimal encoding not
// enforced). Returns nullopt when it does not fit.
std::optional<Element> ReadElement(std::span<const uint8_t> in) {
  if (in.size() < 2) return std::nullopt;
  size_t header = 2;
  size_t len = in[1];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return std::nullopt;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    header += n;
  }
  if (in.size() - header < len) return std::nullopt;
  return Element{in[0], in.first(header + len), in.subspan(header, len)};
}

Status SetBitString(ASN1_BIT_STRING& bits, std::span<const uint8_t> value) {
  if (ASN1_BIT_STRING_set(&bits, const_cast<uint8_t*>(value.data()),
                          static_cast<int>(value.size())) != 1) {
    return OsslError("ASN1_BIT_STRING_set");
  }
  // A signature is a whole number of octets: declare 0 unused bits explicitly so that OpenSSL does
  // not recompute them by trimming trailing zero bits of the last octet.
  bits.flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits.flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return Status::Ok();
}

}  // namespace

Result<X509AlgorPtr> SignatureAlgorithmFor(SigningAlgorithm alg) {
  int nid = NID_undef;
  int param_type = V_ASN1_UNDEF;  // absent parameters
  switch (alg) {
    case SigningAlgorithm::kSha256WithEcdsa:
      nid = NID_ecdsa_with_SHA256;
      break;
    case SigningAlgorithm::kSha384WithEcdsa:
      nid = NID_ecdsa_with_SHA384;
      break;
    case SigningAlgorithm::kSha512WithEcdsa:
      nid = NID_ecdsa_with_SHA512;
      break;
    case SigningAlgorithm::kSha256WithRsa:
      nid = NID_sha256WithRSAEncryption;
      param_type = V_ASN1_NULL;
      break;
    case SigningAlgorithm::kSha384WithRsa:
      nid = NID_sha384WithRSAEncryption;
      param_type = V_ASN1_NULL;
      break;
    case SigningAlgorithm::kSha512WithRsa:
      nid = NID_sha512WithRSAEncryption;
      param_type = V_ASN1_NULL;
      break;
    case SigningAlgorithm::kSm3WithSm2:
      nid = NID_SM2_with_SM3;
      break;
  }
  X509AlgorPtr algor(X509_ALGOR_new());
  ASN1_OBJECT* obj = OBJ_nid2obj(nid);  // static object: nothing to free
  if (algor == nullptr || obj == nullptr ||
      X509_ALGOR_set0(algor.get(), obj, param_type, nullptr) != 1) {
    return OsslError("X509_ALGOR_set0");
  }
  return algor;
}

Status UseSm2DefaultIdForVerification(X509& cert) {
  if (X509_get_signature_nid(&cert) != NID_SM2_with_SM3) return Status::Ok();
  Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (id == nullptr ||
      ASN1_OCTET_STRING_set(id.get(), reinterpret_cast<const unsigned char*>(keys::kSm2DefaultId),
                            static_cast<int>(std::strlen(keys::kSm2DefaultId))) != 1) {
    return OsslError("ASN1_OCTET_STRING_set");
  }
  X509_set0_distinguishing_id(&cert, id.release());
  return Status::Ok();
}

Status UseSm2DefaultIdForVerification(X509_REQ& req) {
  if (X509_REQ_get_signature_nid(&req) != NID_SM2_with_SM3) return Status::Ok();
  Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (id == nullptr ||
      ASN1_OCTET_STRING_set(id.get(), reinterpret_cast<const unsigned char*>(keys::kSm2DefaultId),
                            static_cast<int>(std::strlen(keys::kSm2DefaultId))) != 1) {
    return OsslError("ASN1_OCTET_STRING_set");
  }
  X509_REQ_set0_distinguishing_id(&req, id.release());
  return Status::Ok();
}

Result<bool> VerifySignedDer(std::span<const uint8_t> der, const EVP_PKEY& public_key,
                             SigningAlgorithm alg) {
  std::optional<Element> outer = ReadElement(der);
  if (!outer.has_value() || outer->tag != kTagSequence || outer->whole.size() != der.size()) {
    return Status(ErrorCode::kInvalidArgs, "not one DER SEQUENCE");
  }
  std::span<const uint8_t> rest = outer->content;
  std::optional<Element> tbs = ReadElement(rest);
  if (!tbs.has_value() || tbs->tag != kTagSequence) {
    return Status(ErrorCode::kInvalidArgs, "no to-be-signed SEQUENCE");
  }
  rest = rest.subspan(tbs->whole.size());
  std::optional<Element> algid = ReadElement(rest);
  if (!algid.has_value()) return Status(ErrorCode::kInvalidArgs, "no AlgorithmIdentifier");
  rest = rest.subspan(algid->whole.size());
  std::optional<Element> bits = ReadElement(rest);
  if (!bits.has_value() || bits->tag != kTagBitString || bits->whole.size() != rest.size() ||
      bits->content.empty() || bits->content[0] != 0) {
    return Status(ErrorCode::kInvalidArgs, "no signature BIT STRING");
  }
  ASSIGN_OR_RETURN(X509AlgorPtr expected, SignatureAlgorithmFor(alg));
  ASSIGN_OR_RETURN(
      Bytes expected_der,
      Encode(&i2d_X509_ALGOR, static_cast<const X509_ALGOR*>(expected.get()), "i2d_X509_ALGOR"));
  if (!std::equal(algid->whole.begin(), algid->whole.end(), expected_der.begin(),
                  expected_der.end())) {
    return Status(ErrorCode::kInvalidArgs, "the signature algorithm is not the one expected");
  }

  const char* key_type = FamilyOf(alg) == KeyFamily::kRsa   ? "RSA"
                         : FamilyOf(alg) == KeyFamily::kSm2 ? "SM2"
                                                            : "EC";
  if (!EVP_PKEY_is_a(&public_key, key_type)) {
    return Status(ErrorCode::kInvalidArgs, "the algorithm does not fit the key");
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  // EVP_DigestVerifyInit_ex only takes a reference to the key.
  if (ctx == nullptr || EVP_DigestVerifyInit_ex(ctx.get(), &pctx, DigestName(alg), nullptr, nullptr,
                                                const_cast<EVP_PKEY*>(&public_key), nullptr) != 1) {
    ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs, "the algorithm does not fit the key");
  }
  if (FamilyOf(alg) == KeyFamily::kRsa &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs, "the algorithm does not fit the key");
  }
  if (FamilyOf(alg) == KeyFamily::kSm2 &&
      EVP_PKEY_CTX_set1_id(pctx, keys::kSm2DefaultId, std::strlen(keys::kSm2DefaultId)) != 1) {
    return OsslError("EVP_PKEY_CTX_set1_id");
  }
  std::span<const uint8_t> sig = bits->content.subspan(1);
  bool ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), tbs->whole.data(),
                             tbs->whole.size()) == 1;
  ClearOsslErrors();
  return ok;
}

Bytes WrapSigned(std::span<const uint8_t> tbs_der, const X509_ALGOR& alg,
                 std::span<const uint8_t> signature) {
  Result<Bytes> alg_der = Encode(&i2d_X509_ALGOR, &alg, "i2d_X509_ALGOR");
  OPENPCA_CHECK(alg_der.ok());
  Bytes bits;
  bits.reserve(signature.size() + 1);
  bits.push_back(0x00);  // unused bits
  Append(bits, signature);
  Bytes bit_string = Wrap(kTagBitString, bits);

  Bytes content;
  content.reserve(tbs_der.size() + alg_der->size() + bit_string.size());
  Append(content, tbs_der);
  Append(content, *alg_der);
  Append(content, bit_string);
  return Wrap(kTagSequence, content);
}

Result<Bytes> SignCertificate(X509& cert, const keys::Signer& signer, SigningAlgorithm alg) {
  ASSIGN_OR_RETURN(X509AlgorPtr algor, SignatureAlgorithmFor(alg));
  if (sk_X509_EXTENSION_num(X509_get0_extensions(&cert)) > 0 &&
      X509_set_version(&cert, X509_VERSION_3) != 1) {
    return OsslError("X509_set_version");
  }
  // OpenSSL exposes the two AlgorithmIdentifiers and the signature only as const, but they are
  // plain members of `cert`, which we own mutably here: the same thing X509_sign() writes.
  const ASN1_BIT_STRING* sig_const = nullptr;
  const X509_ALGOR* outer_const = nullptr;
  X509_get0_signature(&sig_const, &outer_const, &cert);
  auto* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(&cert));
  auto* outer_alg = const_cast<X509_ALGOR*>(outer_const);
  auto* sig = const_cast<ASN1_BIT_STRING*>(sig_const);
  if (tbs_alg == nullptr || outer_alg == nullptr || sig == nullptr ||
      X509_ALGOR_copy(tbs_alg, algor.get()) != 1 || X509_ALGOR_copy(outer_alg, algor.get()) != 1) {
    return OsslError("X509_ALGOR_copy");
  }
  // i2d_re_X509_tbs discards the cached TBS encoding, so the bytes signed are the current fields.
  ASSIGN_OR_RETURN(Bytes tbs, EncodeTbs(&i2d_re_X509_tbs, &cert, "i2d_re_X509_tbs"));
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(alg, tbs));
  RETURN_IF_ERROR(SetBitString(*sig, signature));
  ASSIGN_OR_RETURN(Bytes der, Encode(&i2d_X509, static_cast<const X509*>(&cert), "i2d_X509"));
  // The DER must be exactly the signed TBS plus signature; anything else is a bug in this file.
  OPENPCA_CHECK(der == WrapSigned(tbs, *algor, signature));
  return der;
}

Result<Bytes> SignCsr(X509_REQ& req, const keys::Signer& signer, SigningAlgorithm alg) {
  ASSIGN_OR_RETURN(X509AlgorPtr algor, SignatureAlgorithmFor(alg));
  if (X509_REQ_set1_signature_algo(&req, algor.get()) != 1) {
    return OsslError("X509_REQ_set1_signature_algo");
  }
  ASSIGN_OR_RETURN(Bytes tbs, EncodeTbs(&i2d_re_X509_REQ_tbs, &req, "i2d_re_X509_REQ_tbs"));
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(alg, tbs));
  const ASN1_BIT_STRING* sig_const = nullptr;
  X509_REQ_get0_signature(&req, &sig_const, nullptr);
  if (sig_const == nullptr) return InternalError("X509_REQ without a signature field");
  // Same const situation as in SignCertificate: the BIT STRING is a member of `req`.
  RETURN_IF_ERROR(SetBitString(*const_cast<ASN1_BIT_STRING*>(sig_const), signature));
  ASSIGN_OR_RETURN(Bytes der,
                   Encode(&i2d_X509_REQ, static_cast<const X509_REQ*>(&req), "i2d_X509_REQ"));
  OPENPCA_CHECK(der == WrapSigned(tbs, *algor, signature));
  return der;
}

Result<Bytes> SignCrl(X509_CRL& crl, const keys::Signer& signer, SigningAlgorithm alg) {
  ASSIGN_OR_RETURN(X509AlgorPtr algor, SignatureAlgorithmFor(alg));
  const X509_NAME* issuer = X509_CRL_get_issuer(&crl);
  const ASN1_TIME* this_update = X509_CRL_get0_lastUpdate(&crl);
  if (issuer == nullptr || X509_NAME_entry_count(issuer) == 0 || this_update == nullptr ||
      ASN1_TIME_check(this_update) != 1) {
    return Status(ErrorCode::kInvalidArgs, "CRL without issuer or thisUpdate");
  }

  // TBSCertList (RFC 5280 5.1): version, signature, issuer, thisUpdate, nextUpdate,
  // revokedCertificates, [0] crlExtensions.
  Bytes tbs_content;
  long version = X509_CRL_get_version(&crl);
  if (version < 0 || version > 1) return Status(ErrorCode::kInvalidArgs, "bad CRL version");
  if (version == 1) {
    const uint8_t v2[] = {0x01};
    Append(tbs_content, Wrap(kTagInteger, v2));
  }
  ASSIGN_OR_RETURN(
      Bytes alg_der,
      Encode(&i2d_X509_ALGOR, static_cast<const X509_ALGOR*>(algor.get()), "i2d_X509_ALGOR"));
  Append(tbs_content, alg_der);
  ASSIGN_OR_RETURN(Bytes issuer_der, Encode(&i2d_X509_NAME, issuer, "i2d_X509_NAME"));
  Append(tbs_content, issuer_der);
  ASSIGN_OR_RETURN(Bytes this_der, Encode(&i2d_ASN1_TIME, this_update, "i2d_ASN1_TIME"));
  Append(tbs_content, this_der);
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(&crl); next != nullptr) {
    if (ASN1_TIME_check(next) != 1) return Status(ErrorCode::kInvalidArgs, "bad CRL nextUpdate");
    ASSIGN_OR_RETURN(Bytes next_der, Encode(&i2d_ASN1_TIME, next, "i2d_ASN1_TIME"));
    Append(tbs_content, next_der);
  }
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(&crl);
  if (sk_X509_REVOKED_num(revoked) > 0) {
    Bytes entries;
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      ASSIGN_OR_RETURN(Bytes entry,
                       Encode(&i2d_X509_REVOKED,
                              static_cast<const X509_REVOKED*>(sk_X509_REVOKED_value(revoked, i)),
                              "i2d_X509_REVOKED"));
      Append(entries, entry);
    }
    Append(tbs_content, Wrap(kTagSequence, entries));
  }
  const STACK_OF(X509_EXTENSION)* exts = X509_CRL_get0_extensions(&crl);
  if (sk_X509_EXTENSION_num(exts) > 0) {
    if (version != 1) {
      return Status(ErrorCode::kInvalidArgs, "a CRL with extensions must be version 2");
    }
    ASSIGN_OR_RETURN(Bytes exts_der, Encode(&i2d_X509_EXTENSIONS, exts, "i2d_X509_EXTENSIONS"));
    Append(tbs_content, Wrap(kTagExplicit0, exts_der));
  }
  Bytes tbs = Wrap(kTagSequence, tbs_content);

  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(alg, tbs));

  // Keep the in-memory CRL's outer fields in step (see the header for the TBS field).
  const ASN1_BIT_STRING* sig_const = nullptr;
  const X509_ALGOR* outer_const = nullptr;
  X509_CRL_get0_signature(&crl, &sig_const, &outer_const);
  if (sig_const == nullptr || outer_const == nullptr ||
      X509_ALGOR_copy(const_cast<X509_ALGOR*>(outer_const), algor.get()) != 1) {
    return OsslError("X509_ALGOR_copy");
  }
  RETURN_IF_ERROR(SetBitString(*const_cast<ASN1_BIT_STRING*>(sig_const), signature));
  return WrapSigned(tbs, *algor, signature);
}

}  // namespace openpca::x509

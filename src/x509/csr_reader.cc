#include "x509/csr_reader.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "keys/signer.h"
#include "x509/csr.h"
#include "x509/der_reader.h"
#include "x509/der_writer.h"
#include "x509/pem.h"

namespace openpca::x509 {
namespace {

constexpr uint8_t kTagNull = 0x05;
constexpr uint8_t kTagOid = 0x06;
constexpr uint8_t kTagSet = 0x31;
constexpr uint8_t kTagAttributes = 0xa0;  // [0] IMPLICIT SET OF Attribute

using OsslParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<&OSSL_PARAM_BLD_free>>;
using OsslParamPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<&OSSL_PARAM_free>>;

Status Malformed(std::string message) {
  ClearOsslErrors();
  return Status(ErrorCode::kMalformedCsr, std::move(message));
}

bool LooksLikePem(std::span<const uint8_t> in) {
  std::string_view text = AsStringView(in);
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text.substr(first).starts_with("-----BEGIN ");
}

bool Equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The content octets of a well-known OID, from OpenSSL's table (static objects).
std::span<const uint8_t> OidOf(int nid) {
  const ASN1_OBJECT* obj = OBJ_nid2obj(nid);
  OPENPCA_CHECK(obj != nullptr);
  return {OBJ_get0_data(obj), OBJ_length(obj)};
}

// An AlgorithmIdentifier: OID content and the whole parameters element (empty when absent).
struct AlgId {
  std::span<const uint8_t> oid;
  std::span<const uint8_t> params;
};

std::optional<AlgId> ReadAlgorithmIdentifier(const DerElement& seq) {
  if (seq.tag != kDerSequence) return std::nullopt;
  DerReader r(seq.content);
  std::optional<DerElement> oid = r.Expect(kTagOid);
  if (!oid.has_value() || !IsValidOidContent(oid->content)) return std::nullopt;
  AlgId out{oid->content, {}};
  if (!r.empty()) {
    std::optional<DerElement> params = r.Next();
    if (!params.has_value() || !r.empty()) return std::nullopt;
    out.params = params->whole;
  }
  return out;
}

// Validates an RDNSequence and counts its attribute values.
std::optional<size_t> CountNameEntries(std::span<const uint8_t> content) {
  size_t entries = 0;
  DerReader rdns(content);
  while (!rdns.empty()) {
    std::optional<DerElement> rdn = rdns.Expect(kTagSet);
    if (!rdn.has_value()) return std::nullopt;
    DerReader atvs(rdn->content);
    while (!atvs.empty()) {
      std::optional<DerElement> atv = atvs.Expect(kDerSequence);
      if (!atv.has_value()) return std::nullopt;
      DerReader parts(atv->content);
      std::optional<DerElement> type = parts.Expect(kTagOid);
      if (!type.has_value() || !IsValidOidContent(type->content)) return std::nullopt;
      if (!parts.Next().has_value() || !parts.empty()) return std::nullopt;
      ++entries;
    }
  }
  return entries;
}

// Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
std::optional<CsrExtension> ReadExtension(const DerElement& seq) {
  if (seq.tag != kDerSequence) return std::nullopt;
  DerReader r(seq.content);
  std::optional<DerElement> oid = r.Expect(kTagOid);
  if (!oid.has_value() || !IsValidOidContent(oid->content)) return std::nullopt;
  int critical = -1;  // absent
  if (r.PeekTag() == kDerBoolean) {
    std::optional<DerElement> b = r.Next();
    if (!b.has_value() || b->content.size() != 1) return std::nullopt;
    // DER leaves out a BOOLEAN equal to its DEFAULT: an explicit FALSE is dropped (as the
    // reference path's X509_EXTENSION_set_critical does), TRUE is written as 0xff.
    critical = b->content[0] != 0 ? 1 : -1;
  }
  std::optional<DerElement> value = r.Expect(kDerOctetString);
  if (!value.has_value() || !r.empty()) return std::nullopt;

  CsrExtension ext;
  ext.oid.assign(oid->content.begin(), oid->content.end());
  size_t content_len = oid->whole.size() + (critical >= 0 ? 3 : 0) + value->whole.size();
  ext.der.reserve(content_len + kMaxDerHeaderSize);
  AppendDerHeader(ext.der, kDerSequence, content_len);
  ext.der.insert(ext.der.end(), oid->whole.begin(), oid->whole.end());
  if (critical >= 0) {
    const uint8_t b[] = {kDerBoolean, 0x01, 0xff};
    ext.der.insert(ext.der.end(), std::begin(b), std::end(b));
  }
  ext.der.insert(ext.der.end(), value->whole.begin(), value->whole.end());
  return ext;
}

// The first value of the first attribute of type `oid` (X509_REQ_get_extensions' choice), or an
// empty element when there is no such attribute or it has no value.
std::optional<std::optional<DerElement>> FindAttributeValue(std::span<const uint8_t> attributes,
                                                            std::span<const uint8_t> oid) {
  DerReader r(attributes);
  while (!r.empty()) {
    std::optional<DerElement> attr = r.Expect(kDerSequence);
    if (!attr.has_value()) return std::nullopt;
    DerReader parts(attr->content);
    std::optional<DerElement> type = parts.Expect(kTagOid);
    std::optional<DerElement> values = parts.Expect(kTagSet);
    if (!type.has_value() || !IsValidOidContent(type->content) || !values.has_value() ||
        !parts.empty()) {
      return std::nullopt;
    }
    // Every value must be DER, even of attributes we do not read.
    DerReader vr(values->content);
    std::optional<DerElement> first;
    while (!vr.empty()) {
      std::optional<DerElement> v = vr.Next();
      if (!v.has_value()) return std::nullopt;
      if (!first.has_value()) first = v;
    }
    if (Equal(type->content, oid)) return std::optional<DerElement>(first);
  }
  return std::optional<DerElement>();
}

}  // namespace

Result<ParsedCsr> ParsedCsr::Parse(std::span<const uint8_t> pem_or_der) {
  ParsedCsr csr;
  if (LooksLikePem(pem_or_der)) {
    ASSIGN_OR_RETURN(csr.der_, CsrPemBlockToDer(AsStringView(pem_or_der)));
  } else {
    csr.der_.assign(pem_or_der.begin(), pem_or_der.end());
  }
  if (csr.der_.empty()) return Malformed("the CSR is empty");
  RETURN_IF_ERROR(csr.ParseDer());
  return csr;
}

Status ParsedCsr::ParseDer() {
  const Status bad = Malformed("the CSR is neither a PEM nor a DER PKCS#10 request");
  std::optional<DerElement> outer = ReadDerElement(der_);
  if (!outer.has_value() || outer->tag != kDerSequence) return bad;
  if (outer->whole.size() != der_.size()) return Malformed("the CSR has trailing data");

  // CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature }
  DerReader top(outer->content);
  std::optional<DerElement> info = top.Expect(kDerSequence);
  std::optional<DerElement> sig_alg_el = top.Expect(kDerSequence);
  std::optional<DerElement> sig_el = top.Expect(kDerBitString);
  if (!info.has_value() || !sig_alg_el.has_value() || !sig_el.has_value() || !top.empty()) {
    return bad;
  }
  std::optional<AlgId> sig_alg = ReadAlgorithmIdentifier(*sig_alg_el);
  if (!sig_alg.has_value()) return bad;
  // The signature is whole octets: 0 unused bits (X509_REQ_verify refuses others too).
  if (sig_el->content.empty() || sig_el->content[0] != 0) {
    return Malformed("the CSR's signature is not a whole number of octets");
  }
  info_ = info->whole;
  sig_alg_oid_ = sig_alg->oid;
  sig_alg_params_ = sig_alg->params;
  signature_ = sig_el->content.subspan(1);

  // CertificationRequestInfo ::= SEQUENCE { version INTEGER (v1 = 0), subject Name,
  //   subjectPKInfo SubjectPublicKeyInfo, attributes [0] SET OF Attribute }
  DerReader r(info->content);
  std::optional<DerElement> version = r.Expect(kDerInteger);
  std::optional<DerElement> subject = r.Expect(kDerSequence);
  std::optional<DerElement> spki = r.Expect(kDerSequence);
  if (!version.has_value() || !subject.has_value() || !spki.has_value()) return bad;
  if (version->content.size() != 1 || version->content[0] != 0) {
    return Malformed("the CSR's version is not 1");
  }
  std::optional<size_t> entries = CountNameEntries(subject->content);
  if (!entries.has_value()) return Malformed("the CSR's subject is not a valid name");
  subject_ = subject->whole;
  subject_entries_ = *entries;

  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  DerReader kr(spki->content);
  std::optional<DerElement> key_alg_el = kr.Expect(kDerSequence);
  std::optional<DerElement> key_bits = kr.Expect(kDerBitString);
  if (!key_alg_el.has_value() || !key_bits.has_value() || !kr.empty()) return bad;
  std::optional<AlgId> key_alg = ReadAlgorithmIdentifier(*key_alg_el);
  if (!key_alg.has_value() || key_bits->content.size() < 2 || key_bits->content[0] != 0) {
    return Malformed("the CSR's public key is not well formed");
  }
  // The certificate carries the key as OpenSSL's X509_PUBKEY_set0_param writes it: parameters
  // absent, NULL, an OID or a SEQUENCE, copied; anything else is refused as before.
  if (!key_alg->params.empty()) {
    uint8_t t = key_alg->params[0];
    bool ok = t == kTagOid || t == kDerSequence || (t == kTagNull && key_alg->params.size() == 2);
    if (t == kTagOid && !IsValidOidContent(key_alg->params.subspan(2))) ok = false;
    if (!ok) return Malformed("unsupported public key parameters");
  }
  key_alg_oid_ = key_alg->oid;
  key_params_ = key_alg->params;
  key_bits_ = key_bits->content.subspan(1);
  spki_.reserve(spki->whole.size());
  spki_.assign(spki->whole.begin(), spki->whole.end());

  // attributes [0]: required by RFC 2986, optional for OpenSSL (it accepts its omission).
  std::span<const uint8_t> attributes;
  if (!r.empty()) {
    std::optional<DerElement> attrs = r.Expect(kTagAttributes);
    if (!attrs.has_value() || !r.empty()) return bad;
    attributes = attrs->content;
  }
  // X509_REQ_get_extensions: PKCS#9 extensionRequest, else Microsoft's.
  std::optional<DerElement> requested;
  for (int nid : {NID_ext_req, NID_ms_ext_req}) {
    std::optional<std::optional<DerElement>> v = FindAttributeValue(attributes, OidOf(nid));
    if (!v.has_value()) return Malformed("the CSR's attributes are not well formed");
    if (v->has_value()) {
      requested = **v;
      break;
    }
  }
  if (requested.has_value()) {
    if (requested->tag != kDerSequence) {
      return Malformed("the CSR's extension request is not a list of extensions");
    }
    DerReader er(requested->content);
    while (!er.empty()) {
      std::optional<DerElement> e = er.Next();
      std::optional<CsrExtension> ext;
      if (e.has_value()) ext = ReadExtension(*e);
      if (!ext.has_value()) return Malformed("the CSR's extension request is not well formed");
      extensions_.push_back(std::move(*ext));
    }
  }
  return Status::Ok();
}

namespace {

// A key-management context per key type and thread, reused for every decode: fetching the
// key management is what OpenSSL 3.0 would otherwise repeat per request.
EVP_PKEY_CTX* FromDataContext(KeyFamily family) {
  thread_local EvpPkeyCtxPtr rsa, ec, sm2;
  EvpPkeyCtxPtr& slot = family == KeyFamily::kRsa ? rsa : family == KeyFamily::kEc ? ec : sm2;
  if (slot == nullptr) {
    const char* name = family == KeyFamily::kRsa ? "RSA" : family == KeyFamily::kEc ? "EC" : "SM2";
    slot.reset(EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr));
  }
  return slot.get();
}

Result<EvpPkeyPtr> FromData(KeyFamily family, const OSSL_PARAM* params) {
  EVP_PKEY_CTX* ctx = FromDataContext(family);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1) {
    return Malformed("the CSR's public key cannot be decoded");
  }
  return EvpPkeyPtr(key);
}

Result<EvpPkeyPtr> DecodeRsa(const ParsedCsr& csr) {
  // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
  std::optional<DerElement> seq = ReadDerElement(csr.key_bits());
  if (!seq.has_value() || seq->tag != kDerSequence || seq->whole.size() != csr.key_bits().size()) {
    return Malformed("the CSR's public key cannot be decoded");
  }
  DerReader r(seq->content);
  std::optional<DerElement> n = r.Expect(kDerInteger);
  std::optional<DerElement> e = r.Expect(kDerInteger);
  if (!n.has_value() || !e.has_value() || !r.empty()) {
    return Malformed("the CSR's public key cannot be decoded");
  }
  auto n_mag = NonNegativeIntegerMagnitude(n->content);
  auto e_mag = NonNegativeIntegerMagnitude(e->content);
  if (!n_mag.has_value() || !e_mag.has_value() || (*n_mag)[0] == 0) {
    return Malformed("the CSR's public key cannot be decoded");
  }
  // Strength first, from the modulus alone: never decode a key we would reject anyway.
  int bits = static_cast<int>(n_mag->size() * 8);
  for (uint8_t top = (*n_mag)[0]; (top & 0x80) == 0; top <<= 1) --bits;
  if (bits < kMinCsrRsaBits) {
    return Malformed("the CSR's RSA key has " + std::to_string(bits) + " bits; at least " +
                     std::to_string(kMinCsrRsaBits) + " are required");
  }
  if (bits > kMaxCsrRsaBits) {
    return Malformed("the CSR's RSA key has " + std::to_string(bits) + " bits; at most " +
                     std::to_string(kMaxCsrRsaBits) + " are allowed");
  }
  BignumPtr bn_n(BN_bin2bn(n_mag->data(), static_cast<int>(n_mag->size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(e_mag->data(), static_cast<int>(e_mag->size()), nullptr));
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bn_n == nullptr || bn_e == nullptr || bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return OsslError("OSSL_PARAM_BLD_push_BN");
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (params == nullptr) return OsslError("OSSL_PARAM_BLD_to_param");
  return FromData(KeyFamily::kRsa, params.get());
}

Result<EvpPkeyPtr> DecodeEc(const ParsedCsr& csr) {
  std::span<const uint8_t> params = csr.key_parameters();
  if (params.size() < 2 || params[0] != kTagOid) {
    return Malformed("the CSR's EC key does not use a named curve");
  }
  std::span<const uint8_t> curve = params.subspan(2);
  const char* group = nullptr;
  KeyFamily family = KeyFamily::kEc;
  if (Equal(curve, OidOf(NID_X9_62_prime256v1))) {
    group = "P-256";
  } else if (Equal(curve, OidOf(NID_secp384r1))) {
    group = "P-384";
  } else if (Equal(curve, OidOf(NID_secp521r1))) {
    group = "P-521";
  } else if (Equal(curve, OidOf(NID_sm2))) {
    // OpenSSL types a key on the SM2 curve as "SM2", not "EC".
    group = "SM2";
    family = KeyFamily::kSm2;
  } else {
    return Malformed("the CSR's EC key uses an unsupported curve; only P-256, P-384, P-521 and "
                     "SM2 are supported");
  }
  std::span<const uint8_t> point = csr.key_bits();
  // Building a curve's group (its Montgomery constants, the generator's) is most of what
  // EVP_PKEY_fromdata costs for an EC key. So the first key of each curve on a thread is decoded
  // in full and kept; each later one is a copy of it (the group copied, not rebuilt) given the
  // new point, which OpenSSL decodes and checks to be on the curve as fromdata does.
  thread_local std::unordered_map<std::string_view, EvpPkeyPtr> decoded_once;
  EvpPkeyPtr& kept = decoded_once[group];
  if (kept != nullptr) {
    EvpPkeyPtr key(EVP_PKEY_dup(kept.get()));
    if (key == nullptr) return OsslError("EVP_PKEY_dup");
    if (EVP_PKEY_set1_encoded_public_key(key.get(), point.data(), point.size()) != 1) {
      ERR_clear_error();
      return Malformed("the CSR's public key cannot be decoded");
    }
    return key;
  }
  OSSL_PARAM p[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(point.data()), point.size()),
      OSSL_PARAM_construct_end(),
  };
  ASSIGN_OR_RETURN(EvpPkeyPtr key, FromData(family, p));
  kept.reset(EVP_PKEY_dup(key.get()));  // null on failure: the next key is decoded in full
  return key;
}

struct SignatureScheme {
  int nid;
  KeyFamily family;
  const char* digest;
};

// Signature algorithms checked directly; X509_REQ_verify handles the others.
const SignatureScheme* FindScheme(std::span<const uint8_t> oid) {
  static const SignatureScheme kSchemes[] = {
      {NID_ecdsa_with_SHA256, KeyFamily::kEc, "SHA256"},
      {NID_ecdsa_with_SHA384, KeyFamily::kEc, "SHA384"},
      {NID_ecdsa_with_SHA512, KeyFamily::kEc, "SHA512"},
      {NID_ecdsa_with_SHA224, KeyFamily::kEc, "SHA224"},
      {NID_ecdsa_with_SHA1, KeyFamily::kEc, "SHA1"},
      {NID_sha256WithRSAEncryption, KeyFamily::kRsa, "SHA256"},
      {NID_sha384WithRSAEncryption, KeyFamily::kRsa, "SHA384"},
      {NID_sha512WithRSAEncryption, KeyFamily::kRsa, "SHA512"},
      {NID_sha224WithRSAEncryption, KeyFamily::kRsa, "SHA224"},
      {NID_sha1WithRSAEncryption, KeyFamily::kRsa, "SHA1"},
      {NID_SM2_with_SM3, KeyFamily::kSm2, "SM3"},
  };
  for (const SignatureScheme& s : kSchemes) {
    if (Equal(oid, OidOf(s.nid))) return &s;
  }
  return nullptr;
}

KeyFamily FamilyOfKey(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "RSA")) return KeyFamily::kRsa;
  if (EVP_PKEY_is_a(&key, "SM2")) return KeyFamily::kSm2;
  return KeyFamily::kEc;
}

bool VerifyWith(const SignatureScheme& scheme, const EVP_PKEY& key, const ParsedCsr& csr,
                const char* sm2_id) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (ctx == nullptr ||
      EVP_DigestVerifyInit_ex(ctx.get(), &pctx, scheme.digest, nullptr, nullptr,
                              const_cast<EVP_PKEY*>(&key), nullptr) != 1) {
    return false;
  }
  if (sm2_id != nullptr && EVP_PKEY_CTX_set1_id(pctx, sm2_id, std::strlen(sm2_id)) != 1) {
    return false;
  }
  std::span<const uint8_t> sig = csr.signature();
  std::span<const uint8_t> info = csr.info();
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), info.data(), info.size()) == 1;
}

}  // namespace

Result<EvpPkeyPtr> DecodeCsrPublicKey(const ParsedCsr& csr) {
  std::span<const uint8_t> alg = csr.key_algorithm_oid();
  if (Equal(alg, OidOf(NID_rsaEncryption))) {
    std::span<const uint8_t> params = csr.key_parameters();
    if (!params.empty() && params[0] != kTagNull) {
      return Malformed("the CSR's RSA key has unexpected parameters");
    }
    return DecodeRsa(csr);
  }
  if (Equal(alg, OidOf(NID_X9_62_id_ecPublicKey))) return DecodeEc(csr);
  return Malformed("the CSR's public key type is not supported; use RSA or EC");
}

Status VerifyParsedCsr(const ParsedCsr& csr, const EVP_PKEY& key) {
  const SignatureScheme* scheme = FindScheme(csr.signature_algorithm_oid());
  std::span<const uint8_t> params = csr.signature_algorithm_parameters();
  const bool plain_params = params.empty() || (params.size() == 2 && params[0] == kTagNull &&
                                               params[1] == 0);
  if (scheme == nullptr || !plain_params) {
    // Rare algorithms (RSA-PSS, ...): OpenSSL's own check on the same bytes.
    const unsigned char* in = csr.der().data();
    X509ReqPtr req(d2i_X509_REQ(nullptr, &in, static_cast<long>(csr.der().size())));
    if (req == nullptr || in != csr.der().data() + csr.der().size()) {
      return Malformed("the CSR is neither a PEM nor a DER PKCS#10 request");
    }
    if (X509_REQ_verify(req.get(), const_cast<EVP_PKEY*>(&key)) == 1) return Status::Ok();
    return Malformed("the CSR's signature does not verify with its own public key");
  }
  bool ok = scheme->family == FamilyOfKey(key) && VerifyWith(*scheme, key, csr, nullptr);
  if (!ok && scheme->family == KeyFamily::kSm2 && FamilyOfKey(key) == KeyFamily::kSm2) {
    // An empty SM2 ID first (what `openssl req` signs with), then the X.509 default ID (what
    // BuildCaCsr signs with), as VerifyCsr.
    ClearOsslErrors();
    ok = VerifyWith(*scheme, key, csr, keys::kSm2DefaultId);
  }
  ClearOsslErrors();
  if (!ok) return Malformed("the CSR's signature does not verify with its own public key");
  return Status::Ok();
}

Bytes CsrKeyIdentifier(const ParsedCsr& csr) {
  Bytes id(SHA_DIGEST_LENGTH);
  SHA1(csr.key_bits().data(), csr.key_bits().size(), id.data());
  return id;
}

}  // namespace openpca::x509

#include "keys/pkcs11/pkcs11_encoding.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include <array>
#include <cstring>
#include <string>

namespace openpca::keys::pkcs11 {
namespace {

using ossl::BignumPtr;
using ossl::EvpPkeyPtr;
using ossl::OsslError;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, ossl::OsslDeleter<&ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ossl::OsslDeleter<&OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, ossl::OsslDeleter<&OSSL_PARAM_free>>;

constexpr uint8_t kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr uint8_t kP384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kP521[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};

constexpr uint8_t kSha256Info[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                   0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
constexpr uint8_t kSha384Info[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                   0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
constexpr uint8_t kSha512Info[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                   0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

const char* GroupName(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kEcP256:
      return "P-256";
    case KeyAlgorithm::kEcP384:
      return "P-384";
    case KeyAlgorithm::kEcP521:
      return "P-521";
    default:
      return nullptr;
  }
}

Result<Bytes> SpkiOf(const char* type, const OSSL_PARAM* params) {
  ossl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
          1) {
    return OsslError("EVP_PKEY_fromdata");
  }
  EvpPkeyPtr owned(key);
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(owned.get(), &der);
  if (len <= 0) return OsslError("i2d_PUBKEY");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// Big-endian bytes of a BIGNUM parameter of `key`, left-padded to `width` when given.
Result<Bytes> BnParam(const EVP_PKEY& key, const char* name, size_t width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(&key, name, &bn) != 1) return OsslError("EVP_PKEY_get_bn_param");
  ossl::BignumPtr owned(bn);
  size_t n = static_cast<size_t>(BN_num_bytes(bn));
  Bytes out(std::max(n, width));
  if (BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) < 0) {
    OPENSSL_cleanse(out.data(), out.size());
    return OsslError("BN_bn2binpad");
  }
  return out;
}

// DER OCTET STRING around `content` (short or long definite length).
Bytes OctetString(std::span<const uint8_t> content) {
  Bytes out{0x04};
  size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

}  // namespace

Bytes EcParamsDer(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kEcP256:
      return Bytes(std::begin(kP256), std::end(kP256));
    case KeyAlgorithm::kEcP384:
      return Bytes(std::begin(kP384), std::end(kP384));
    case KeyAlgorithm::kEcP521:
      return Bytes(std::begin(kP521), std::end(kP521));
    default:
      return {};
  }
}

std::optional<KeyAlgorithm> EcAlgorithmOf(std::span<const uint8_t> p) {
  for (KeyAlgorithm a : {KeyAlgorithm::kEcP256, KeyAlgorithm::kEcP384, KeyAlgorithm::kEcP521}) {
    Bytes der = EcParamsDer(a);
    if (p.size() == der.size() && std::equal(p.begin(), p.end(), der.begin())) return a;
  }
  return std::nullopt;
}

size_t EcFieldBytes(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kEcP256:
      return 32;
    case KeyAlgorithm::kEcP384:
      return 48;
    case KeyAlgorithm::kEcP521:
      return 66;
    default:
      return 0;
  }
}

Result<Bytes> EcSpki(KeyAlgorithm algorithm, std::span<const uint8_t> ec_point) {
  const char* group = GroupName(algorithm);
  size_t field = EcFieldBytes(algorithm);
  if (group == nullptr) return InternalError("not an EC algorithm");
  const size_t point_len = 2 * field + 1;
  std::span<const uint8_t> point = ec_point;
  // PKCS#11 says CKA_EC_POINT is DER-encoded; a bare uncompressed point has exactly point_len
  // octets, the OCTET STRING around it 2 or 3 more, so the length tells them apart.
  if (ec_point.size() != point_len) {
    size_t header = point_len < 0x80 ? 2 : 3;
    if (ec_point.size() != point_len + header || ec_point[0] != 0x04) {
      return InternalError("CKA_EC_POINT has an unexpected length");
    }
    point = ec_point.subspan(header);
  }
  if (point[0] != 0x04) return InternalError("CKA_EC_POINT is not an uncompressed point");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(point.data()), point.size()),
      OSSL_PARAM_construct_end(),
  };
  return SpkiOf("EC", params);
}

Result<Bytes> RsaSpki(std::span<const uint8_t> modulus, std::span<const uint8_t> exponent) {
  BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (n == nullptr || e == nullptr || bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OsslError("OSSL_PARAM_BLD_push_BN");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (params == nullptr) return OsslError("OSSL_PARAM_BLD_to_param");
  return SpkiOf("RSA", params.get());
}

Result<Bytes> EcdsaRawToDer(std::span<const uint8_t> raw) {
  if (raw.empty() || raw.size() % 2 != 0) return InternalError("CKM_ECDSA signature length");
  size_t half = raw.size() / 2;
  BignumPtr r(BN_bin2bn(raw.data(), static_cast<int>(half), nullptr));
  BignumPtr s(BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr) return OsslError("ECDSA_SIG_new");
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return OsslError("ECDSA_SIG_set0");
  r.release();
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return OsslError("i2d_ECDSA_SIG");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::span<const uint8_t> DigestInfoPrefix(SigningAlgorithm alg) {
  switch (alg) {
    case SigningAlgorithm::kSha256WithRsa:
      return kSha256Info;
    case SigningAlgorithm::kSha384WithRsa:
      return kSha384Info;
    case SigningAlgorithm::kSha512WithRsa:
      return kSha512Info;
    default:
      return {};
  }
}

Result<Bytes> MessageDigest(SigningAlgorithm alg, std::span<const uint8_t> data) {
  // Fetched once per algorithm and kept for the life of the process.
  static const std::array<EVP_MD*, 7> kDigests = [] {
    std::array<EVP_MD*, 7> mds{};
    for (size_t i = 0; i < mds.size(); ++i) {
      mds[i] = EVP_MD_fetch(nullptr, DigestName(static_cast<SigningAlgorithm>(i)), nullptr);
    }
    ossl::ClearOsslErrors();  // SM3 may be missing from the provider; that entry stays null
    return mds;
  }();
  size_t index = static_cast<size_t>(alg);
  if (index >= kDigests.size() || kDigests[index] == nullptr) return OsslError("EVP_MD_fetch");
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, kDigests[index], nullptr) != 1) {
    return OsslError("EVP_Digest");
  }
  out.resize(len);
  return out;
}

KeyObjectValues::~KeyObjectValues() {
  for (auto& [type, value] : private_values) OPENSSL_cleanse(value.data(), value.size());
}

Result<std::unique_ptr<KeyObjectValues>> KeyObjectValuesOf(const EVP_PKEY& key) {
  auto out = std::make_unique<KeyObjectValues>();
  if (EVP_PKEY_is_a(&key, "RSA")) {
    switch (EVP_PKEY_get_bits(&key)) {
      case 2048:
        out->algorithm = KeyAlgorithm::kRsa2048;
        break;
      case 3072:
        out->algorithm = KeyAlgorithm::kRsa3072;
        break;
      case 4096:
        out->algorithm = KeyAlgorithm::kRsa4096;
        break;
      default:
        return Status(ErrorCode::kInvalidArgs, "unsupported RSA key size");
    }
    out->key_type = CKK_RSA;
    ASSIGN_OR_RETURN(Bytes n, BnParam(key, OSSL_PKEY_PARAM_RSA_N));
    ASSIGN_OR_RETURN(Bytes e, BnParam(key, OSSL_PKEY_PARAM_RSA_E));
    out->public_values = {{CKA_MODULUS, n}, {CKA_PUBLIC_EXPONENT, e}};
    out->private_values = {{CKA_MODULUS, n}, {CKA_PUBLIC_EXPONENT, e}};
    const std::pair<CK_ATTRIBUTE_TYPE, const char*> kCrt[] = {
        {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
        {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
        {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
        {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    for (const auto& [type, name] : kCrt) {
      ASSIGN_OR_RETURN(Bytes v, BnParam(key, name));
      out->private_values.emplace_back(type, std::move(v));
    }
    return out;
  }
  if (!EVP_PKEY_is_a(&key, "EC")) return Status(ErrorCode::kInvalidArgs, "unsupported key type");
  char group[64] = {};
  size_t group_len = 0;
  if (EVP_PKEY_get_group_name(&key, group, sizeof(group), &group_len) != 1) {
    ossl::ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs, "EC key without a named curve");
  }
  std::string name(group, group_len);
  if (name == "prime256v1" || name == "P-256") {
    out->algorithm = KeyAlgorithm::kEcP256;
  } else if (name == "secp384r1" || name == "P-384") {
    out->algorithm = KeyAlgorithm::kEcP384;
  } else if (name == "secp521r1" || name == "P-521") {
    out->algorithm = KeyAlgorithm::kEcP521;
  } else {
    return Status(ErrorCode::kInvalidArgs, "unsupported EC curve " + name);
  }
  out->key_type = CKK_EC;
  Bytes params = EcParamsDer(out->algorithm);
  size_t point_len = 2 * EcFieldBytes(out->algorithm) + 1;
  Bytes point(point_len);
  size_t written = 0;
  if (EVP_PKEY_get_octet_string_param(&key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                      &written) != 1 ||
      written != point_len) {
    return OsslError("EVP_PKEY_get_octet_string_param(pub)");
  }
  ASSIGN_OR_RETURN(Bytes d, BnParam(key, OSSL_PKEY_PARAM_PRIV_KEY, EcFieldBytes(out->algorithm)));
  out->public_values = {{CKA_EC_PARAMS, params}, {CKA_EC_POINT, OctetString(point)}};
  out->private_values = {{CKA_EC_PARAMS, params}, {CKA_VALUE, std::move(d)}};
  return out;
}

}  // namespace openpca::keys::pkcs11

#include "keys/pkcs11/pkcs11_key_store.h"

#include <openssl/crypto.h>

#include <string>
#include <vector>

#include "common/durable_file.h"
#include "keys/pkcs11/pkcs11_encoding.h"
#include "keys/pkcs11/pkcs11_uri.h"

namespace openpca::keys::pkcs11 {
namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kMaxPinFileSize = 256;
constexpr std::string_view kLabelPrefix = "openpca-";

bool KnownStandard(const std::string& s) {
  return s.empty() || s == "FIPS_140_2_LEVEL_2_OR_HIGHER" || s == "FIPS_140_2_LEVEL_3_OR_HIGHER" ||
         s == "CCPC_LEVEL_1_OR_HIGHER";
}

std::string Hex(std::span<const uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

size_t RsaBits(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::kRsa2048:
      return 2048;
    case KeyAlgorithm::kRsa3072:
      return 3072;
    case KeyAlgorithm::kRsa4096:
      return 4096;
    default:
      return 0;
  }
}

std::optional<KeyAlgorithm> RsaAlgorithmOfModulus(size_t modulus_bytes) {
  switch (modulus_bytes) {
    case 256:
      return KeyAlgorithm::kRsa2048;
    case 384:
      return KeyAlgorithm::kRsa3072;
    case 512:
      return KeyAlgorithm::kRsa4096;
    default:
      return std::nullopt;
  }
}

// A mechanism the token offers with `flag`, and (when the token states a range) for `bits`.
bool Offers(const Pkcs11Token& token, CK_MECHANISM_TYPE type, CK_FLAGS flag, size_t bits) {
  std::optional<CK_MECHANISM_INFO> info = token.Mechanism(type);
  if (!info.has_value() || !(info->flags & flag)) return false;
  if (bits == 0 || info->ulMaxKeySize == 0) return true;
  return bits >= info->ulMinKeySize && bits <= info->ulMaxKeySize;
}

// Reads attributes of one object: a first call for the sizes, a second for the values.
CK_RV GetAttributes(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                    std::vector<std::pair<CK_ATTRIBUTE_TYPE, Bytes*>> wanted) {
  std::vector<CK_ATTRIBUTE> tmpl;
  for (auto& [type, out] : wanted) tmpl.push_back({type, nullptr, 0});
  CK_RV rv = fn->C_GetAttributeValue(session, object, tmpl.data(), tmpl.size());
  if (rv != CKR_OK) return rv;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) return CKR_ATTRIBUTE_TYPE_INVALID;
    wanted[i].second->assign(tmpl[i].ulValueLen, 0);
    tmpl[i].pValue = wanted[i].second->data();
  }
  return fn->C_GetAttributeValue(session, object, tmpl.data(), tmpl.size());
}

// A template entry pointing at a value that outlives the call.
template <typename T>
CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, T& value) {
  return {type, &value, sizeof(value)};
}
CK_ATTRIBUTE BytesAttr(CK_ATTRIBUTE_TYPE type, const Bytes& value) {
  return {type, const_cast<uint8_t*>(value.data()), static_cast<CK_ULONG>(value.size())};
}
CK_ATTRIBUTE StringAttr(CK_ATTRIBUTE_TYPE type, const std::string& value) {
  return {type, const_cast<char*>(value.data()), static_cast<CK_ULONG>(value.size())};
}

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

}  // namespace

Result<std::string> ReadPinFile(const std::string& path) {
  if (path.empty()) return Status(ErrorCode::kInvalidArgs, "no PKCS#11 PIN file");
  Result<Bytes> raw = ReadPrivateFile(path, kMaxPinFileSize, /*require_private=*/true);
  if (!raw.ok()) {
    if (raw.status().code() == ErrorCode::kInternal) return raw.status();
    return Status(ErrorCode::kInvalidArgs,
                  "PKCS#11 PIN file " + path + ": " + raw.status().message() +
                      " (it must be a regular file of mode 0600 or 0400)");
  }
  std::string pin(raw->begin(), raw->end());
  OPENSSL_cleanse(raw->data(), raw->size());
  if (!pin.empty() && pin.back() == '\n') pin.pop_back();
  if (!pin.empty() && pin.back() == '\r') pin.pop_back();
  if (pin.empty()) return Status(ErrorCode::kInvalidArgs, "PKCS#11 PIN file " + path + " is empty");
  return pin;
}

Pkcs11KeyStore::Pkcs11KeyStore(std::shared_ptr<Pkcs11Token> token, Random& random,
                               std::string security_standard, RsaMechanisms rsa_mechanisms)
    : token_(std::move(token)),
      security_standard_(std::move(security_standard)),
      rsa_mechanisms_(rsa_mechanisms),
      random_(random) {}

Result<std::unique_ptr<Pkcs11KeyStore>> Pkcs11KeyStore::Open(const Pkcs11KeyStoreOptions& options,
                                                             Random& random) {
  if (!KnownStandard(options.security_standard)) {
    return Status(ErrorCode::kInvalidArgs,
                  "unknown KeyStorageSecurityStandard " + options.security_standard);
  }
  ASSIGN_OR_RETURN(std::string pin, ReadPinFile(options.pin_file));
  Result<std::shared_ptr<Pkcs11Module>> module = Pkcs11Module::Load(options.module_path);
  if (!module.ok()) {
    OPENSSL_cleanse(pin.data(), pin.size());
    return module.status();
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Pkcs11Token> token,
                   Pkcs11Token::Open(std::move(module).value(), options.token_label,
                                     std::move(pin), options.max_sessions));
  RsaMechanisms rsa;
  if (!options.rsa_digest_in_software) {
    rsa.sha256 = Offers(*token, CKM_SHA256_RSA_PKCS, CKF_SIGN, 0);
    rsa.sha384 = Offers(*token, CKM_SHA384_RSA_PKCS, CKF_SIGN, 0);
    rsa.sha512 = Offers(*token, CKM_SHA512_RSA_PKCS, CKF_SIGN, 0);
  }
  return std::unique_ptr<Pkcs11KeyStore>(
      new Pkcs11KeyStore(std::move(token), random, options.security_standard, rsa));
}

bool Pkcs11KeyStore::Supports(KeyAlgorithm algorithm) const {
  switch (FamilyOf(algorithm)) {
    case KeyFamily::kRsa: {
      size_t bits = RsaBits(algorithm);
      bool sign = Offers(*token_, CKM_RSA_PKCS, CKF_SIGN, bits) ||
                  (rsa_mechanisms_.sha256 && rsa_mechanisms_.sha384 && rsa_mechanisms_.sha512);
      return sign && Offers(*token_, CKM_RSA_PKCS_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, bits);
    }
    case KeyFamily::kEc: {
      // EC mechanism ranges are in bits of the field (521 for P-521).
      size_t bits = algorithm == KeyAlgorithm::kEcP521 ? 521 : EcFieldBytes(algorithm) * 8;
      return Offers(*token_, CKM_EC_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, bits) &&
             Offers(*token_, CKM_ECDSA, CKF_SIGN, bits);
    }
    case KeyFamily::kSm2:
      return false;
  }
  return false;
}

std::string Pkcs11KeyStore::SecurityStandardOf(const std::string& key_id) const {
  return key_id.starts_with(kUriScheme) ? security_standard_ : "";
}

Result<Bytes> Pkcs11KeyStore::IdOf(const std::string& key_id) const {
  Result<Pkcs11Uri> uri = ParsePkcs11Uri(key_id);
  if (!uri.ok() || uri->id.empty()) {
    return Status(ErrorCode::kResourceNotFound, "not a PKCS#11 key id");
  }
  return uri->id;
}

void Pkcs11KeyStore::NewIdentity(Bytes& id, std::string& label, std::string& key_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = random_.RandomBytes(kIdBytes);
  }
  label = std::string(kLabelPrefix) + Hex(id);
  key_id = FormatPkcs11Uri({token_->label(), id, label, "private"});
}

Result<GeneratedKey> Pkcs11KeyStore::Generate(KeyAlgorithm algorithm) {
  if (!Supports(algorithm)) {
    return Status(ErrorCode::kInvalidArgs, "Key algorithm " +
                                               std::string(KeyAlgorithmName(algorithm)) +
                                               " is not supported by the PKCS#11 token.");
  }
  Bytes id;
  std::string label;
  std::string key_id;
  NewIdentity(id, label, key_id);

  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
  CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
  CK_ULONG modulus_bits = RsaBits(algorithm);
  Bytes exponent = {0x01, 0x00, 0x01};
  Bytes ec_params = EcParamsDer(algorithm);
  const bool rsa = FamilyOf(algorithm) == KeyFamily::kRsa;
  CK_MECHANISM mechanism{rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, nullptr, 0};

  std::vector<CK_ATTRIBUTE> pub = {
      Attr(CKA_CLASS, public_class), Attr(CKA_TOKEN, kTrue),  Attr(CKA_PRIVATE, kFalse),
      Attr(CKA_VERIFY, kTrue),       Attr(CKA_ENCRYPT, kFalse), Attr(CKA_WRAP, kFalse),
      BytesAttr(CKA_ID, id),         StringAttr(CKA_LABEL, label),
  };
  std::vector<CK_ATTRIBUTE> priv = {
      Attr(CKA_CLASS, private_class),  Attr(CKA_TOKEN, kTrue),       Attr(CKA_PRIVATE, kTrue),
      Attr(CKA_SENSITIVE, kTrue),      Attr(CKA_EXTRACTABLE, kFalse), Attr(CKA_SIGN, kTrue),
      Attr(CKA_DECRYPT, kFalse),       Attr(CKA_UNWRAP, kFalse),     Attr(CKA_DERIVE, kFalse),
      BytesAttr(CKA_ID, id),           StringAttr(CKA_LABEL, label),
  };
  if (rsa) {
    pub.push_back(Attr(CKA_MODULUS_BITS, modulus_bits));
    pub.push_back(BytesAttr(CKA_PUBLIC_EXPONENT, exponent));
  } else {
    pub.push_back(BytesAttr(CKA_EC_PARAMS, ec_params));
  }
  CK_RV rv = token_->Run([&](CK_SESSION_HANDLE session) {
    CK_OBJECT_HANDLE pub_handle = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE priv_handle = CK_INVALID_HANDLE;
    return token_->fn()->C_GenerateKeyPair(session, &mechanism, pub.data(), pub.size(),
                                           priv.data(), priv.size(), &pub_handle, &priv_handle);
  });
  if (rv != CKR_OK) return Pkcs11Error("C_GenerateKeyPair", rv);

  Result<std::pair<KeyAlgorithm, Bytes>> public_key = ReadPublicKey(id);
  if (!public_key.ok() || public_key->first != algorithm) {
    (void)Destroy(key_id);
    return public_key.ok() ? InternalError("the token generated a key of another size")
                           : public_key.status();
  }
  auto signer = std::make_shared<Pkcs11Signer>(token_, id, algorithm, public_key->second,
                                               rsa_mechanisms_);
  GeneratedKey out{key_id, public_key->second};
  std::lock_guard<std::mutex> lock(mu_);
  cache_.emplace(key_id, std::move(signer));
  return out;
}

Result<std::pair<KeyAlgorithm, Bytes>> Pkcs11KeyStore::ReadPublicKey(
    std::span<const uint8_t> id) {
  CK_FUNCTION_LIST* fn = token_->fn();
  bool missing = false;
  CK_KEY_TYPE key_type = 0;
  Bytes a;  // modulus | EC params
  Bytes b;  // public exponent | EC point
  CK_RV rv = token_->Run([&](CK_SESSION_HANDLE session) -> CK_RV {
    CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
    CK_RV r = FindObjectById(fn, session, CKO_PRIVATE_KEY, id, priv);
    if (r != CKR_OK) return r;
    if (priv == CK_INVALID_HANDLE) {
      missing = true;
      return CKR_OK;
    }
    r = FindObjectById(fn, session, CKO_PUBLIC_KEY, id, pub);
    if (r != CKR_OK) return r;
    CK_ATTRIBUTE type_attr = Attr(CKA_KEY_TYPE, key_type);
    r = fn->C_GetAttributeValue(session, priv, &type_attr, 1);
    if (r != CKR_OK) return r;
    if (key_type == CKK_RSA) {
      // The modulus and public exponent are public attributes of an RSA private key too.
      return GetAttributes(fn, session, pub != CK_INVALID_HANDLE ? pub : priv,
                           {{CKA_MODULUS, &a}, {CKA_PUBLIC_EXPONENT, &b}});
    }
    if (key_type == CKK_EC) {
      if (pub == CK_INVALID_HANDLE) return CKR_TEMPLATE_INCOMPLETE;
      return GetAttributes(fn, session, pub, {{CKA_EC_PARAMS, &a}, {CKA_EC_POINT, &b}});
    }
    return CKR_KEY_TYPE_INCONSISTENT;
  });
  if (missing) return Status(ErrorCode::kResourceNotFound, "no such key on the PKCS#11 token");
  if (rv == CKR_TEMPLATE_INCOMPLETE) {
    return InternalError("the EC key has no public key object on the PKCS#11 token");
  }
  if (rv == CKR_KEY_TYPE_INCONSISTENT) {
    return InternalError("the key on the PKCS#11 token is neither RSA nor EC");
  }
  if (rv != CKR_OK) return Pkcs11Error("reading the public key", rv);
  if (key_type == CKK_RSA) {
    // Leading zero octets do not count towards the size.
    size_t skip = 0;
    while (skip < a.size() && a[skip] == 0) ++skip;
    std::optional<KeyAlgorithm> alg = RsaAlgorithmOfModulus(a.size() - skip);
    if (!alg.has_value()) return InternalError("RSA key of a size openpca does not use");
    ASSIGN_OR_RETURN(Bytes spki, RsaSpki(std::span(a).subspan(skip), b));
    return std::make_pair(*alg, std::move(spki));
  }
  std::optional<KeyAlgorithm> alg = EcAlgorithmOf(a);
  if (!alg.has_value()) return InternalError("EC key on a curve openpca does not use");
  ASSIGN_OR_RETURN(Bytes spki, EcSpki(*alg, b));
  return std::make_pair(*alg, std::move(spki));
}

Result<std::shared_ptr<const Signer>> Pkcs11KeyStore::Load(const std::string& key_id) {
  ASSIGN_OR_RETURN(Bytes id, IdOf(key_id));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = cache_.find(key_id); it != cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(auto public_key, ReadPublicKey(id));
  std::shared_ptr<const Signer> signer = std::make_shared<Pkcs11Signer>(
      token_, std::move(id), public_key.first, std::move(public_key.second), rsa_mechanisms_);
  std::lock_guard<std::mutex> lock(mu_);
  // A concurrent Load may have won; keep one Signer per key.
  auto [it, inserted] = cache_.emplace(key_id, std::move(signer));
  return it->second;
}

Status Pkcs11KeyStore::Destroy(const std::string& key_id) {
  ASSIGN_OR_RETURN(Bytes id, IdOf(key_id));
  {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(key_id);
  }
  CK_FUNCTION_LIST* fn = token_->fn();
  int destroyed = 0;
  CK_RV rv = token_->Run([&](CK_SESSION_HANDLE session) -> CK_RV {
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
      CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
      CK_RV r = FindObjectById(fn, session, cls, id, object);
      if (r != CKR_OK) return r;
      if (object == CK_INVALID_HANDLE) continue;
      r = fn->C_DestroyObject(session, object);
      if (r != CKR_OK) return r;
      ++destroyed;
    }
    return CKR_OK;
  });
  if (rv != CKR_OK) return Pkcs11Error("C_DestroyObject", rv);
  if (destroyed == 0) return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
  return Status::Ok();
}

Result<GeneratedKey> Pkcs11KeyStore::Import(const EVP_PKEY& key) {
  ASSIGN_OR_RETURN(std::unique_ptr<KeyObjectValues> values, KeyObjectValuesOf(key));
  if (!Supports(values->algorithm)) {
    return Status(ErrorCode::kInvalidArgs,
                  "Key algorithm " + std::string(KeyAlgorithmName(values->algorithm)) +
                      " is not supported by the PKCS#11 token.");
  }
  unsigned char* spki_der = nullptr;
  int spki_len = i2d_PUBKEY(const_cast<EVP_PKEY*>(&key), &spki_der);
  if (spki_len <= 0) return ossl::OsslError("i2d_PUBKEY");
  Bytes expected_spki(spki_der, spki_der + spki_len);
  OPENSSL_free(spki_der);

  Bytes id;
  std::string label;
  std::string key_id;
  NewIdentity(id, label, key_id);
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
  CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE key_type = values->key_type;
  std::vector<CK_ATTRIBUTE> pub = {
      Attr(CKA_CLASS, public_class), Attr(CKA_KEY_TYPE, key_type),  Attr(CKA_TOKEN, kTrue),
      Attr(CKA_PRIVATE, kFalse),     Attr(CKA_VERIFY, kTrue),       BytesAttr(CKA_ID, id),
      StringAttr(CKA_LABEL, label),
  };
  for (const auto& [type, value] : values->public_values) pub.push_back(BytesAttr(type, value));
  std::vector<CK_ATTRIBUTE> priv = {
      Attr(CKA_CLASS, private_class), Attr(CKA_KEY_TYPE, key_type),    Attr(CKA_TOKEN, kTrue),
      Attr(CKA_PRIVATE, kTrue),       Attr(CKA_SENSITIVE, kTrue),      Attr(CKA_EXTRACTABLE, kFalse),
      Attr(CKA_SIGN, kTrue),          Attr(CKA_DECRYPT, kFalse),       Attr(CKA_UNWRAP, kFalse),
      Attr(CKA_DERIVE, kFalse),       BytesAttr(CKA_ID, id),           StringAttr(CKA_LABEL, label),
  };
  for (const auto& [type, value] : values->private_values) priv.push_back(BytesAttr(type, value));

  CK_FUNCTION_LIST* fn = token_->fn();
  CK_RV rv = token_->Run([&](CK_SESSION_HANDLE session) -> CK_RV {
    CK_OBJECT_HANDLE priv_handle = CK_INVALID_HANDLE;
    CK_RV r = fn->C_CreateObject(session, priv.data(), priv.size(), &priv_handle);
    if (r != CKR_OK) return r;
    CK_OBJECT_HANDLE pub_handle = CK_INVALID_HANDLE;
    r = fn->C_CreateObject(session, pub.data(), pub.size(), &pub_handle);
    if (r != CKR_OK) fn->C_DestroyObject(session, priv_handle);
    return r;
  });
  values.reset();  // cleanses the private values
  if (rv != CKR_OK) return Pkcs11Error("C_CreateObject", rv);

  Result<std::pair<KeyAlgorithm, Bytes>> public_key = ReadPublicKey(id);
  if (!public_key.ok() || public_key->second != expected_spki) {
    (void)Destroy(key_id);
    return public_key.ok() ? InternalError("the imported key reads back differently")
                           : public_key.status();
  }
  auto signer = std::make_shared<Pkcs11Signer>(token_, id, public_key->first, public_key->second,
                                               rsa_mechanisms_);
  GeneratedKey out{key_id, public_key->second};
  std::lock_guard<std::mutex> lock(mu_);
  cache_.emplace(key_id, std::move(signer));
  return out;
}

Result<bool> Pkcs11KeyStore::IsExtractable(const std::string& key_id) {
  ASSIGN_OR_RETURN(Bytes id, IdOf(key_id));
  CK_FUNCTION_LIST* fn = token_->fn();
  bool missing = false;
  CK_BBOOL extractable = CK_FALSE;
  CK_RV rv = token_->Run([&](CK_SESSION_HANDLE session) -> CK_RV {
    CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
    CK_RV r = FindObjectById(fn, session, CKO_PRIVATE_KEY, id, priv);
    if (r != CKR_OK) return r;
    if (priv == CK_INVALID_HANDLE) {
      missing = true;
      return CKR_OK;
    }
    CK_ATTRIBUTE attr = Attr(CKA_EXTRACTABLE, extractable);
    return fn->C_GetAttributeValue(session, priv, &attr, 1);
  });
  if (missing) return Status(ErrorCode::kResourceNotFound, "no such key: " + key_id);
  if (rv != CKR_OK) return Pkcs11Error("C_GetAttributeValue(CKA_EXTRACTABLE)", rv);
  return extractable == CK_TRUE;
}

}  // namespace openpca::keys::pkcs11

#include "revocation/ocsp/ocsp_issuer.h"

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "revocation/crl/der_writer.h"
#include "x509/inspect.h"
#include "x509/signing.h"

namespace openpca::revocation {
namespace {

constexpr const char* kDigestNames[kNumOcspHashAlgorithms] = {"SHA1", "SHA256", "SHA384", "SHA512"};

Result<Bytes> Digest(const char* name, std::span<const uint8_t> data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_get_digestbyname(name), nullptr) != 1) {
    return x509::OsslError("EVP_Digest");
  }
  return Bytes(md, md + len);
}

// The subjectPublicKey BIT STRING value (without the unused-bits octet): what KeyHash and
// issuerKeyHash are computed over (RFC 6960 4.1.1, 4.2.1).
std::span<const uint8_t> PublicKeyBits(const X509& cert) {
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(&cert);
  if (bits == nullptr) return {};
  return {ASN1_STRING_get0_data(bits), static_cast<size_t>(ASN1_STRING_length(bits))};
}

Result<Bytes> SubjectNameDer(const X509& cert) {
  // A name parsed from DER and not modified since re-encodes as its cached original octets.
  unsigned char* der = nullptr;
  int len = i2d_X509_NAME(X509_get_subject_name(&cert), &der);
  if (len <= 0) return x509::OsslError("i2d_X509_NAME");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<x509::X509Ptr> ParseCertificate(std::span<const uint8_t> der, const char* what) {
  Result<x509::X509Ptr> cert = x509::ParseCertificateDer(der);
  if (!cert.ok()) {
    x509::ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs, std::string(what) + " is not a DER certificate");
  }
  return cert;
}

// Checks that `signer` holds the key of `cert` and can sign with `alg`.
Status CheckSignerFits(const keys::Signer* signer, const X509& cert, SigningAlgorithm alg,
                       const char* what) {
  if (signer == nullptr) return Status(ErrorCode::kInvalidArgs, std::string(what) + ": no signer");
  ASSIGN_OR_RETURN(Bytes cert_key, x509::PublicKeyDer(cert));
  if (cert_key != signer->public_key_der()) {
    return Status(ErrorCode::kInvalidArgs,
                  std::string(what) + ": the signer's key is not the certificate's key");
  }
  if (FamilyOf(alg) != FamilyOf(signer->algorithm())) {
    return Status(ErrorCode::kInvalidArgs,
                  std::string(what) + ": signing algorithm does not fit the key");
  }
  return Status::Ok();
}

// RFC 6960 4.2.2.2: the delegate is issued directly by the CA and carries id-kp-OCSPSigning.
Status CheckDelegate(X509& delegate, X509& ca) {
  if (X509_NAME_cmp(X509_get_issuer_name(&delegate), X509_get_subject_name(&ca)) != 0) {
    return Status(ErrorCode::kInvalidArgs, "OCSP delegate: not issued by the CA (issuer name)");
  }
  RETURN_IF_ERROR(x509::UseSm2DefaultIdForVerification(delegate));
  EVP_PKEY* ca_key = X509_get0_pubkey(&ca);
  if (ca_key == nullptr || X509_verify(&delegate, ca_key) != 1) {
    x509::ClearOsslErrors();
    return Status(ErrorCode::kInvalidArgs, "OCSP delegate: not signed by the CA key");
  }
  // X509_get_extended_key_usage caches the extensions (X509_check_purpose) first.
  X509_check_purpose(&delegate, -1, 0);
  if ((X509_get_extension_flags(&delegate) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(&delegate) & XKU_OCSP_SIGN) == 0) {
    return Status(ErrorCode::kInvalidArgs, "OCSP delegate: no id-kp-OCSPSigning");
  }
  return Status::Ok();
}

std::string KeyHashIndex(OcspHashAlgorithm alg, std::span<const uint8_t> key_hash) {
  std::string key(1, static_cast<char>(alg));
  key.append(AsStringView(key_hash));
  return key;
}

}  // namespace

std::optional<OcspHashAlgorithm> OcspHashAlgorithmFromNid(int nid) {
  switch (nid) {
    case NID_sha1:
      return OcspHashAlgorithm::kSha1;
    case NID_sha256:
      return OcspHashAlgorithm::kSha256;
    case NID_sha384:
      return OcspHashAlgorithm::kSha384;
    case NID_sha512:
      return OcspHashAlgorithm::kSha512;
    default:
      return std::nullopt;
  }
}

Result<std::shared_ptr<const OcspIssuer>> OcspIssuer::Create(OcspIssuerConfig config) {
  if (config.ca_id.empty()) return Status(ErrorCode::kInvalidArgs, "OCSP issuer: empty CA id");
  if (config.response_validity.count() <= 0) {
    return Status(ErrorCode::kInvalidArgs, "OCSP issuer: response validity must be positive");
  }
  if (config.this_update_backdate.count() < 0) {
    return Status(ErrorCode::kInvalidArgs, "OCSP issuer: negative thisUpdate backdate");
  }
  std::shared_ptr<OcspIssuer> issuer(new OcspIssuer(std::move(config)));
  const OcspIssuerConfig& c = issuer->config_;

  ASSIGN_OR_RETURN(issuer->certificate_, ParseCertificate(c.certificate_der, "CA certificate"));
  X509& ca = *issuer->certificate_;
  RETURN_IF_ERROR(CheckSignerFits(c.signer.get(), ca, c.signing_algorithm, "CA"));
  issuer->answers_ = c.ocsp_enabled && (c.ca_status == "ACTIVE" || c.ca_status == "DISABLED");

  ASSIGN_OR_RETURN(Bytes name_der, SubjectNameDer(ca));
  std::span<const uint8_t> ca_key_bits = PublicKeyBits(ca);
  if (ca_key_bits.empty()) return Status(ErrorCode::kInvalidArgs, "CA certificate has no key");
  for (size_t i = 0; i < kNumOcspHashAlgorithms; ++i) {
    ASSIGN_OR_RETURN(issuer->hashes_[i].name_hash, Digest(kDigestNames[i], name_der));
    ASSIGN_OR_RETURN(issuer->hashes_[i].key_hash, Digest(kDigestNames[i], ca_key_bits));
  }

  const X509* responder_cert = &ca;
  x509::X509Ptr delegate_cert;
  if (c.delegate.has_value()) {
    ASSIGN_OR_RETURN(delegate_cert,
                     ParseCertificate(c.delegate->certificate_der, "OCSP delegate certificate"));
    RETURN_IF_ERROR(CheckDelegate(*delegate_cert, ca));
    RETURN_IF_ERROR(CheckSignerFits(c.delegate->signer.get(), *delegate_cert,
                                    c.delegate->signing_algorithm, "OCSP delegate"));
    issuer->response_signer_ = c.delegate->signer;
    issuer->response_algorithm_ = c.delegate->signing_algorithm;
    // certs [0] EXPLICIT SEQUENCE OF Certificate.
    Bytes list;
    AppendDer(list, kDerSequence, c.delegate->certificate_der);
    AppendDer(issuer->certs_der_, DerContextConstructed(0), list);
    responder_cert = delegate_cert.get();
  } else {
    issuer->response_signer_ = c.signer;
    issuer->response_algorithm_ = c.signing_algorithm;
  }
  issuer->responder_not_after_ = x509::NotAfter(*responder_cert);

  // ResponderID byKey [2] EXPLICIT KeyHash, KeyHash ::= OCTET STRING (SHA-1 of the key bits).
  ASSIGN_OR_RETURN(Bytes responder_key_hash, Digest("SHA1", PublicKeyBits(*responder_cert)));
  Bytes key_hash_der;
  AppendDer(key_hash_der, kDerOctetString, responder_key_hash);
  AppendDer(issuer->responder_id_der_, DerContextConstructed(2), key_hash_der);

  ASSIGN_OR_RETURN(x509::X509AlgorPtr algor,
                   x509::SignatureAlgorithmFor(issuer->response_algorithm_));
  unsigned char* der = nullptr;
  int len = i2d_X509_ALGOR(algor.get(), &der);
  if (len <= 0) return x509::OsslError("i2d_X509_ALGOR");
  issuer->signature_algorithm_der_.assign(der, der + len);
  OPENSSL_free(der);
  return std::shared_ptr<const OcspIssuer>(std::move(issuer));
}

bool OcspIssuer::Matches(OcspHashAlgorithm alg, std::span<const uint8_t> issuer_name_hash,
                         std::span<const uint8_t> issuer_key_hash) const {
  const CertIdHashes& h = hashes_[static_cast<size_t>(alg)];
  return std::ranges::equal(h.name_hash, issuer_name_hash) &&
         std::ranges::equal(h.key_hash, issuer_key_hash);
}

Result<OcspIssuerConfig> OcspIssuerConfigFromCaRecord(const store::CaRecord& ca,
                                                      std::shared_ptr<const keys::Signer> signer) {
  if (ca.certificate_der.empty()) {
    return Status(ErrorCode::kInvalidState, "CA " + ca.id + " has no certificate");
  }
  OcspIssuerConfig config;
  config.ca_id = ca.id;
  config.certificate_der = ca.certificate_der;
  config.signer = std::move(signer);
  config.ca_status = ca.status;

  nlohmann::json configuration = nlohmann::json::parse(ca.configuration_json, nullptr, false);
  if (!configuration.is_object() || !configuration.contains("SigningAlgorithm") ||
      !configuration["SigningAlgorithm"].is_string()) {
    return Status(ErrorCode::kInvalidArgs, "CA " + ca.id + ": no SigningAlgorithm");
  }
  std::optional<SigningAlgorithm> alg =
      ParseSigningAlgorithm(configuration["SigningAlgorithm"].get<std::string>());
  if (!alg.has_value()) {
    return Status(ErrorCode::kInvalidArgs, "CA " + ca.id + ": unknown SigningAlgorithm");
  }
  config.signing_algorithm = *alg;

  config.ocsp_enabled = false;
  if (!ca.revocation_json.empty()) {
    nlohmann::json revocation = nlohmann::json::parse(ca.revocation_json, nullptr, false);
    if (!revocation.is_object()) {
      return Status(ErrorCode::kInvalidArgs, "CA " + ca.id + ": unreadable revocation JSON");
    }
    auto ocsp = revocation.find("OcspConfiguration");
    if (ocsp != revocation.end() && ocsp->is_object()) {
      auto enabled = ocsp->find("Enabled");
      config.ocsp_enabled = enabled != ocsp->end() && enabled->is_boolean() && enabled->get<bool>();
    }
  }
  return config;
}

// --- StaticOcspIssuerDirectory ---

void StaticOcspIssuerDirectory::Add(std::shared_ptr<const OcspIssuer> issuer) {
  OPENPCA_CHECK(issuer != nullptr);
  std::shared_ptr<const OcspIssuer> replaced;
  {
    std::unique_lock lock(mu_);
    auto it = by_id_.find(issuer->ca_id());
    if (it != by_id_.end()) {
      if (it->second == issuer) return;
      replaced = it->second;
      UnindexLocked(*replaced);
      it->second = issuer;
    } else {
      by_id_.emplace(issuer->ca_id(), issuer);
    }
    IndexLocked(issuer);
  }
  if (replaced != nullptr) replaced->Retire();
}

void StaticOcspIssuerDirectory::Remove(std::string_view ca_id) {
  std::shared_ptr<const OcspIssuer> removed;
  {
    std::unique_lock lock(mu_);
    auto it = by_id_.find(ca_id);
    if (it == by_id_.end()) return;
    removed = std::move(it->second);
    by_id_.erase(it);
    UnindexLocked(*removed);
  }
  removed->Retire();
}

std::shared_ptr<const OcspIssuer> StaticOcspIssuerDirectory::Get(std::string_view ca_id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(ca_id);
  return it == by_id_.end() ? nullptr : it->second;
}

size_t StaticOcspIssuerDirectory::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

Result<std::shared_ptr<const OcspIssuer>> StaticOcspIssuerDirectory::Find(
    OcspHashAlgorithm alg, std::span<const uint8_t> issuer_name_hash,
    std::span<const uint8_t> issuer_key_hash) const {
  std::string key = KeyHashIndex(alg, issuer_key_hash);
  std::shared_lock lock(mu_);
  auto it = by_key_hash_.find(key);
  if (it != by_key_hash_.end()) {
    const std::shared_ptr<const OcspIssuer>* found = nullptr;
    for (const std::shared_ptr<const OcspIssuer>& issuer : it->second) {
      if (!issuer->Matches(alg, issuer_name_hash, issuer_key_hash)) continue;
      if (issuer->answers()) return issuer;
      if (found == nullptr) found = &issuer;
    }
    if (found != nullptr) return *found;
  }
  return Status(ErrorCode::kResourceNotFound, "no OCSP issuer for this CertID");
}

void StaticOcspIssuerDirectory::IndexLocked(const std::shared_ptr<const OcspIssuer>& issuer) {
  for (size_t i = 0; i < kNumOcspHashAlgorithms; ++i) {
    auto alg = static_cast<OcspHashAlgorithm>(i);
    by_key_hash_[KeyHashIndex(alg, issuer->key_hash(alg))].push_back(issuer);
  }
}

void StaticOcspIssuerDirectory::UnindexLocked(const OcspIssuer& issuer) {
  for (size_t i = 0; i < kNumOcspHashAlgorithms; ++i) {
    auto alg = static_cast<OcspHashAlgorithm>(i);
    auto it = by_key_hash_.find(KeyHashIndex(alg, issuer.key_hash(alg)));
    if (it == by_key_hash_.end()) continue;
    std::erase_if(it->second, [&](const auto& p) { return p.get() == &issuer; });
    if (it->second.empty()) by_key_hash_.erase(it);
  }
}

}  // namespace openpca::revocation

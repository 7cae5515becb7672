#include "audit/digest_keys.h"

#include <openssl/evp.h>

#include "common/bytes.h"
#include "x509/rsa_public_key.h"

namespace openpca::audit {

DigestKeys::DigestKeys(store::TrailDeliveryStore& store, keys::KeyStore& key_store,
                       const Clock& clock, std::chrono::seconds lifetime)
    : store_(store), key_store_(key_store), clock_(clock), lifetime_(lifetime) {
  OPENPCA_CHECK(lifetime_.count() > 0);
}

std::string DigestKeys::Fingerprint(std::span<const uint8_t> pkcs1_der) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  OPENPCA_CHECK(EVP_Digest(pkcs1_der.data(), pkcs1_der.size(), digest, &len, EVP_md5(), nullptr) ==
                1);
  return HexEncode(std::span<const uint8_t>(digest, len));
}

Result<DigestKeys::SigningKey> DigestKeys::Current(const std::string& region) {
  const int64_t now_s = ToUnixSeconds(clock_.Now());
  std::lock_guard<std::mutex> lock(mu_);
  auto cached = current_.find(region);
  if (cached != current_.end() && cached->second.valid_from_s <= now_s &&
      now_s < cached->second.valid_to_s) {
    return cached->second;
  }
  // A key recorded earlier (another run) that is still valid.
  ASSIGN_OR_RETURN(std::vector<store::DigestKeyRecord> known, store_.ListDigestKeys(region));
  for (auto it = known.rbegin(); it != known.rend(); ++it) {
    if (it->valid_from_s <= now_s && now_s < it->valid_to_s) {
      ASSIGN_OR_RETURN(std::shared_ptr<const keys::Signer> signer, key_store_.Load(it->key_id));
      SigningKey key{it->fingerprint, std::move(signer), it->valid_from_s, it->valid_to_s};
      current_[region] = key;
      return key;
    }
  }
  ASSIGN_OR_RETURN(keys::GeneratedKey generated, key_store_.Generate(KeyAlgorithm::kRsa2048));
  auto pkcs1 = x509::RsaPublicKeyPkcs1FromSpki(generated.public_key_der);
  if (!pkcs1.ok()) return InternalError("digest key: " + pkcs1.status().message());
  store::DigestKeyRecord record;
  record.region = region;
  record.key_id = generated.key_id;
  record.public_key_pkcs1_der = *pkcs1;
  record.fingerprint = Fingerprint(*pkcs1);
  record.valid_from_s = now_s;
  record.valid_to_s = now_s + lifetime_.count();
  RETURN_IF_ERROR(store_.InsertDigestKey(record));
  ASSIGN_OR_RETURN(std::shared_ptr<const keys::Signer> signer, key_store_.Load(record.key_id));
  SigningKey key{record.fingerprint, std::move(signer), record.valid_from_s, record.valid_to_s};
  current_[region] = key;
  return key;
}

}  // namespace openpca::audit

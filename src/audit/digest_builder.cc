#include "audit/digest_builder.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "audit/trail_layout.h"
#include "common/bytes.h"

namespace openpca::audit {

std::string Sha256Hex(std::span<const uint8_t> data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  OPENPCA_CHECK(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) == 1);
  return HexEncode(std::span<const uint8_t>(digest, len));
}

std::string BuildDigestJson(const DigestInput& in) {
  using ojson = nlohmann::ordered_json;
  const bool chain_start = in.prev_key.empty();
  ojson j;
  j["awsAccountId"] = in.account_id;
  j["digestStartTime"] = IsoSeconds(in.start_ms);
  j["digestEndTime"] = IsoSeconds(in.end_ms);
  j["digestS3Bucket"] = in.bucket;
  j["digestS3Object"] = in.key;
  j["digestPublicKeyFingerprint"] = in.fingerprint;
  j["digestSignatureAlgorithm"] = kDigestSignatureAlgorithm;
  if (in.logs.empty()) {
    j["newestEventTime"] = nullptr;
    j["oldestEventTime"] = nullptr;
  } else {
    int64_t newest = in.logs.front().newest_event_ms;
    int64_t oldest = in.logs.front().oldest_event_ms;
    for (const auto& l : in.logs) {
      newest = std::max(newest, l.newest_event_ms);
      oldest = std::min(oldest, l.oldest_event_ms);
    }
    j["newestEventTime"] = IsoSeconds(newest);
    j["oldestEventTime"] = IsoSeconds(oldest);
  }
  if (chain_start) {
    j["previousDigestS3Bucket"] = nullptr;
    j["previousDigestS3Object"] = nullptr;
    j["previousDigestHashValue"] = nullptr;
    j["previousDigestHashAlgorithm"] = nullptr;
    j["previousDigestSignature"] = nullptr;
  } else {
    j["previousDigestS3Bucket"] = in.prev_bucket;
    j["previousDigestS3Object"] = in.prev_key;
    j["previousDigestHashValue"] = in.prev_hash_hex;
    j["previousDigestHashAlgorithm"] = kHashAlgorithm;
    j["previousDigestSignature"] = in.prev_signature_hex;
  }
  ojson logs = ojson::array();
  for (const auto& l : in.logs) {
    ojson e;
    e["s3Bucket"] = l.s3_bucket;
    e["s3Object"] = l.s3_object;
    e["hashValue"] = l.hash_hex;
    e["hashAlgorithm"] = kHashAlgorithm;
    e["newestEventTime"] = IsoSeconds(l.newest_event_ms);
    e["oldestEventTime"] = IsoSeconds(l.oldest_event_ms);
    logs.push_back(std::move(e));
  }
  j["logFiles"] = std::move(logs);
  return j.dump();
}

std::string DigestSigningString(const DigestInput& in, std::string_view digest_json) {
  return IsoSeconds(in.end_ms) + "\n" + in.bucket + "/" + in.key + "\n" +
         Sha256Hex(AsSpan(digest_json)) + "\n" +
         (in.prev_signature_hex.empty() ? std::string("null") : in.prev_signature_hex);
}

}  // namespace openpca::audit

// The CloudTrail digest file of one trail, region and window (iam-ram-sts-cloudtrail.md d.3,
// cloudtrail-validate-logs.md f): its JSON and the string its signature covers. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/trail_delivery_store.h"

namespace openpca::audit {

inline constexpr char kDigestSignatureAlgorithm[] = "SHA256withRSA";
inline constexpr char kHashAlgorithm[] = "SHA-256";

struct DigestInput {
  std::string account_id;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string bucket;  // where the digest itself is stored
  std::string key;
  std::string fingerprint;  // of the signing key
  // The previous digest of the chain; all empty for the digest that starts a chain (its
  // previous* fields are null).
  std::string prev_bucket;
  std::string prev_key;
  std::string prev_hash_hex;
  std::string prev_signature_hex;
  std::vector<store::DigestLogEntry> logs;
};

// The digest's JSON exactly as stored (uncompressed): awsAccountId, digestStartTime,
// digestEndTime, digestS3Bucket, digestS3Object, digestPublicKeyFingerprint,
// digestSignatureAlgorithm, newestEventTime, oldestEventTime (null without logs),
// previousDigestS3Bucket, previousDigestS3Object, previousDigestHashValue,
// previousDigestHashAlgorithm, previousDigestSignature (null at a chain start), logFiles[].
std::string BuildDigestJson(const DigestInput& in);

// digestEndTime "\n" bucket "/" key "\n" sha256hex(digest_json) "\n" (previous signature | "null")
std::string DigestSigningString(const DigestInput& in, std::string_view digest_json);

// Lower-case hex SHA-256.
std::string Sha256Hex(std::span<const uint8_t> data);

}  // namespace openpca::audit

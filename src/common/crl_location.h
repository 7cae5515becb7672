// Where a CA's CRLs live inside its bucket, and how large a CRL partition may grow. Shared by the
// authority (CDP URLs, partition assignment) and the CRL publisher. Pure functions and constants;
// thread-safe.
//
// Object keys:
//   complete CRL          "<CustomPath or crl>/<CA id>.crl"                   (AWS Private CA's key)
//   partition of a CRL    "<CustomPath or crl>/<CA id>/<partition id>.crl"    (partition id: UUID)
// AWS documents only that a partition's URL ends in a random GUID; openpca keeps a CA's partitions
// in a folder named after the CA, beside its complete CRL, so one prefix lists them.
#pragma once

#include <cstdint>
#include <string>

namespace openpca {

inline std::string CrlFolder(const std::string& custom_path) {
  return custom_path.empty() ? std::string("crl") : custom_path;
}

inline std::string CrlObjectKey(const std::string& custom_path, const std::string& ca_id) {
  return CrlFolder(custom_path) + "/" + ca_id + ".crl";
}

inline std::string CrlPartitionObjectKey(const std::string& custom_path, const std::string& ca_id,
                                         const std::string& partition_id) {
  return CrlFolder(custom_path) + "/" + ca_id + "/" + partition_id + ".crl";
}

// The URL relying parties fetch an object key from: path-style at openpca's own public URL (no
// trailing '/'), or http://<CustomCname>/<key> when the configuration names a CNAME.
inline std::string CrlUrl(const std::string& public_url, const std::string& bucket,
                          const std::string& custom_cname, const std::string& object_key) {
  return custom_cname.empty() ? public_url + "/" + bucket + "/" + object_key
                              : "http://" + custom_cname + "/" + object_key;
}

// The object AWS Private CA writes into a CRL bucket when a CRL configuration names it, to prove
// it can write there (Create/UpdateCertificateAuthority).
inline constexpr char kPermissionTestKey[] = "acm-pca-permission-test-key";

// --- Partition sizing (docs/decisions.md, "CRL partition size"). ---
//
// AWS keeps each partition CRL at most 1 MB; openpca counts 1 MB as 1,000,000 octets.
inline constexpr int64_t kMaxPartitionCrlBytes = 1'000'000;
// The largest revokedCertificates entry: SEQUENCE header (2) + serial INTEGER of 20 octets plus a
// leading 0x00 (2 + 21) + revocationDate as GeneralizedTime (2 + 15) + crlEntryExtensions holding
// the reasonCode (14) = 56 octets. openpca's own 16-octet serials with a UTCTime take 49 or 50.
inline constexpr int64_t kMaxCrlEntryBytes = 56;
// Everything else in a partition CRL, budgeted generously: the outer, TBS and revokedCertificates
// headers (4 + 4 + 4), version and signature AlgorithmIdentifier (3 + 15), the issuer Name (a CA
// subject of ordinary size is under 1 KB; the budget leaves ~100 KB for it), thisUpdate and
// nextUpdate (2 x 17), the extensions (AKI with a 20-octet key id 31, CRL number 15, a critical
// IDP with a URI of up to ~2 KB), and the signature of the largest key offered (RSA-4096: the
// algorithm 15 + BIT STRING 4 + 1 + 512).
inline constexpr int64_t kPartitionCrlFixedBudget = 104'000;
// Most certificates assigned to one partition, so that the partition's CRL stays within
// kMaxPartitionCrlBytes even if every one of them were revoked:
// (1,000,000 - 104,000) / 56 = 16,000.
inline constexpr int64_t kMaxCrlPartitionCapacity =
    (kMaxPartitionCrlBytes - kPartitionCrlFixedBudget) / kMaxCrlEntryBytes;
static_assert(kMaxCrlPartitionCapacity == 16'000);
static_assert(kMaxCrlPartitionCapacity * kMaxCrlEntryBytes + kPartitionCrlFixedBudget <=
              kMaxPartitionCrlBytes);
inline constexpr int64_t kDefaultCrlPartitionCapacity = kMaxCrlPartitionCapacity;

}  // namespace openpca

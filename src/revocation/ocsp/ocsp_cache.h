// OcspResponseCache: the OCSP responder's store of pre-signed responses, so that a repeated
// request costs a hash lookup instead of a store read and a signature.
//
// Two maps share the entries: kRequest is keyed by the exact request DER (a hit needs no parsing
// at all), kCertId by the DER of a single CertID (requests that differ only in encoding details,
// requestorName or a signature). Only responses without a nonce are cached.
//
// Invalidation uses epochs rather than an index of keys per certificate: every Invalidate*() call
// takes the next epoch and records it for the certificate (or the whole CA); an entry remembers
// the epoch read before its statuses were read from the store and is stale when a later record
// covers one of its certificates. Because records outlive the entries they condemn, a response
// being signed while its certificate is revoked can be inserted and still never be served.
// Records are bounded (kMaxInvalidationRecords): past that, everything cached so far is dropped
// at once. A hit checks one atomic epoch; only the first hit of an entry after some invalidation
// looks at the records. Entries of a retired OcspIssuer (replaced or removed from the directory)
// are never returned.
//
// Size is bounded by entries and by bytes (keys plus response DER plus a fixed overhead, counted
// per map); a full shard evicts entries at random, which needs no bookkeeping on hits.
//
// Ownership: owns its maps; entries are shared (shared_ptr<const>) with callers.
// Thread-safety: thread-safe. 16 shards, each behind a reader-writer lock (lookups share it);
// invalidation records behind one mutex, touched only by invalidation and by the first hit of an
// entry after one.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "revocation/ocsp/ocsp_issuer.h"
#include "revocation/ocsp/ocsp_response_builder.h"

namespace openpca::revocation {

// HTTP header lines of a response as served during one second (OcspResponseHeaderLines).
struct OcspHeaderLines {
  int64_t unix_second = 0;
  int64_t max_age_cap = -1;  // seconds; -1: none
  std::string lines;
};

// A finished OCSPResponse as served: DER plus what HTTP caching needs, computed once when the
// response is made (a cache hit formats nothing). Immutable, except the memo of its formatted
// HTTP header lines; shared with callers.
struct OcspResponseBody {
  OcspResponseStatus status = OcspResponseStatus::kInternalError;
  // With kSuccessful: the certStatus of its first SingleResponse (for metrics).
  OcspCertStatus cert_status = OcspCertStatus::kUnknown;
  std::string der;  // the OCSPResponse
  // True for successful responses without a nonce: identical requests may get these bytes until
  // nextUpdate (RFC 5019 6). The fields below are set only then.
  bool cacheable = false;
  TimePoint produced_at{};
  TimePoint this_update{};
  TimePoint next_update{};
  std::string etag;           // "\"<lower-case hex SHA-1 of der>\"" (quoted, as HTTP wants)
  std::string last_modified;  // HTTP-date of this_update
  std::string expires;        // HTTP-date of next_update
  // Written by OcspResponseHeaderLines() (ocsp_http.h), at most once per second.
  mutable std::atomic<std::shared_ptr<const OcspHeaderLines>> header_lines;
};

// One cached response. Immutable once inserted, except checked_epoch (a memo of the last epoch at
// which the entry was found valid).
struct OcspCacheEntry {
  std::shared_ptr<const OcspResponseBody> body;
  std::shared_ptr<const OcspIssuer> issuer;  // the CA whose statuses the response reports
  std::vector<std::string> serials;          // serial_hex of each certificate read from the store
  TimePoint refresh_at;                      // re-sign from then on (still valid until nextUpdate)
  uint64_t created_epoch = 0;                // OcspResponseCache::epoch() before the store reads
  mutable std::atomic<uint64_t> checked_epoch{0};
};

class OcspResponseCache {
 public:
  enum class Map { kRequest, kCertId };

  static constexpr size_t kNumShards = 16;
  static constexpr size_t kMaxInvalidationRecords = size_t{1} << 16;
  // Bytes charged per map slot beyond its key and response (node, hash bucket, entry, strings).
  static constexpr size_t kSlotOverhead = 192;

  // max_entries and max_bytes bound the slots of both maps together (0 entries: cache nothing).
  OcspResponseCache(size_t max_entries, size_t max_bytes);

  OcspResponseCache(const OcspResponseCache&) = delete;
  OcspResponseCache& operator=(const OcspResponseCache&) = delete;

  // The current epoch: read it before reading statuses from the store, and put it in the entry's
  // created_epoch and checked_epoch.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  // The entry under `key`, or null when absent, invalidated or of a retired issuer. Time is the
  // caller's business (refresh_at, nextUpdate).
  std::shared_ptr<const OcspCacheEntry> Find(Map map, std::string_view key) const;

  // Inserts or replaces. `entry` must be non-null with a non-null body and issuer.
  void Insert(Map map, std::string_view key, std::shared_ptr<const OcspCacheEntry> entry);

  // Stale-marks every entry reporting on `serial_hex` of `ca_id` (serial as the store spells it).
  void Invalidate(std::string_view ca_id, std::string_view serial_hex);
  // Stale-marks every entry of `ca_id`.
  void InvalidateIssuer(std::string_view ca_id);
  // Drops everything.
  void Clear();

  // Slots in both maps (a response cached under both keys counts twice).
  size_t size() const;
  size_t bytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using SlotMap =
      std::unordered_map<std::string, std::shared_ptr<const OcspCacheEntry>, Hash, std::equal_to<>>;
  struct Shard {
    mutable std::shared_mutex mu;
    SlotMap maps[2];   // guarded by mu
    size_t bytes = 0;  // guarded by mu
    uint64_t rng = 0;  // guarded by mu; xorshift state for eviction
  };
  struct IssuerRecords {
    uint64_t issuer_epoch = 0;
    std::unordered_map<std::string, uint64_t> serial_epochs;
  };

  static size_t SlotBytes(std::string_view key, const OcspCacheEntry& entry);
  // True when no invalidation record covers `entry`; memoises the answer in checked_epoch.
  bool StillValid(const OcspCacheEntry& entry) const;
  // Evicts random slots of `shard` until one more slot of `incoming` bytes fits.
  void MakeRoomLocked(Shard& shard, size_t incoming);
  void ClearShards();

  const size_t max_entries_per_shard_;
  const size_t max_bytes_per_shard_;
  std::array<Shard, kNumShards> shards_;

  std::atomic<uint64_t> epoch_{1};
  mutable std::mutex records_mu_;
  uint64_t floor_epoch_ = 0;  // guarded by records_mu_; entries created before are stale
  std::unordered_map<std::string, IssuerRecords> records_;  // guarded by records_mu_
  size_t record_count_ = 0;                                 // guarded by records_mu_
};

}  // namespace openpca::revocation

#include "revocation/ocsp/ocsp_cache.h"

#include <utility>

namespace openpca::revocation {
namespace {

size_t ShardOf(std::string_view key) {
  // The map hashes the key again with the same function; the high bits pick the shard so that
  // a shard's buckets still see well-spread low bits.
  return (std::hash<std::string_view>{}(key) >> 56) % OcspResponseCache::kNumShards;
}

size_t MapIndex(OcspResponseCache::Map map) {
  return map == OcspResponseCache::Map::kRequest ? 0 : 1;
}

}  // namespace

OcspResponseCache::OcspResponseCache(size_t max_entries, size_t max_bytes)
    : max_entries_per_shard_((max_entries + kNumShards - 1) / kNumShards),
      max_bytes_per_shard_((max_bytes + kNumShards - 1) / kNumShards) {
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (Shard& shard : shards_) {
    seed += 0x9e3779b97f4a7c15ull;
    shard.rng = seed | 1;
  }
}

size_t OcspResponseCache::SlotBytes(std::string_view key, const OcspCacheEntry& entry) {
  return key.size() + entry.body->der.size() + kSlotOverhead;
}

std::shared_ptr<const OcspCacheEntry> OcspResponseCache::Find(Map map, std::string_view key) const {
  if (max_entries_per_shard_ == 0) return nullptr;
  const Shard& shard = shards_[ShardOf(key)];
  std::shared_ptr<const OcspCacheEntry> entry;
  {
    std::shared_lock lock(shard.mu);
    const SlotMap& slots = shard.maps[MapIndex(map)];
    auto it = slots.find(key);
    if (it == slots.end()) return nullptr;
    entry = it->second;
  }
  if (entry->issuer->retired() || !StillValid(*entry)) return nullptr;
  return entry;
}

bool OcspResponseCache::StillValid(const OcspCacheEntry& entry) const {
  if (entry.checked_epoch.load(std::memory_order_acquire) == epoch()) return true;
  std::lock_guard lock(records_mu_);
  // Read under the lock: every record up to this epoch is visible.
  const uint64_t now = epoch_.load(std::memory_order_acquire);
  if (entry.created_epoch < floor_epoch_) return false;
  auto it = records_.find(entry.issuer->ca_id());
  if (it != records_.end()) {
    const IssuerRecords& records = it->second;
    if (records.issuer_epoch > entry.created_epoch) return false;
    for (const std::string& serial : entry.serials) {
      auto s = records.serial_epochs.find(serial);
      if (s != records.serial_epochs.end() && s->second > entry.created_epoch) return false;
    }
  }
  entry.checked_epoch.store(now, std::memory_order_release);
  return true;
}

void OcspResponseCache::Insert(Map map, std::string_view key,
                               std::shared_ptr<const OcspCacheEntry> entry) {
  OPENPCA_CHECK(entry != nullptr && entry->body != nullptr && entry->issuer != nullptr);
  if (max_entries_per_shard_ == 0) return;
  const size_t bytes = SlotBytes(key, *entry);
  if (bytes > max_bytes_per_shard_) return;
  Shard& shard = shards_[ShardOf(key)];
  std::unique_lock lock(shard.mu);
  SlotMap& slots = shard.maps[MapIndex(map)];
  auto it = slots.find(key);
  if (it != slots.end()) {
    shard.bytes -= SlotBytes(key, *it->second);
    slots.erase(it);
  }
  MakeRoomLocked(shard, bytes);
  slots.emplace(std::string(key), std::move(entry));
  shard.bytes += bytes;
}

void OcspResponseCache::MakeRoomLocked(Shard& shard, size_t incoming) {
  auto count = [&shard] { return shard.maps[0].size() + shard.maps[1].size(); };
  while (count() > 0 &&
         (count() + 1 > max_entries_per_shard_ || shard.bytes + incoming > max_bytes_per_shard_)) {
    shard.rng ^= shard.rng << 13;
    shard.rng ^= shard.rng >> 7;
    shard.rng ^= shard.rng << 17;
    // Pick a map in proportion to its size, then the first slot at or after a random bucket.
    size_t pick = shard.rng % count();
    SlotMap& slots = shard.maps[pick < shard.maps[0].size() ? 0 : 1];
    size_t buckets = slots.bucket_count();
    size_t b = static_cast<size_t>(shard.rng >> 20) % buckets;
    while (slots.bucket_size(b) == 0) b = (b + 1) % buckets;
    const std::string& victim = slots.begin(b)->first;
    auto it = slots.find(victim);
    shard.bytes -= SlotBytes(it->first, *it->second);
    slots.erase(it);
  }
}

void OcspResponseCache::Invalidate(std::string_view ca_id, std::string_view serial_hex) {
  bool overflow = false;
  {
    std::lock_guard lock(records_mu_);
    const uint64_t e = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
    IssuerRecords& records = records_[std::string(ca_id)];
    auto [it, inserted] = records.serial_epochs.insert_or_assign(std::string(serial_hex), e);
    if (inserted) ++record_count_;
    if (record_count_ > kMaxInvalidationRecords) {
      // Everything cached so far goes: the floor makes in-flight responses stale as well.
      floor_epoch_ = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
      records_.clear();
      record_count_ = 0;
      overflow = true;
    }
  }
  if (overflow) ClearShards();
}

void OcspResponseCache::InvalidateIssuer(std::string_view ca_id) {
  std::lock_guard lock(records_mu_);
  const uint64_t e = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
  IssuerRecords& records = records_[std::string(ca_id)];
  // The issuer record is newer than any serial record of the CA, so it covers them all.
  record_count_ -= records.serial_epochs.size();
  records.serial_epochs.clear();
  records.issuer_epoch = e;
}

void OcspResponseCache::Clear() {
  {
    std::lock_guard lock(records_mu_);
    floor_epoch_ = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
    records_.clear();
    record_count_ = 0;
  }
  ClearShards();
}

void OcspResponseCache::ClearShards() {
  for (Shard& shard : shards_) {
    SlotMap old[2];
    {
      std::unique_lock lock(shard.mu);
      old[0].swap(shard.maps[0]);
      old[1].swap(shard.maps[1]);
      shard.bytes = 0;
    }
    // `old` is freed here, outside the lock.
  }
}

size_t OcspResponseCache::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    n += shard.maps[0].size() + shard.maps[1].size();
  }
  return n;
}

size_t OcspResponseCache::bytes() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    n += shard.bytes;
  }
  return n;
}

}  // namespace openpca::revocation

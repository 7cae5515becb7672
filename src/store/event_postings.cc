#include "store/event_postings.h"

#include <algorithm>

namespace openpca::store {
namespace {

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    const auto b = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

bool Newer(const PostingEntry& a, const PostingEntry& b) {
  return std::tie(a.time_ms, a.seq) > std::tie(b.time_ms, b.seq);
}

}  // namespace

void AppendPostingEntries(std::string& list, PostingEntry& last,
                          const std::vector<PostingEntry>& entries) {
  for (const PostingEntry& e : entries) {
    PutVarint(list, static_cast<uint64_t>(e.seq - last.seq));
    PutVarint(list, ZigZag(e.time_ms - last.time_ms));
    last = e;
  }
}

bool DecodePostingEntries(std::string_view list, std::vector<PostingEntry>& out) {
  out.clear();
  PostingEntry at;
  size_t pos = 0;
  while (pos < list.size()) {
    uint64_t seq_step = 0, time_step = 0;
    if (!GetVarint(list, pos, seq_step) || !GetVarint(list, pos, time_step)) return false;
    at.seq += static_cast<int64_t>(seq_step);
    at.time_ms += UnZigZag(time_step);
    out.push_back(at);
  }
  return true;
}

PostingLists GroupForPostings(const std::vector<PostingSource>& records) {
  PostingLists lists;
  auto add = [&](const PostingSource& r, EventLookupKey key, std::string_view value) {
    const std::tuple<std::string_view, std::string_view, int, std::string_view> probe(
        r.account, r.region, static_cast<int>(key), value);
    auto it = lists.find(probe);
    if (it == lists.end()) {
      it = lists.emplace(PostingListKey(r.account, r.region, static_cast<int>(key), value),
                         std::vector<PostingEntry>())
               .first;
    }
    std::vector<PostingEntry>& list = it->second;
    // Once per record: a record may name two resources of one type.
    if (list.empty() || list.back().seq != r.seq) list.push_back({r.seq, r.time_ms});
  };
  for (const PostingSource& r : records) {
    add(r, EventLookupKey::kNone, "");
    add(r, EventLookupKey::kEventName, r.event_name);
    add(r, EventLookupKey::kReadOnly, r.read_only ? "true" : "false");
    add(r, EventLookupKey::kUsername, r.username);
    add(r, EventLookupKey::kEventSource, r.event_source);
    add(r, EventLookupKey::kAccessKeyId, r.access_key_id);
    for (const EventResourceRef& res : r.resources) {
      add(r, EventLookupKey::kResourceType, res.type);
      add(r, EventLookupKey::kResourceName, res.name);
    }
  }
  return lists;
}

bool UsesPostingLists(EventLookupKey key) { return key != EventLookupKey::kEventId; }

NewestPostings::NewestPostings(const EventQuery& query, int64_t oldest_live_seq)
    : query_(query), oldest_live_seq_(oldest_live_seq) {}

void NewestPostings::Add(const std::vector<PostingEntry>& list) {
  const PostingEntry before{query_.before_seq, query_.before_time_ms};
  for (const PostingEntry& e : list) {
    if (e.seq < oldest_live_seq_ || e.time_ms < query_.start_ms || e.time_ms > query_.end_ms) {
      continue;
    }
    if (query_.has_before && !Newer(before, e)) continue;
    seen_.push_back(e);
  }
  // Only the newest `limit` can be among the answer: keep those.
  const auto limit = static_cast<size_t>(std::max(query_.limit, 0));
  if (seen_.size() > limit) {
    std::nth_element(seen_.begin(), seen_.begin() + static_cast<std::ptrdiff_t>(limit),
                     seen_.end(), Newer);
    seen_.resize(limit);
  }
}

bool NewestPostings::Settled(int64_t next_max_time_ms) const {
  const auto limit = static_cast<size_t>(std::max(query_.limit, 0));
  if (seen_.size() < limit) return false;
  // A record still to come is at most (next_max_time_ms, any seq): every kept one must be newer
  // by time alone.
  return std::all_of(seen_.begin(), seen_.end(),
                     [&](const PostingEntry& e) { return e.time_ms > next_max_time_ms; });
}

std::vector<PostingEntry> NewestPostings::Newest() const {
  std::vector<PostingEntry> out = seen_;
  std::sort(out.begin(), out.end(), Newer);
  return out;
}

}  // namespace openpca::store

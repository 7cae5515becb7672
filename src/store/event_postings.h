// Posting lists for the LookupEvents keys whose values repeat (none, i.e. every record; EventName,
// ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId): one row per
// (account, region, key, value)
// and run of up to kMaxPostingEntries records, holding each record's (seq, event time), instead of
// one index row per record and key. A busy stream of alike calls (one user issuing from one CA)
// then costs a few row updates per indexing batch, not eight inserts per record. The dialect-
// neutral half: the list encoding, grouping a batch of records by key and value, and choosing the
// newest records across lists that overlap in time. Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/trail_store.h"

namespace openpca::store {

// One record in a list: ascending seq within a list; event time in any order (records become
// final roughly, not exactly, in time order).
struct PostingEntry {
  int64_t seq = 0;
  int64_t time_ms = 0;
  bool operator==(const PostingEntry&) const = default;
};

// A list holds at most this many records; the next ones start a new list.
inline constexpr int kMaxPostingEntries = 128;

// The encoding: per entry, the varint of the seq's increase over the previous entry's and the
// zigzag varint of the time's change (the first entry against (0, 0)). `last` is the list's last
// entry before the call ((0, 0) for a new list) and is advanced to the last one appended.
void AppendPostingEntries(std::string& list, PostingEntry& last,
                          const std::vector<PostingEntry>& entries);

// Decodes a list written by AppendPostingEntries; false (and `out` unspecified) if damaged.
bool DecodePostingEntries(std::string_view list, std::vector<PostingEntry>& out);

// The columns of a final record the lists are built from.
struct PostingSource {
  int64_t seq = 0;
  int64_t time_ms = 0;
  std::string account;
  std::string region;
  std::string event_name;
  bool read_only = false;
  std::string username;
  std::string event_source;
  std::string access_key_id;
  std::vector<EventResourceRef> resources;
};

// (recipient account, region, lookup key number, value)
using PostingListKey = std::tuple<std::string, std::string, int, std::string>;
// Found by a key of string_views too (no copies per record and key).
using PostingLists = std::map<PostingListKey, std::vector<PostingEntry>, std::less<>>;

// The records of one indexing batch (ascending seq) grouped by list: each record once under each
// of its key values, key none with the value "" (a record naming two resources of one type
// appears once for that type).
PostingLists GroupForPostings(const std::vector<PostingSource>& records);

// Whether `key` is answered from posting lists: every key but EventId, whose values are unique
// (one index row per record).
bool UsesPostingLists(EventLookupKey key);

// The newest `query.limit` records of the lists of one (account, region, key, value), fed list by
// list in descending order of each list's newest time. Entries outside the query's time range or
// page position, or with a seq below `oldest_live_seq` (purged), are left out.
class NewestPostings {
 public:
  NewestPostings(const EventQuery& query, int64_t oldest_live_seq);
  void Add(const std::vector<PostingEntry>& list);
  // True when no list still to come (each with a newest time <= next_max_time_ms) can hold a
  // record among the newest `limit`: the lists read so far hold `limit` records newer than it.
  bool Settled(int64_t next_max_time_ms) const;
  // The newest records seen, newest first ((time, seq) descending), at most `limit`.
  std::vector<PostingEntry> Newest() const;

 private:
  const EventQuery& query_;
  int64_t oldest_live_seq_;
  std::vector<PostingEntry> seen_;
};

}  // namespace openpca::store

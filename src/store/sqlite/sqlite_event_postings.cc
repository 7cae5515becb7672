#include "store/sqlite/sqlite_event_postings.h"

#include <algorithm>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "store/event_json.h"
#include "store/event_postings.h"

namespace openpca::store {
namespace {

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string_view AsView(const Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Result<std::vector<PostingSource>> ReadSources(SqliteConnection& conn, int64_t from,
                                               int64_t through) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT seq, recipient_account_id, region, event_time_ms, "
                                "event_name, read_only, username, event_source, access_key_id, "
                                "resources_json FROM event_history WHERE seq > ?1 AND seq <= ?2 "
                                "ORDER BY seq"));
  stmt.BindInt64(1, from).BindInt64(2, through);
  std::vector<PostingSource> out;
  std::string resources_text;  // alike calls name the same resources: parsed once
  std::vector<EventResourceRef> resources;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    PostingSource r;
    r.seq = stmt.ColumnInt64(0);
    r.account = stmt.ColumnText(1);
    r.region = stmt.ColumnText(2);
    r.time_ms = stmt.ColumnInt64(3);
    r.event_name = stmt.ColumnText(4);
    r.read_only = stmt.ColumnInt64(5) != 0;
    r.username = stmt.ColumnText(6);
    r.event_source = stmt.ColumnText(7);
    r.access_key_id = stmt.ColumnText(8);
    std::string text = stmt.ColumnText(9);
    if (out.empty() || text != resources_text) {
      resources = EventResourcesFromJson(nlohmann::json::parse(text, nullptr, false));
      resources_text = std::move(text);
    }
    r.resources = resources;
    out.push_back(std::move(r));
  }
  return out;
}

void BindListKey(SqliteStatement& stmt, const PostingListKey& key) {
  stmt.BindText(1, std::get<0>(key))
      .BindText(2, std::get<1>(key))
      .BindInt64(3, std::get<2>(key))
      .BindText(4, std::get<3>(key));
}

// Binds the list's key (?1..?4) and what writing `added` to it sets: ?5 its first seq, ?6 and ?7
// its last entry, ?8 and ?9 the time range of `added`, ?10 their count, ?11 the list.
void BindListWrite(SqliteStatement& stmt, const PostingListKey& key, int64_t first_seq,
                   const PostingEntry& last, const std::vector<PostingEntry>& added,
                   const std::string& list) {
  const auto [lo, hi] = std::minmax_element(
      added.begin(), added.end(),
      [](const PostingEntry& a, const PostingEntry& b) { return a.time_ms < b.time_ms; });
  BindListKey(stmt, key);
  stmt.BindInt64(5, first_seq)
      .BindInt64(6, last.seq)
      .BindInt64(7, last.time_ms)
      .BindInt64(8, lo->time_ms)
      .BindInt64(9, hi->time_ms)
      .BindInt64(10, static_cast<int64_t>(added.size()))
      .BindBlob(11, AsBytes(list));
}

// Appends `entries` (ascending seq) to the value's newest list while it has room, then starts new
// lists. Entries already listed (seq <= the newest list's last) are skipped.
Status AppendList(SqliteConnection& conn, const PostingListKey& key,
                  const std::vector<PostingEntry>& entries) {
  size_t next = 0;
  int64_t first_seq = 0;
  int64_t count = 0;
  PostingEntry last;
  std::string list;
  bool has_newest = false;
  {
    ASSIGN_OR_RETURN(SqliteStatement newest,
                     conn.Prepare("SELECT first_seq, last_seq, last_time_ms, entries, postings "
                                  "FROM event_postings WHERE recipient_account_id = ?1 AND "
                                  "region = ?2 AND lookup_key = ?3 AND value = ?4 "
                                  "ORDER BY first_seq DESC LIMIT 1"));
    BindListKey(newest, key);
    ASSIGN_OR_RETURN(has_newest, newest.Step());
    if (has_newest) {
      first_seq = newest.ColumnInt64(0);
      last = {newest.ColumnInt64(1), newest.ColumnInt64(2)};
      count = newest.ColumnInt64(3);
      const Bytes blob = newest.ColumnBlob(4);
      list.assign(AsView(blob));
    }
  }
  if (has_newest) {
    while (next < entries.size() && entries[next].seq <= last.seq) ++next;
    const size_t room = static_cast<size_t>(std::max<int64_t>(0, kMaxPostingEntries - count));
    const size_t take = std::min(room, entries.size() - next);
    if (take > 0) {
      const std::vector<PostingEntry> added(entries.begin() + static_cast<std::ptrdiff_t>(next),
                                            entries.begin() +
                                                static_cast<std::ptrdiff_t>(next + take));
      AppendPostingEntries(list, last, added);
      ASSIGN_OR_RETURN(
          SqliteStatement update,
          conn.Prepare("UPDATE event_postings SET last_seq = ?6, last_time_ms = ?7, "
                       "min_time_ms = MIN(min_time_ms, ?8), max_time_ms = MAX(max_time_ms, ?9), "
                       "entries = entries + ?10, postings = ?11 WHERE recipient_account_id = ?1 "
                       "AND region = ?2 AND lookup_key = ?3 AND value = ?4 AND first_seq = ?5"));
      BindListWrite(update, key, first_seq, last, added, list);
      RETURN_IF_ERROR(update.Run());
      next += take;
    }
  }
  while (next < entries.size()) {
    const size_t take = std::min<size_t>(kMaxPostingEntries, entries.size() - next);
    const std::vector<PostingEntry> chunk(
        entries.begin() + static_cast<std::ptrdiff_t>(next),
        entries.begin() + static_cast<std::ptrdiff_t>(next + take));
    std::string fresh;
    PostingEntry at;
    AppendPostingEntries(fresh, at, chunk);
    ASSIGN_OR_RETURN(
        SqliteStatement insert,
        conn.Prepare("INSERT INTO event_postings (recipient_account_id, region, lookup_key, "
                     "value, first_seq, last_seq, last_time_ms, min_time_ms, max_time_ms, "
                     "entries, postings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    BindListWrite(insert, key, chunk.front().seq, at, chunk, fresh);
    RETURN_IF_ERROR(insert.Run());
    next += take;
  }
  return Status::Ok();
}

}  // namespace

Status AppendEventPostings(SqliteConnection& conn, int64_t from, int64_t through) {
  ASSIGN_OR_RETURN(std::vector<PostingSource> records, ReadSources(conn, from, through));
  for (const auto& [key, entries] : GroupForPostings(records)) {
    RETURN_IF_ERROR(AppendList(conn, key, entries));
  }
  return Status::Ok();
}

Result<std::vector<int64_t>> NewestPostedSeqs(SqliteConnection& conn, const EventQuery& query,
                                              const std::string& value) {
  int64_t oldest_live = 0;
  {
    ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare("SELECT MIN(seq) FROM event_history"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || stmt.IsNull(0)) return std::vector<int64_t>();
    oldest_live = stmt.ColumnInt64(0);
  }
  // Lists are read by their newest record, newest first; a list wholly after the range or the
  // page position holds nothing to return.
  const int64_t upper =
      query.has_before ? std::min(query.end_ms, query.before_time_ms) : query.end_ms;
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   conn.Prepare("SELECT max_time_ms, postings FROM event_postings "
                                "WHERE recipient_account_id = ?1 AND region = ?2 AND "
                                "lookup_key = ?3 AND value = ?4 AND max_time_ms >= ?5 AND "
                                "min_time_ms <= ?6 ORDER BY max_time_ms DESC"));
  stmt.BindText(1, query.recipient_account_id)
      .BindText(2, query.region)
      .BindInt64(3, static_cast<int64_t>(query.key))
      .BindText(4, value)
      .BindInt64(5, query.start_ms)
      .BindInt64(6, upper);
  NewestPostings newest(query, oldest_live);
  std::vector<PostingEntry> list;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || newest.Settled(stmt.ColumnInt64(0))) break;
    if (!DecodePostingEntries(AsView(stmt.ColumnBlob(1)), list)) {
      return InternalError("sqlite: a damaged event_postings list");
    }
    newest.Add(list);
  }
  std::vector<int64_t> seqs;
  for (const PostingEntry& e : newest.Newest()) seqs.push_back(e.seq);
  return seqs;
}

Status DeleteEventPostingsThrough(SqliteConnection& conn, int64_t through) {
  ASSIGN_OR_RETURN(SqliteStatement del,
                   conn.Prepare("DELETE FROM event_postings WHERE last_seq <= ?1"));
  del.BindInt64(1, through);
  return del.Run();
}

}  // namespace openpca::store

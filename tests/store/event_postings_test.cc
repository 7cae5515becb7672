// Posting lists (store/event_postings.h): the encoding round-trips and refuses damaged lists, a
// batch groups each record once per key value, and choosing the newest records across lists whose
// times overlap gives exactly the brute-force answer, page after page.
#include "store/event_postings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

namespace openpca::store {
namespace {

TEST(EventPostingsTest, EncodingRoundTripsAcrossAppendsWithTimesGoingBackwards) {
  const std::vector<PostingEntry> first = {
      {1, 1'800'000'000'000}, {2, 1'799'999'999'990}, {900, 1'800'000'000'500}};
  const std::vector<PostingEntry> second = {{901, 5}, {(int64_t{1} << 40), 1'800'000'000'500}};
  std::string list;
  PostingEntry last;
  AppendPostingEntries(list, last, first);
  EXPECT_EQ(last, first.back());
  AppendPostingEntries(list, last, second);  // appended later, from the list's last entry
  std::vector<PostingEntry> decoded;
  ASSERT_TRUE(DecodePostingEntries(list, decoded));
  std::vector<PostingEntry> all = first;
  all.insert(all.end(), second.begin(), second.end());
  EXPECT_EQ(decoded, all);
  // Cut inside an entry: refused, not read past the end.
  for (size_t cut = 1; cut < list.size(); ++cut) {
    std::vector<PostingEntry> out;
    const bool ok = DecodePostingEntries(std::string_view(list).substr(0, cut), out);
    if (ok) EXPECT_LT(out.size(), all.size()) << cut;
  }
  EXPECT_FALSE(DecodePostingEntries(std::string(11, '\xff'), decoded));
  EXPECT_FALSE(DecodePostingEntries(std::string(1, '\x01'), decoded));  // a seq step, no time
}

TEST(EventPostingsTest, ABatchListsEachRecordOnceUnderEachOfItsValues) {
  PostingSource a;
  a.seq = 7;
  a.time_ms = 70;
  a.account = "111122223333";
  a.region = "us-east-1";
  a.event_name = "IssueCertificate";
  a.username = "alice";
  a.event_source = "acm-pca.amazonaws.com";
  a.access_key_id = "AKIAALICE";
  a.resources = {{"AWS::ACMPCA::CertificateAuthority", "arn:ca1"},
                 {"AWS::ACMPCA::CertificateAuthority", "arn:ca2"}};
  PostingSource b = a;
  b.seq = 8;
  b.time_ms = 69;
  b.read_only = true;
  b.region = "eu-west-1";
  auto lists = GroupForPostings({a, b});
  using K = PostingListKey;
  const int type = static_cast<int>(EventLookupKey::kResourceType);
  EXPECT_EQ(lists.at(K("111122223333", "us-east-1", type, "AWS::ACMPCA::CertificateAuthority")),
            (std::vector<PostingEntry>{{7, 70}}));
  EXPECT_EQ(lists.at(K("111122223333", "us-east-1", static_cast<int>(EventLookupKey::kResourceName),
                       "arn:ca2")),
            (std::vector<PostingEntry>{{7, 70}}));
  EXPECT_EQ(lists.at(K("111122223333", "eu-west-1", static_cast<int>(EventLookupKey::kReadOnly),
                       "true")),
            (std::vector<PostingEntry>{{8, 69}}));
  EXPECT_EQ(lists.count(K("111122223333", "us-east-1", static_cast<int>(EventLookupKey::kReadOnly),
                          "true")),
            0u);
  EXPECT_EQ(lists.at(K("111122223333", "eu-west-1", static_cast<int>(EventLookupKey::kNone), "")),
            (std::vector<PostingEntry>{{8, 69}}));
  // a: key none, 5 column keys, 1 type and 2 names; b the same in its region.
  EXPECT_EQ(lists.size(), 18u);
  EXPECT_TRUE(UsesPostingLists(EventLookupKey::kNone));
  EXPECT_FALSE(UsesPostingLists(EventLookupKey::kEventId));
  EXPECT_TRUE(UsesPostingLists(EventLookupKey::kAccessKeyId));
}

// Lists of up to 128 records in seq order whose times jitter by up to 40 ms against seq order,
// read newest list first as the store reads them: every page is the brute-force page.
TEST(EventPostingsTest, NewestAcrossOverlappingListsIsTheBruteForceAnswerPageAfterPage) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<PostingEntry> records;
    int64_t clock = 1000;
    const int n = 1 + static_cast<int>(rng() % 1500);
    for (int i = 0; i < n; ++i) {
      clock += static_cast<int64_t>(rng() % 3);
      records.push_back({i + 1, clock - static_cast<int64_t>(rng() % 40)});
    }
    std::vector<std::vector<PostingEntry>> lists;
    for (size_t i = 0; i < records.size(); i += kMaxPostingEntries) {
      const size_t end = std::min(records.size(), i + kMaxPostingEntries);
      lists.emplace_back(records.begin() + static_cast<std::ptrdiff_t>(i),
                         records.begin() + static_cast<std::ptrdiff_t>(end));
    }
    auto max_time = [](const std::vector<PostingEntry>& l) {
      int64_t m = l.front().time_ms;
      for (const auto& e : l) m = std::max(m, e.time_ms);
      return m;
    };
    std::sort(lists.begin(), lists.end(),
              [&](const auto& x, const auto& y) { return max_time(x) > max_time(y); });
    const int64_t oldest_live = 1 + static_cast<int64_t>(rng() % 50);  // some purged
    EventQuery q;
    q.start_ms = 1000 + static_cast<int64_t>(rng() % 200);
    q.end_ms = clock - static_cast<int64_t>(rng() % 200);
    q.limit = 1 + static_cast<int>(rng() % 60);
    std::vector<PostingEntry> expected;
    for (const PostingEntry& e : records) {
      if (e.seq >= oldest_live && e.time_ms >= q.start_ms && e.time_ms <= q.end_ms) {
        expected.push_back(e);
      }
    }
    std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) {
      return std::tie(x.time_ms, x.seq) > std::tie(y.time_ms, y.seq);
    });
    std::vector<PostingEntry> got;
    for (int page = 0; page < 2000; ++page) {
      NewestPostings newest(q, oldest_live);
      for (const auto& l : lists) {
        if (newest.Settled(max_time(l))) break;
        newest.Add(l);
      }
      std::vector<PostingEntry> part = newest.Newest();
      ASSERT_LE(static_cast<int>(part.size()), q.limit);
      got.insert(got.end(), part.begin(), part.end());
      if (static_cast<int>(part.size()) < q.limit) break;
      q.has_before = true;
      q.before_time_ms = part.back().time_ms;
      q.before_seq = part.back().seq;
    }
    size_t diff = 0;
    while (diff < std::min(got.size(), expected.size()) && got[diff] == expected[diff]) ++diff;
    ASSERT_EQ(got, expected) << "round " << round << ": sizes " << got.size() << " / "
                             << expected.size() << ", first difference at " << diff << " (limit "
                             << q.limit << ")";
  }
}

}  // namespace
}  // namespace openpca::store

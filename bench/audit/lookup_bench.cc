// LookupEvents latency over a large event history: fills a temporary SQLite store with N final
// records (default 1,000,000) through store::SqliteTrailStore::AppendEvents in large batches,
// indexes all but the newest T (default 500: about what a server issuing 4,000 certificates/s
// leaves unindexed between two indexing passes, 100 ms apart) with TrailStore::IndexEvents, then
// times TrailStore::LookupEvents (the store side of LookupEvents: one index range read newest first
// plus the unindexed tail, 50 records) by each lookup key, first pages and follow-up pages.
//
// Usage: openpca_lookup_bench [--events N] [--tail T] [--queries Q] [--dir DIR]
// The records spread over 3 accounts x 2 regions x 90 days, 40 event names, 60 user names, 120
// access keys and 300 CAs; record_json is ~400 bytes (real records are 1-2 KB: the file is
// smaller, the index reads are the same). Prints figures, judges nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <functional>
#include <unistd.h>
#include <random>
#include <string>
#include <vector>

#include "bench_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_store.h"

using namespace openpca;
using store::EventLookupKey;

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
const char* kAccounts[] = {"111122223333", "444455556666", "777788889999"};
const char* kRegions[] = {"us-east-1", "eu-west-1"};

std::string CaArn(int i) {
  return "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-" + std::to_string(i);
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t events = 1'000'000;
  int queries = 200;
  int64_t tail = 500;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--events") events = std::atoll(argv[i + 1]);
    if (a == "--queries") queries = std::atoi(argv[i + 1]);
    if (a == "--tail") tail = std::atoll(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
  }
  dir = bench::BenchDir(dir, "lookup-bench");
  std::unique_ptr<store::SqliteStore> db = bench::OpenBenchStore(dir);
  if (db == nullptr) return 1;
  store::SqliteTrailStore trail(*db);
  std::mt19937_64 rng(42);
  const int64_t now_ms = 1'800'000'000'000;
  const int64_t start_ms = now_ms - 90 * kDayMs;
  std::string padding(300, 'x');

  tail = std::clamp<int64_t>(tail, 0, events);
  const int64_t batch = 20'000;
  // Appends records [from, to) in transactions of `batch`.
  auto fill = [&](int64_t from, int64_t to) -> bool {
    for (int64_t done = from; done < to; done += batch) {
      std::vector<store::EventCommit> commits(1);
      for (int64_t i = done; i < std::min(to, done + batch); ++i) {
        store::StoredEvent e;
        e.event_id = "ev-" + std::to_string(i);
        e.recipient_account_id = kAccounts[rng() % 3];
        e.region = kRegions[rng() % 2];
        e.event_time_ms = start_ms + (90 * kDayMs) * i / events;  // in time order, as recorded
        e.event_source = rng() % 4 == 0 ? "iam.amazonaws.com" : "acm-pca.amazonaws.com";
        e.event_name = "Operation" + std::to_string(rng() % 40);
        e.read_only = rng() % 2 == 0;
        e.username = "user" + std::to_string(rng() % 60);
        e.access_key_id = "AKIA" + std::to_string(rng() % 120);
        if (rng() % 3 != 0) {
          e.resources.push_back({"AWS::ACMPCA::CertificateAuthority", CaArn(rng() % 300)});
        }
        e.record_json = "{\"eventID\":\"" + e.event_id + "\",\"pad\":\"" + padding + "\"}";
        commits[0].events.push_back(std::move(e));
      }
      if (Status st = trail.AppendEvents(commits); !st.ok()) {
        std::fprintf(stderr, "append: %s\n", st.message().c_str());
        return false;
      }
    }
    return true;
  };
  auto t0 = std::chrono::steady_clock::now();
  if (!fill(0, events - tail)) return 1;
  auto t1 = std::chrono::steady_clock::now();
  std::printf("filled %lld events in %.1f s (%.0f/s)\n", static_cast<long long>(events - tail),
              Ms(t1 - t0) / 1000, (events - tail) / (Ms(t1 - t0) / 1000));
  int64_t indexed = 0;
  for (;;) {
    auto n = trail.IndexEvents(20'000);
    if (!n.ok()) {
      std::fprintf(stderr, "index: %s\n", n.status().message().c_str());
      return 1;
    }
    indexed += *n;
    if (*n < 20'000) break;
  }
  auto t2 = std::chrono::steady_clock::now();
  std::printf("indexed %lld events in %.1f s (%.0f/s)\n", static_cast<long long>(indexed),
              Ms(t2 - t1) / 1000, indexed / (Ms(t2 - t1) / 1000));
  if (!fill(events - tail, events)) return 1;
  std::printf("then %lld more, left unindexed; db %.0f MB\n", static_cast<long long>(tail),
              std::filesystem::file_size(dir + "/bench.db") / 1e6);

  struct Case {
    const char* name;
    EventLookupKey key;
    std::function<std::string()> value;
  };
  std::vector<Case> cases = {
      {"none (all events)", EventLookupKey::kNone, [] { return std::string(); }},
      {"EventId", EventLookupKey::kEventId,
       [&] { return "ev-" + std::to_string(rng() % events); }},
      {"EventName", EventLookupKey::kEventName,
       [&] { return "Operation" + std::to_string(rng() % 40); }},
      {"ReadOnly", EventLookupKey::kReadOnly, [&] { return rng() % 2 ? "true" : "false"; }},
      {"Username", EventLookupKey::kUsername, [&] { return "user" + std::to_string(rng() % 60); }},
      {"ResourceType", EventLookupKey::kResourceType,
       [] { return std::string("AWS::ACMPCA::CertificateAuthority"); }},
      {"ResourceName", EventLookupKey::kResourceName, [&] { return CaArn(rng() % 300); }},
      {"EventSource", EventLookupKey::kEventSource,
       [] { return std::string("iam.amazonaws.com"); }},
      {"AccessKeyId", EventLookupKey::kAccessKeyId,
       [&] { return "AKIA" + std::to_string(rng() % 120); }},
  };
  std::printf("%-20s %9s %9s %9s %9s   (ms; first page of 50, then the next page)\n", "key",
              "p50", "p99", "next p50", "next p99");
  for (const Case& c : cases) {
    std::vector<double> first, next;
    for (int q = 0; q < queries; ++q) {
      store::EventQuery query;
      query.recipient_account_id = kAccounts[rng() % 3];
      query.region = kRegions[rng() % 2];
      query.key = c.key;
      query.value = c.value();
      query.start_ms = start_ms;
      query.end_ms = now_ms;
      query.limit = 50;
      auto a = std::chrono::steady_clock::now();
      auto page = trail.LookupEvents(query);
      auto b = std::chrono::steady_clock::now();
      if (!page.ok()) {
        std::fprintf(stderr, "lookup: %s\n", page.status().message().c_str());
        return 1;
      }
      first.push_back(Ms(b - a));
      if (!page->empty()) {
        query.has_before = true;
        query.before_time_ms = page->back().event_time_ms;
        query.before_seq = page->back().seq;
        a = std::chrono::steady_clock::now();
        auto more = trail.LookupEvents(query);
        b = std::chrono::steady_clock::now();
        if (more.ok()) next.push_back(Ms(b - a));
      }
    }
    auto pct = [](std::vector<double> v, double p) {
      if (v.empty()) return 0.0;
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
    };
    std::printf("%-20s %9.3f %9.3f %9.3f %9.3f\n", c.name, pct(first, 0.5), pct(first, 0.99),
                pct(next, 0.5), pct(next, 0.99));
  }
  auto p0 = std::chrono::steady_clock::now();
  auto purged = trail.PurgeEventsBefore(start_ms + kDayMs, 5000);
  auto p1 = std::chrono::steady_clock::now();
  std::printf("purge batch of 5000: %lld deleted in %.1f ms\n",
              static_cast<long long>(purged.ok() ? *purged : -1), Ms(p1 - p0));
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}

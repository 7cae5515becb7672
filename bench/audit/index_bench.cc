// What the event history's lookup index costs per record, apart from everything else: appends
// final records to a temporary SQLite store the way a busy server does (commits of a few records,
// as the group commit makes them) and, every `--every` records, indexes them with
// TrailStore::IndexEvents as the server's recorder does every 100 ms; times the appends and the
// indexing separately (the process's CPU time, which includes the store's writer thread, and wall
// time, microseconds per record).
//
// Usage: openpca_index_bench [--records N] [--commit C] [--every E] [--mix stream|mixed]
//                            [--record-bytes B] [--dir DIR]
// stream: one account, region, user, access key and CA, every record an IssueCertificate (a
// benchmark's or a fleet's steady issuance); mixed: 3 accounts x 2 regions, 40 event names, 60
// users, 120 access keys and 300 CAs at random. record_json is about B bytes (default 1,900, as
// an IssueCertificate record is). Prints figures, judges nothing.
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_trail_store.h"

using namespace openpca;

namespace {

const char* kAccounts[] = {"111122223333", "444455556666", "777788889999"};
const char* kRegions[] = {"us-east-1", "eu-west-1"};

double ProcessCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double WallUs() {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string CaArn(const std::string& account, int i) {
  return "arn:aws:acm-pca:us-east-1:" + account + ":certificate-authority/ca-" + std::to_string(i);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t records = 200'000;
  int commit = 4;
  int every = 400;
  std::string mix = "stream";
  int record_bytes = 1900;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--records") records = std::atoll(argv[i + 1]);
    if (a == "--commit") commit = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--every") every = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--mix") mix = argv[i + 1];
    if (a == "--record-bytes") record_bytes = std::max(100, std::atoi(argv[i + 1]));
    if (a == "--dir") dir = argv[i + 1];
  }
  if (mix != "stream" && mix != "mixed") {
    std::fprintf(stderr, "--mix: stream or mixed\n");
    return 2;
  }
  dir = bench::BenchDir(dir, "index-bench");
  int rc = 0;
  {
    std::unique_ptr<store::SqliteStore> db = bench::OpenBenchStore(dir);
    if (db == nullptr) return 1;
    store::SqliteTrailStore trail(*db);
    std::mt19937_64 rng(42);
    const std::string padding(static_cast<size_t>(record_bytes - 80), 'x');
    int64_t time_ms = 1'800'000'000'000;

    double append_cpu = 0, append_wall = 0, index_cpu = 0, index_wall = 0;
    int64_t indexed = 0, since_index = 0;
    auto index = [&]() -> bool {
      const double c0 = ProcessCpuUs(), w0 = WallUs();
      auto n = trail.IndexEvents(std::max(1000, every));
      index_cpu += ProcessCpuUs() - c0;
      index_wall += WallUs() - w0;
      if (!n.ok()) {
        std::fprintf(stderr, "index: %s\n", n.status().message().c_str());
        return false;
      }
      indexed += *n;
      return true;
    };
    for (int64_t done = 0; done < records && rc == 0; done += commit) {
      std::vector<store::EventCommit> commits;
      for (int64_t i = done; i < std::min(records, done + commit); ++i) {
        store::StoredEvent e;
        char id[48];
        std::snprintf(id, sizeof id, "0190%04x-0000-7000-8000-%012llx",
                      static_cast<unsigned>(i >> 40), static_cast<unsigned long long>(i));
        e.event_id = id;
        time_ms += rng() % 2;
        e.event_time_ms = time_ms;
        e.event_source = "acm-pca.amazonaws.com";
        if (mix == "stream") {
          e.recipient_account_id = kAccounts[0];
          e.region = kRegions[0];
          e.event_name = "IssueCertificate";
          e.read_only = false;
          e.username = "admin";
          e.access_key_id = "AKIAQBW3ZINXED7XHWCX";
          e.resources.push_back({"AWS::ACMPCA::CertificateAuthority", CaArn(kAccounts[0], 1)});
        } else {
          e.recipient_account_id = kAccounts[rng() % 3];
          e.region = kRegions[rng() % 2];
          if (rng() % 4 == 0) e.event_source = "iam.amazonaws.com";
          e.event_name = "Operation" + std::to_string(rng() % 40);
          e.read_only = rng() % 2 == 0;
          e.username = "user" + std::to_string(rng() % 60);
          e.access_key_id = "AKIA" + std::to_string(rng() % 120);
          if (rng() % 3 != 0) {
            e.resources.push_back(
                {"AWS::ACMPCA::CertificateAuthority", CaArn(e.recipient_account_id, rng() % 300)});
          }
        }
        e.record_json = "{\"eventID\":\"" + e.event_id + "\",\"pad\":\"" + padding + "\"}";
        store::EventCommit c;
        c.events.push_back(std::move(e));
        commits.push_back(std::move(c));
      }
      const double c0 = ProcessCpuUs(), w0 = WallUs();
      if (Status st = trail.AppendEvents(commits); !st.ok()) {
        std::fprintf(stderr, "append: %s\n", st.message().c_str());
        rc = 1;
        break;
      }
      append_cpu += ProcessCpuUs() - c0;
      append_wall += WallUs() - w0;
      since_index += static_cast<int64_t>(commits.size());
      if (since_index >= every) {
        since_index = 0;
        if (!index()) rc = 1;
      }
    }
    while (rc == 0 && indexed < records) {
      const int64_t before = indexed;
      if (!index()) rc = 1;
      if (indexed == before) break;
    }
    if (rc == 0) {
      std::printf("mix=%s records=%lld commit=%d every=%d record_bytes=%d\n", mix.c_str(),
                  static_cast<long long>(records), commit, every, record_bytes);
      std::printf("append: %.1f us/record cpu (process), %.1f us/record wall\n",
                  append_cpu / records, append_wall / records);
      std::printf("index:  %.1f us/record cpu (process), %.1f us/record wall; %lld indexed\n",
                  index_cpu / records, index_wall / records, static_cast<long long>(indexed));
      std::printf("db %.1f MB\n", std::filesystem::file_size(dir + "/bench.db") / 1e6);
    }
  }
  std::filesystem::remove_all(dir);
  return rc;
}

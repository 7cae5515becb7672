// Concurrency and durability of every Store implementation (typed over factories): group
// commit under many callers, per-record failure inside a concurrent batch, and no acknowledged
// certificate lost when the writing process is killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "store_test_fixture.h"

namespace openpca::store::testing {
namespace {

template <typename Factory>
class StoreConcurrencyTest : public StoreTestBase<Factory> {};
TYPED_TEST_SUITE(StoreConcurrencyTest, StoreImplementations);

std::string Serial(int thread, int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02x%06x", thread + 1, i);
  return buf;
}

TYPED_TEST(StoreConcurrencyTest, ManyConcurrentInsertsShareFewCommits) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 200;
  constexpr int kTotal = kThreads * kPerThread;
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  std::optional<int64_t> commits_before = this->CommitCount();

  std::atomic<int> failures{0};
  std::latch start(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        IdempotencyClaim claim{"IssueCertificate|ca-1|" + Serial(t, i), Serial(t, i), 1'000'000};
        Status s = this->store().InsertCertificate(
            MakeCertificate("ca-1", Serial(t, i), /*der_size=*/800), claim);
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          ++failures;
        }
      }
    });
  }
  start.arrive_and_wait();
  auto began = std::chrono::steady_clock::now();
  for (std::thread& thread : threads) thread.join();
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - began);
  ASSERT_EQ(failures.load(), 0);

  std::optional<int64_t> commits_after = this->CommitCount();
  std::string report =
      std::to_string(kTotal) + " certificates in " + std::to_string(elapsed.count()) + " ms";
  if (commits_before.has_value() && commits_after.has_value()) {
    int64_t commits = *commits_after - *commits_before;
    report += ", " + std::to_string(commits) + " commits";
    // Group commit: 32 callers waiting together should share transactions.
    EXPECT_LT(commits * 4, kTotal) << report;
  }
  std::printf("[ STORE    ] %s\n", report.c_str());
  this->RecordProperty("throughput", report);

  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      Result<CertificateRecord> got = this->store().GetCertificate("ca-1", Serial(t, i));
      ASSERT_TRUE(got.ok()) << Serial(t, i) << ": " << got.status().ToString();
      ASSERT_EQ(got->der.size(), 800u);
    }
  }
  EXPECT_TRUE(
      this->store().FindIdempotencyClaim("IssueCertificate|ca-1|" + Serial(7, 7), 0)->has_value());
}

TYPED_TEST(StoreConcurrencyTest, DuplicateInConcurrentBatchFailsOnlyThatRecord) {
  constexpr int kPairs = 8;
  constexpr int kUnique = 16;
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));

  // Two callers per duplicated serial, plus callers with unique serials, all released at once.
  std::vector<CertificateRecord> certs;
  for (int p = 0; p < kPairs; ++p) {
    certs.push_back(MakeCertificate("ca-1", "d" + std::to_string(p), 32));
    certs.push_back(MakeCertificate("ca-1", "d" + std::to_string(p), 48));
  }
  for (int u = 0; u < kUnique; ++u)
    certs.push_back(MakeCertificate("ca-1", "u" + std::to_string(u)));

  std::vector<Status> results(certs.size());
  std::latch start(static_cast<ptrdiff_t>(certs.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < certs.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = this->store().InsertCertificate(certs[i], std::nullopt);
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (int p = 0; p < kPairs; ++p) {
    const Status& a = results[2 * p];
    const Status& b = results[2 * p + 1];
    EXPECT_NE(a.ok(), b.ok()) << "pair " << p << ": " << a.ToString() << " / " << b.ToString();
    const Status& loser = a.ok() ? b : a;
    EXPECT_EQ(loser.code(), ErrorCode::kRequestFailed);
    // The stored certificate is the winner's.
    const CertificateRecord& winner = a.ok() ? certs[2 * p] : certs[2 * p + 1];
    EXPECT_EQ(this->store().GetCertificate("ca-1", winner.serial_hex)->der, winner.der);
  }
  for (int u = 0; u < kUnique; ++u) {
    EXPECT_OK(results[2 * kPairs + u]);
    EXPECT_TRUE(this->store().GetCertificate("ca-1", "u" + std::to_string(u)).ok());
  }
}

// Child side of the durability test: inserts certificates from several threads and writes each
// serial to `fd` only after InsertCertificate acknowledged it. Runs until killed.
template <typename Factory>
[[noreturn]] void InsertUntilKilled(Factory& factory, int fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed parent
  Result<std::unique_ptr<Store>> store = factory.Open();
  if (!store.ok()) _exit(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1'000'000; ++i) {
        std::string serial = Serial(t, i);
        if (!(*store)->InsertCertificate(MakeCertificate("ca-1", serial), std::nullopt).ok()) {
          _exit(3);
        }
        std::string line = serial + "\n";  // one write() below PIPE_BUF is atomic
        if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  _exit(0);
}

TYPED_TEST(StoreConcurrencyTest, ConcurrentRequestsWithOneTokenStoreExactlyOneCertificate) {
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  // Two "servers" (stores on one database), four requests each, all with the same token.
  auto other = this->factory_.Open();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::vector<Store*> servers = {&this->store(), other->get()};
  constexpr int kRequests = 8;
  std::atomic<int> stored{0};
  std::atomic<int> refused{0};
  std::atomic<int> other_errors{0};
  std::latch start(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      char serial[8];
      std::snprintf(serial, sizeof serial, "%02x", i + 1);
      IdempotencyClaim claim{"IssueCertificate|ca-1|same", std::string("arn/") + serial, 50'000,
                             1'000};
      start.arrive_and_wait();
      Status st = servers[i % 2]->InsertCertificate(MakeCertificate("ca-1", serial), claim);
      if (st.ok()) {
        stored.fetch_add(1);
      } else if (st.code() == ErrorCode::kConcurrentModification) {
        refused.fetch_add(1);
      } else {
        other_errors.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(refused.load(), kRequests - 1);
  auto claim = this->store().FindIdempotencyClaim("IssueCertificate|ca-1|same", 1'000);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  const std::string serial = (*claim)->result.substr(4);
  EXPECT_TRUE(this->store().GetCertificate("ca-1", serial).ok());  // the winner's certificate
  int present = 0;
  for (int i = 0; i < kRequests; ++i) {
    char s[8];
    std::snprintf(s, sizeof s, "%02x", i + 1);
    if (this->store().GetCertificate("ca-1", s).ok()) ++present;
  }
  EXPECT_EQ(present, 1);
}

TYPED_TEST(StoreConcurrencyTest, AcknowledgedCertificatesSurviveSigkill) {
  constexpr size_t kKillAfter = 300;
  ASSERT_OK(this->store().InsertCa(MakeCa("ca-1"), {}, std::nullopt));
  this->store_.reset();  // no connection or thread of ours may cross fork()

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    InsertUntilKilled(this->factory_, fds[1]);
  }
  close(fds[1]);

  std::string received;
  auto count_lines = [&] {
    return static_cast<size_t>(std::count(received.begin(), received.end(), '\n'));
  };
  char buf[4096];
  bool killed = false;
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;  // EOF: the child is gone
    received.append(buf, static_cast<size_t>(n));
    if (!killed && count_lines() >= kKillAfter) {
      kill(pid, SIGKILL);  // mid-stream: other inserts are in flight
      killed = true;
    }
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "child ended on its own, status " << wstatus;

  // Only whole lines were acknowledged serials.
  std::vector<std::string> acknowledged;
  size_t begin = 0;
  for (size_t end; (end = received.find('\n', begin)) != std::string::npos; begin = end + 1) {
    acknowledged.push_back(received.substr(begin, end - begin));
  }
  ASSERT_GE(acknowledged.size(), kKillAfter);

  this->Reopen();
  for (const std::string& serial : acknowledged) {
    Result<CertificateRecord> got = this->store().GetCertificate("ca-1", serial);
    ASSERT_TRUE(got.ok()) << "acknowledged serial " << serial
                          << " lost: " << got.status().ToString();
  }
  std::printf("[ STORE    ] %zu acknowledged serials all present after SIGKILL\n",
              acknowledged.size());
}

}  // namespace
}  // namespace openpca::store::testing

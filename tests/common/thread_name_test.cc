// NameThisThread and Periodic: the kernel shows the names (what `top -H`, perf and
// bench/issuance/cpu_per_request.sh read), cut to the kernel's 15 bytes.
#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "common/periodic.h"

namespace openpca {
namespace {

std::string KernelNameOfThisThread() {
  const long tid = syscall(SYS_gettid);
  std::ifstream comm("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadNameTest, TheKernelShowsTheName) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("sqlite-writer");
    seen = KernelNameOfThisThread();
  });
  t.join();
  EXPECT_EQ(seen, "sqlite-writer");
}

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytes) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("a-name-of-twenty-bytes");
    seen = KernelNameOfThisThread();
  });
  t.join();
  EXPECT_EQ(seen, "a-name-of-twent");
}

TEST(ThreadNameTest, PeriodicNamesItsThread) {
  std::atomic<bool> named{false};
  std::string seen;
  std::atomic<bool> done{false};
  {
    Periodic loop("facts-poll", std::chrono::milliseconds(1), [&] {
      if (!done.exchange(true)) {
        seen = KernelNameOfThisThread();
        named = true;
      }
    });
    for (int i = 0; i < 5000 && !named.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }  // joined: `seen` is written before this point
  EXPECT_EQ(seen, "facts-poll");
}

}  // namespace
}  // namespace openpca

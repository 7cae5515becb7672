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
#include <string_view>
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

// The name the kernel shows for a new thread that named itself `name`.
std::string KernelNameOfAThreadNamed(std::string_view name) {
  std::string seen;
  std::thread t([&] {
    NameThisThread(name);
    seen = KernelNameOfThisThread();
  });
  t.join();
  return seen;
}

TEST(ThreadNameTest, TheKernelShowsTheName) {
  EXPECT_EQ(KernelNameOfAThreadNamed("sqlite-writer"), "sqlite-writer");
}

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytes) {
  EXPECT_EQ(KernelNameOfAThreadNamed("a-name-of-twenty-bytes"), "a-name-of-twent");
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

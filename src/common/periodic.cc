#include "common/periodic.h"

#include <condition_variable>
#include <mutex>
#include <utility>

#include "common/thread_name.h"

namespace openpca {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval,
                   std::function<void()> fn)
    : thread_([name = std::move(name), interval, fn = std::move(fn)](std::stop_token stop) {
        NameThisThread(name);
        std::mutex mu;
        std::condition_variable_any wake;
        std::unique_lock lock(mu);
        while (!stop.stop_requested()) {
          wake.wait_for(lock, stop, interval, [] { return false; });
          if (stop.stop_requested()) return;
          fn();
        }
      }) {}

void Periodic::Stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace openpca

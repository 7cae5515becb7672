// Periodic: calls a function every `interval` on a thread of its own (named `name`, see
// common/thread_name.h), from one interval after construction until Stop() or destruction (which
// waits for a call in progress to return).
// For the small background loops of the stores and the server (checkpoints, generation polls,
// identity refreshes).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace openpca {

class Periodic {
 public:
  Periodic(std::string name, std::chrono::milliseconds interval, std::function<void()> fn);
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  // Idempotent; returns once no call is running.
  void Stop();

 private:
  std::jthread thread_;
};

}  // namespace openpca

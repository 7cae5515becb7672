// DeadLetterLog: where deliveries that exhausted their retries (or failed for good) end: one JSON
// object per line in a file created 0600, appended and flushed per record, plus a warning line in
// the operational log. A record holds the rule and target, the attempts, the last error and the
// event; never a connection's secret. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace openpca::events {

class DeadLetterLog {
 public:
  explicit DeadLetterLog(std::string path) : path_(std::move(path)) {}
  // Errors: kInternal (I/O).
  Status Append(const nlohmann::json& record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::mutex mu_;
};

}  // namespace openpca::events

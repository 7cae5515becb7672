#include "events/dead_letter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace openpca::events {

Status DeadLetterLog::Append(const nlohmann::json& record) {
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return InternalError("dead-letter log " + path_ + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      return InternalError("dead-letter log " + path_ + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  spdlog::warn("events: delivery to {} for rule {} dead-lettered after {} attempt(s): {}",
               record.value("target_arn", ""), record.value("rule_arn", ""),
               record.value("attempts", 0), record.value("reason", ""));
  return Status::Ok();
}

}  // namespace openpca::events

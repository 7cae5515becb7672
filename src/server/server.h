// Serve(): builds every part of a running openpca from flags and configuration and runs until
// SIGTERM or SIGINT. Returns the process exit code.
#pragma once

#include <optional>
#include <string>

namespace openpca::server {

struct ServeFlags {
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> region;
  std::optional<std::string> config_file;
  std::optional<std::string> public_url;
  bool check_config = false;
};

int Serve(const ServeFlags& flags);

}  // namespace openpca::server

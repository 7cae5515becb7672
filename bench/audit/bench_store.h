// The temporary SQLite store the event-history benchmarks fill: a directory of their own (the one
// given, else a fresh one under the system's temporary directory) and the store opened in it.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace openpca::bench {

// `given` if not empty, else <tmp>/openpca-<name>-<pid>; created.
inline std::string BenchDir(const std::string& given, const std::string& name) {
  std::string dir = given;
  if (dir.empty()) {
    dir = (std::filesystem::temp_directory_path() /
           ("openpca-" + name + "-" + std::to_string(::getpid())))
              .string();
  }
  std::filesystem::create_directories(dir);
  return dir;
}

// The store at <dir>/bench.db; null (the reason printed) if it cannot be opened.
inline std::unique_ptr<store::SqliteStore> OpenBenchStore(const std::string& dir) {
  auto db = store::SqliteStore::Open(dir + "/bench.db");
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().message().c_str());
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace openpca::bench

// Migration: one numbered schema change, embedded in the binary from
// src/store/migrations/<dialect>/NNNN_name.sql by the build (see migrations/README.md).
// The lists are immutable static data; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace openpca::store {

struct Migration {
  int version;            // 1, 2, 3, ... increasing (see migrations/README.md)
  std::string_view name;  // "initial" for 0001_initial.sql
  std::string_view sql;   // the file's text: statements without BEGIN/COMMIT
};

// Migrations of each dialect in version order (generated sources).
std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

}  // namespace openpca::store

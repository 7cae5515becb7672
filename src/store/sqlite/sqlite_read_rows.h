// Reading a SQLite statement's result rows into records with a row reader, a function
// `Record read(const SqliteStatement&)` that maps the current row (the domain stores' ReadTrail,
// ReadRule, ...). Thread-compatible like the statement.
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace openpca::store {

// Steps through every row left, in order. Errors: kInternal.
template <typename Record, typename Reader>
Result<std::vector<Record>> ReadAllRows(SqliteStatement& stmt, Reader read) {
  std::vector<Record> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(read(stmt));
  }
  return out;
}

// The next row, or nullopt when there is none. Errors: kInternal.
template <typename Record, typename Reader>
Result<std::optional<Record>> ReadOneRow(SqliteStatement& stmt, Reader read) {
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Record>();
  return std::optional<Record>(read(stmt));
}

}  // namespace openpca::store

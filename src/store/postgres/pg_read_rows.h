// Reading a PostgreSQL result's rows into records with a row reader, a function
// `Record read(const PgResult&, int row)` (the domain stores' PgReadTrailRow, PgReadRule, ...).
// Pure functions.
#pragma once

#include <optional>
#include <vector>

#include "store/postgres/pg_connection.h"

namespace openpca::store {

// Every row, in order.
template <typename Record, typename Reader>
std::vector<Record> ReadAllPgRows(const PgResult& rows, Reader read) {
  std::vector<Record> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) out.push_back(read(rows, r));
  return out;
}

// The first row, or nullopt when there is none.
template <typename Record, typename Reader>
std::optional<Record> ReadFirstPgRow(const PgResult& rows, Reader read) {
  if (rows.rows() == 0) return std::nullopt;
  return read(rows, 0);
}

}  // namespace openpca::store

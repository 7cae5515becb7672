// The statements of the lease table (migrations 0012_leases), the same text for every SQL
// dialect: parameters are numbered ($1 in PostgreSQL, ?1 in SQLite, spelled by `p`).
#pragma once

#include <string>

namespace openpca::store {

// $1 name, $2 holder, $3 now_ms, $4 expires_at_ms. Returns (holder, expires_at_ms,
// fencing_token) when the lease is now held by $2; no row when another holder's is running.
inline std::string AcquireLeaseSql(char p) {
  const std::string s(1, p);
  return "INSERT INTO leases AS l (name, holder, expires_at_ms, fencing_token) "
         "VALUES (" + s + "1, " + s + "2, " + s + "4, 1) "
         "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
         "expires_at_ms = excluded.expires_at_ms, "
         "fencing_token = CASE WHEN l.holder = excluded.holder THEN l.fencing_token "
         "ELSE l.fencing_token + 1 END "
         "WHERE l.holder = excluded.holder OR l.expires_at_ms <= " + s + "3 "
         "RETURNING holder, expires_at_ms, fencing_token";
}

// $1 name, $2 holder. A released lease expired at time 0: free whatever the taker's clock.
inline std::string ReleaseLeaseSql(char p) {
  const std::string s(1, p);
  return "UPDATE leases SET expires_at_ms = 0 WHERE name = " + s + "1 AND holder = " + s + "2";
}

// $1 name.
inline std::string GetLeaseSql(char p) {
  return std::string("SELECT holder, expires_at_ms, fencing_token FROM leases WHERE name = ") +
         p + "1";
}

}  // namespace openpca::store
